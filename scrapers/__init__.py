"""The Scrapy project: source registry, discovery, polite fetching and WARC capture."""
