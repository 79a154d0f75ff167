"""Operators' tools that use both the crawl and the transforms (the doctor); nothing imports them."""
