"""Celery app, beat schedules and background jobs."""
