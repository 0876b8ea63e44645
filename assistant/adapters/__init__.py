"""The adapters to outside technology: Chroma (chroma_store.py), the embedding model run with
torch or NumPy (sentence_transformer.py, numpy_minilm.py), the model servers (ollama.py,
llamacpp.py), and the offline switches (offline.py). Each implements a seam of assistant/core/
(store.py, embeddings.py, llm.py); factory.py chooses them from the settings, and is the only
place the entry points get them from.
"""
