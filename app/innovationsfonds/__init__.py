"""Innovationsfonds (F5): calls, sketches, reviewer assignment, reviews, ranking and selection."""
