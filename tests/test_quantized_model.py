"""The dynamically quantized model is derived from the packaged weights once, cached, and a
failed build falls back to the packaged model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from convmem.search import quantized_model
from convmem.search.embedding import EmbeddingModels


def test_built_once_cached_and_close_to_the_packaged_model(tmp_path: Path) -> None:
    built = quantized_model.model_file(quantized_model.DYNAMIC_INT8, tmp_path)
    assert built.parent == tmp_path and built.stat().st_size > 10_000_000
    stamp = built.stat().st_mtime_ns
    assert quantized_model.model_file(quantized_model.DYNAMIC_INT8, tmp_path) == built
    assert built.stat().st_mtime_ns == stamp  # reused, not rebuilt
    assert [p.name for p in tmp_path.iterdir()] == [built.name]  # no build leftovers

    texts = ["I ordered the blue running shoes last week", "Can I change my delivery address?"]
    packaged = EmbeddingModels(quantized_model.PACKAGED).session().embed(texts)
    quantized = EmbeddingModels(quantized_model.DYNAMIC_INT8, tmp_path).session().embed(texts)
    assert np.all((packaged * quantized).sum(axis=1) > 0.98)


def test_a_failed_build_falls_back_to_the_packaged_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(source: Path, target: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(quantized_model, "_build", broken)
    assert quantized_model.model_file(quantized_model.DYNAMIC_INT8, tmp_path) == quantized_model.packaged_model()


def test_an_unknown_variant_is_refused() -> None:
    with pytest.raises(ValueError):
        EmbeddingModels("fp16")
