"""A durable background job queue (transactional outbox): jobs are rows written in the same
transaction as the data they are about, claimed by a worker thread, and handled by kind."""
