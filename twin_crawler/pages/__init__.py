"""Pure page parsers: (url, body) -> items or URLs. Nothing here imports scrapy."""
