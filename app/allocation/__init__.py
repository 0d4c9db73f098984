"""Allocation: key data, distribution key, allocation versions, redistribution."""
