"""Benchmarks (``make bench``); the figures go to docs/BENCHMARKS.md."""
