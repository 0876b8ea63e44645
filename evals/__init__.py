"""Evaluation harness: citation fidelity, retrieval, abstention and privacy (its own issue)."""
