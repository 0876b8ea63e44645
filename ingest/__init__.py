"""Ingestion: guidance documents to cited-ready chunks in the index."""
