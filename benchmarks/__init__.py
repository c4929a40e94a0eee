"""Benchmarks of screendesk_async; ``nox -s bench`` runs them all and writes RESULTS.md."""
