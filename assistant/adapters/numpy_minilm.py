"""all-MiniLM-L6-v2 in plain NumPy, for answering without importing torch.

Why it exists: `import sentence_transformers` pulls in torch and transformers, which costs
6-7 seconds before the model reads a word. Answering embeds one question, so a fresh
`assistant ask` spent most of its first answer on imports. This module runs the same BERT encoder
(embeddings, self-attention layers, mean pooling, L2 normalisation) with NumPy, `tokenizers` and
`safetensors` only, which import and load in about half a second.

It reads the very files SentenceTransformerEmbedder reads, and tests/test_numpy_minilm.py holds
its vectors to the sentence-transformers output (per-text cosine >= 0.9999, max abs diff < 1e-4)
and its `fits` to the same token count.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from assistant.core.embeddings import EmbedderUnavailable

Array = np.ndarray
Affine = tuple[Array, Array]  # (weight, bias): a dense layer as x @ W + b, or LayerNorm's scale

# erf(z) ~ z * P(z^2) / Q(z^2) on [-4, 4], beyond which erf is +-1 in float32 (Eigen's float32
# approximation). Max error 4.4e-7 (a few float32 steps) evaluated in float32, 1e-7 in float64.
_ERF_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
          -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
          -1.60960333262415e-02)
_ERF_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
          -7.37332916720468e-03, -1.42647390514189e-02)


def _gelu(x: Array) -> Array:
    """BERT's exact GELU, x * (1 + erf(x / sqrt 2)) / 2 (not the tanh approximation).

    Not scipy.special.erf: scipy is no declared dependency and adds ~0.15 s of import. The steps
    are in place because this runs on the widest activations and otherwise rivals the matmuls."""
    z = np.clip(x * np.float32(0.7071067811865476), -4.0, 4.0)
    z2 = z * z
    p, q = np.full_like(z, _ERF_P[0]), np.full_like(z, _ERF_Q[0])
    for polynomial, coefficients in ((p, _ERF_P), (q, _ERF_Q)):
        for c in coefficients[1:]:  # Horner's rule
            polynomial *= z2
            polynomial += np.float32(c)
    p *= z
    p /= q  # erf(x / sqrt 2)
    p += 1.0
    p *= x
    p *= 0.5
    return p


_ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "gelu": _gelu,
    "relu": lambda x: np.maximum(x, 0.0),
}


def _blas_limiter(threads: int | None) -> Callable[[], contextlib.AbstractContextManager[Any]]:
    """A context that caps BLAS at `threads` threads while it is open (no-op without
    threadpoolctl, which scikit-learn brings in, or when `threads` is None)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        threads = None
    if threads is None:
        return contextlib.nullcontext
    controller = ThreadpoolController()
    return lambda: controller.limit(limits=threads, user_api="blas")


class _Layer(NamedTuple):
    qkv: Affine  # query, key and value side by side: one matmul instead of three
    attention_out: Affine
    attention_norm: Affine
    intermediate: Affine
    output: Affine
    output_norm: Affine


