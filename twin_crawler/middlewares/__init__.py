"""Downloader middlewares: block detection, SSRF guard, retries."""
