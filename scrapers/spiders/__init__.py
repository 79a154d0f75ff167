"""Spiders. Sources are served by the generic NewsSpider; a subclass only where a site needs one."""
