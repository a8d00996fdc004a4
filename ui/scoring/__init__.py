"""The scoring station: the sitting screen, its clocks, rubric grid, evidence notebook and alerts."""
