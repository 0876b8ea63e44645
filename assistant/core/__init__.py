"""The answer core: one path from a question to a cited answer, and every rule it applies.

question -> guard.py (personal data) -> followup.py / question.py -> retrieve.py ->
generate.py or extractive.py -> verify.py (citation checks) -> compose.py / render.py -> Answer
(answer.py holds the path). The seams to outside technology are Protocols here (store.py,
embeddings.py, llm.py); their implementations live in assistant/adapters/. Nothing in this folder
imports an adapter, Chroma, torch, a model runtime or Chainlit (tests/test_layers.py).
"""
