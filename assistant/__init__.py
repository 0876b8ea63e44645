"""Guidance Assistant: cited answers from UK social work AI guidance."""
