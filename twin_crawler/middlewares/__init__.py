"""Downloader middlewares: block detection, SSRF guard, retries, the raw archive."""
