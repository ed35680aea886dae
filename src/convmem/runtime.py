"""The composition root: every long-lived object of a convmem process, built from ``Settings``.

A ``Runtime`` is what the HTTP app, the CLI commands and the job workers are given. Reading this
module tells which objects exist in a running process and how they are wired:

- ``db``: the database (SQLite file or PostgreSQL pool);
- ``models``: the embedding model sessions (variant and cache directory from the settings);
- ``extractor``: conversation extraction (offline rules, or the LLM backend when configured);
- ``screen``: the GDPR special-category screen (a classifier over ``models``' sentence vectors), which
  the extractors and the extraction job screen every written sentence with;
- ``recall``: what Recall keeps between requests (lexical backend, query vectors, profile cache);
- ``jobs``: the job kind -> handler registry the workers run;
- ``metrics``: the operator's Prometheus metrics (metrics.py), exposed on ``/metrics``.

Nothing here is configured through module globals or environment reads: a second runtime with
other settings (a test, a tool) lives beside the first without touching it."""

from __future__ import annotations

from dataclasses import dataclass, field

from convmem.config import Settings
from convmem.domain.ranking import FusionWeights
from convmem.extract import Extractor, LLMSettings, build_extractor
from convmem.extract.guarded import GuardedExtractor
from convmem.extract.injection import InjectionGuard
from convmem.extract.screening import SpecialCategoryScreen
from convmem.jobs.queue import JobRegistry
from convmem.metrics import Metrics
from convmem.search.embedding import EmbeddingModels, QueryEmbeddings
from convmem.search.vectors import ProfileCache
from convmem.services import bulk, embeddings, erasure, imports
from convmem.services.conversations import extraction as conversation_extraction
from convmem.services.recall import RecallEngine
from convmem.storage.db import Database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    models: EmbeddingModels
    extractor: Extractor
    recall: RecallEngine
    jobs: JobRegistry
    screen: SpecialCategoryScreen
    metrics: Metrics = field(default_factory=Metrics)

    @classmethod
    def build(cls, settings: Settings, db: Database | None = None) -> Runtime:
        """Cheap: models load on first use, the database connects on first use."""
        owns_db = db is None
        db = db or Database(settings.resolved_database_url(), sqlite_synchronous=settings.sqlite_synchronous,
                            pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
                            pool_timeout=settings.db_pool_timeout_seconds)
        jobs = job_registry()
        metrics = Metrics(settings.prometheus_multiproc_dir)
        # A database handed in (tests, tools) belongs to someone else: its pool is theirs to watch.
        metrics.watch_database(db, jobs.kinds(), pool=owns_db)
        models = EmbeddingModels(settings.embedding_model, settings.resolved_model_cache_dir())
        # Every backend sits behind the prompt-injection guard (extract/guarded.py).
        screen = SpecialCategoryScreen.for_models(models)  # its session loads on first use
        extractor = GuardedExtractor(build_extractor(llm_settings(settings), screen=screen),
                                     InjectionGuard(models.session()))
        return cls(settings=settings, db=db, models=models, extractor=extractor,
                   recall=recall_engine(settings, db, models), jobs=jobs, screen=screen, metrics=metrics)

    def close(self) -> None:
        self.db.dispose()


def llm_settings(settings: Settings) -> LLMSettings | None:
    """The LLM extraction backend's settings; None (offline extraction) unless both the base URL
    and the model are configured."""
    if not settings.extract_llm_base_url or not settings.extract_llm_model:
        return None
    return LLMSettings(base_url=settings.extract_llm_base_url, model=settings.extract_llm_model,
                       api_key=settings.extract_llm_api_key or None, timeout_seconds=settings.extract_llm_timeout,
                       max_retries=settings.extract_llm_retries)


def recall_engine(settings: Settings, db: Database, models: EmbeddingModels) -> RecallEngine:
    return RecallEngine(queries=QueryEmbeddings(models, threads=settings.query_embedding_threads),
                        cache=ProfileCache(),
                        weights=FusionWeights(lexical=settings.recall_lexical_weight,
                                              diversity=settings.recall_diversity))


def job_registry() -> JobRegistry:
    """Every background job kind and its handler."""
    registry = JobRegistry()
    registry.register(embeddings.KIND, embeddings.handle, merge=embeddings.merge, batch=embeddings.CLAIM_BATCH)
    registry.register(bulk.KIND, bulk.run)
    registry.register(imports.KIND, imports.run)
    registry.register(conversation_extraction.KIND, conversation_extraction.handle)
    registry.register(erasure.KIND, erasure.reclaim)
    return registry
