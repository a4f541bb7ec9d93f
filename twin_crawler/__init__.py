"""twin-crawler: collect everything one author published into a document warehouse."""

__version__ = "0.1.0"
