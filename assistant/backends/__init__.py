"""Model backends behind the LLM protocol in assistant/llm.py, each imported only when chosen."""
