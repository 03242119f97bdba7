"""Documents: uploaded files, their parsed chunks, embeddings and full-text index."""
