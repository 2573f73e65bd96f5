"""Benchmarks: `make bench` prints figures and writes docs/BENCHMARKS.md. Never part of `make test`."""
