"""Broadsheet's page benchmark: `uv run python -m bench --help`."""
