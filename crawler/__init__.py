"""The Scrapy project: config-driven portal spiders, WARC capture, replay (see docs/architecture.md)."""
