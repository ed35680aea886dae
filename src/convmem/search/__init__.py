"""Retrieval: lexical indexes (one module per database backend), the packaged embedding model,
and the per-profile vector cache Recall scores against."""
