"""Item pipelines, one per module: clean (normalize.clean in a process pool), records (JSONL writer)."""
