"""The platform layer under every domain: money, clock, audit, errors, database, events, formatting.

It imports no domain (import-linter layers contract in pyproject.toml); docs/ARCHITECTURE.md.
"""
