"""Synthetic data at scale for benchmarks and load tests (``durchstarten seed-bench``)."""
