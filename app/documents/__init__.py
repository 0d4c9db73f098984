"""Binding documents (Bescheide, Mitteilungen) as PDF/A, stored as issued (docs/documents.md)."""
