"""Extensions, one per module: capturestore (the crawl's WARC/JSONL writer), crawldelay (robots Crawl-delay),
statsfile (final stats as JSON)."""
