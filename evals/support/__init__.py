"""Labelled claims for calibrating the citation support thresholds (see measure.py)."""
