"""Project commands (COMMANDS_MODULE = "crawler.commands"), one per module: ``crawl`` (Scrapy's, with exit
statuses a script can rely on) and ``checksite`` (validate site configs without crawling)."""
