"""Figures (matplotlib) of runs, comparisons and sweeps, in one palette."""
