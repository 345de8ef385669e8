"""Load and fault benchmark of the platform: `python -m bench.load` (see docs/reliability.md)."""
