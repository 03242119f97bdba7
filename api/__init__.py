"""HTTP channel: FastAPI app factory, routes only (the work happens in domain services)."""
