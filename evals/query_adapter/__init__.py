"""The question adapter (assistant/core/query_adapter.py): trained and measured from the labelled cases."""
