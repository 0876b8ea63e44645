"""Data files the assistant reads at run time (word lists, the thesaurus); see scripts/build_word_lists.py."""
