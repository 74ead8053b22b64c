"""Benchmark scripts: each prints figures (ratios against a baseline measured in the same run).
They are never run as tests."""
