"""Downloader middlewares, one per module: warc (capture), replay (serve from WARC), backoff (retries)."""
