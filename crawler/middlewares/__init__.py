"""Downloader middlewares, one per module: warc (capture), replay (serve from WARC), backoff (retries),
recorded (skip articles a resumed crawl already has), onsite (no request, not even a redirect, leaves the
site)."""