class NumpyMiniLM:
    """A BERT sentence-transformers model with mean pooling, run on the CPU with NumPy."""

    def __init__(
        self, model_id: str, path: Path, *, batch_tokens: int = 512, blas_threads: int | None = 1
    ) -> None:
        path = Path(path)
        if not (path / "modules.json").is_file() or not (path / "model.safetensors").is_file():
            raise EmbedderUnavailable(f"No sentence-transformers model (safetensors) in {path}")
        self.model_id = model_id
        # Measured: batches of a few hundred tokens beat big ones (cache-sized attention scores).
        self._batch_tokens = batch_tokens
        # Measured on 2 CPUs: with OpenBLAS's thread per core, one other busy process (a test run,
        # a language model writing) stretched one question from 15 ms to 0.7 s, as each small
        # matmul waited for the second thread. One thread costs big batches about a third.
        self._blas_limit = _blas_limiter(blas_threads)

        def read(name: str) -> Any:
            return json.loads((path / name).read_text())

        config, pooling = read("config.json"), read("1_Pooling/config.json")
        self._max_tokens = int(read("sentence_bert_config.json")["max_seq_length"])
        other_modes = ("cls_token", "max_tokens", "mean_sqrt_len_tokens")
        if not pooling.get("pooling_mode_mean_tokens") or any(
            pooling.get(f"pooling_mode_{mode}") for mode in other_modes
        ):
            raise EmbedderUnavailable(f"{path}: only plain mean pooling is implemented")
        self._normalize = any(m["type"].endswith(".Normalize") for m in read("modules.json"))
        activation = config.get("hidden_act")
        if activation not in _ACTIVATIONS:
            raise EmbedderUnavailable(f"{path}: unsupported hidden_act {activation!r}")
        self._activation = _ACTIVATIONS[activation]
        self._heads = int(config["num_attention_heads"])
        self._eps = np.float32(config["layer_norm_eps"])
        self._pad_id = int(config.get("pad_token_id", 0))

        # tokenizer.json ships with truncation and fixed padding at 128: truncate at
        # max_seq_length like sentence-transformers, and pad per batch in embed_batch.
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self._max_tokens)
        self._tokenizer.no_padding()

        stored = load_file(str(path / "model.safetensors"))
        weights = {name.removeprefix("bert."): value for name, value in stored.items()}

        def weight(name: str) -> Array:
            if name not in weights:
                raise EmbedderUnavailable(
                    f"{path / 'model.safetensors'} has no weight {name!r} (nor 'bert.{name}')"
                )
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        def dense(prefix: str, scale: float = 1.0) -> Affine:
            # Stored (out, in) like torch.nn.Linear: transposed once so the forward pass is x @ W.
            return (np.ascontiguousarray(weight(f"{prefix}.weight").T) * np.float32(scale),
                    weight(f"{prefix}.bias") * np.float32(scale))

        def norm(prefix: str) -> Affine:
            return weight(f"{prefix}.LayerNorm.weight"), weight(f"{prefix}.LayerNorm.bias")

        self._word = weight("embeddings.word_embeddings.weight")
        self._position = weight("embeddings.position_embeddings.weight")
        self._token_type_0 = weight("embeddings.token_type_embeddings.weight")[0]
        self._embedding_norm = norm("embeddings")
        head_size = int(config["hidden_size"]) // self._heads
        self._layers: list[_Layer] = []
        for i in range(int(config["num_hidden_layers"])):
            at = f"encoder.layer.{i}"
            # Attention divides scores by sqrt(head size): folded into the query weights here.
            q = dense(f"{at}.attention.self.query", scale=head_size ** -0.5)
            k, v = dense(f"{at}.attention.self.key"), dense(f"{at}.attention.self.value")
            self._layers.append(_Layer(
                qkv=(np.hstack([q[0], k[0], v[0]]), np.concatenate([q[1], k[1], v[1]])),
                attention_out=dense(f"{at}.attention.output.dense"),
                attention_norm=norm(f"{at}.attention.output"),
                intermediate=dense(f"{at}.intermediate.dense"),
                output=dense(f"{at}.output.dense"),
                output_norm=norm(f"{at}.output"),
            ))

    def fits(self, text: str) -> bool:
        # Truncation keeps what it cut in `overflowing`: empty means every token was read.
        return not self._tokenizer.encode(text).overflowing

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        tokens = [e.ids for e in self._tokenizer.encode_batch(list(texts))] if texts else []
        vectors = np.zeros((len(tokens), self._word.shape[1]), dtype=np.float32)
        with self._blas_limit():
            for rows, ids, mask in self._batches(tokens):
                vectors[rows] = self._encode(ids, mask)
        return vectors.tolist()

    def _batches(self, tokens: list[list[int]]) -> Iterator[tuple[list[int], Array, Array]]:
        """(rows, padded ids, mask) of about batch_tokens tokens each. Similar lengths go
        together, so little is padding; `rows` says where the results go back."""
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        start, budget = 0, self._batch_tokens
        while start < len(order):
            end = start + 1  # grow while rows x longest row (the last: sorted) fits the budget
            while end < len(order) and (end + 1 - start) * len(tokens[order[end]]) <= budget:
                end += 1
            rows = order[start:end]
            ids = np.full((len(rows), len(tokens[rows[-1]])), self._pad_id, dtype=np.int64)
            mask = np.zeros(ids.shape, dtype=np.float32)
            for row, i in enumerate(rows):
                ids[row, : len(tokens[i])] = tokens[i]
                mask[row, : len(tokens[i])] = 1.0
            yield rows, ids, mask
            start = end

    def _layer_norm(self, x: Array, scale_shift: Affine) -> Array:
        centred = x - x.mean(-1, keepdims=True)
        variance = np.square(centred).mean(-1, keepdims=True)
        return centred / np.sqrt(variance + self._eps) * scale_shift[0] + scale_shift[1]

    def _encode(self, ids: Array, mask: Array) -> Array:
        """(batch, length) token ids and 0/1 mask -> (batch, hidden) sentence vectors."""
        batch, length = ids.shape
        x = self._word[ids] + self._position[:length] + self._token_type_0
        # Tokens as rows of one matrix: one matmul per dense layer, not one per text (2x faster
        # for batches of short texts). Only attention needs the (batch, length) shape.
        x = self._layer_norm(x.reshape(batch * length, -1), self._embedding_norm)
        # Padding keys get a huge negative score, so softmax gives them zero weight.
        padding = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in self._layers:
            qkv = x @ layer.qkv[0] + layer.qkv[1]
            q, k, v = qkv.reshape(batch, length, 3, self._heads, -1).transpose(2, 0, 3, 1, 4)
            scores = q @ k.transpose(0, 1, 3, 2)  # (batch, heads, length, length), pre-scaled
            scores += padding
            scores -= scores.max(-1, keepdims=True)  # softmax in place: the largest array here
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(x.shape)
            out, out_bias = layer.attention_out
            x = self._layer_norm(context @ out + out_bias + x, layer.attention_norm)
            inner = self._activation(x @ layer.intermediate[0] + layer.intermediate[1])
            x = self._layer_norm(inner @ layer.output[0] + layer.output[1] + x, layer.output_norm)
        x = x.reshape(batch, length, -1)
        # Mean over real tokens only, as sentence-transformers' Pooling does.
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        if self._normalize:
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled
