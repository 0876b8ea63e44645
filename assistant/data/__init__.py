"""Data files the assistant reads at run time (word lists, the thesaurus); see build_lists.py."""
