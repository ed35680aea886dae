"""A small durable job queue for background work (bulk upserts, CSV imports, ...).

Jobs are rows of the ``jobs`` table, written in the same transaction as the request that
creates them, so a 202 is a promise. Workers (one thread per server process, see
``worker.JobWorker``) claim them with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL
(SQLite serialises writers anyway) and hold a lease they renew while working; a job whose
lease ran out (its worker died) is claimed again, so unfinished work resumes after a restart.
Handlers are registered per job kind (by ``convmem.runtime``) and must be idempotent or keep
their own watermark."""

from convmem.jobs.queue import JobContext, JobRegistry, enqueue

__all__ = ["JobContext", "JobRegistry", "enqueue"]
