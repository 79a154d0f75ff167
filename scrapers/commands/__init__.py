"""Scrapy commands of the project (settings COMMANDS_MODULE): ours replace Scrapy's of the same name."""
