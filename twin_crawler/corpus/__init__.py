"""Looking at the collected corpus: selection, export (JSONL/JSON/Parquet), terminal summary, HTML report."""
