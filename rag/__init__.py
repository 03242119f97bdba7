"""Document ingestion and retrieval — arrives with the documents issue."""
