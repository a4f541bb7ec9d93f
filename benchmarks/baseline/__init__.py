"""The converters as they were before issue 11, kept for the benchmark only (measurement 7 compares against them)."""
