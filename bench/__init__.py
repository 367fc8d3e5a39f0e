"""Benchmarks (scripts, not tests): see bench/README.md. The tests never import this package."""
