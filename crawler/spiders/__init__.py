"""Spiders: :mod:`crawler.spiders.portal` is the config-driven base; :mod:`crawler.spiders.sites` makes one
spider class per ``crawler/sites/*.toml`` (``scrapy list`` shows them)."""
