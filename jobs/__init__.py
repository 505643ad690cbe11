"""Background jobs on Celery: large exports and import commits with a progress page and API, and
the nightly maintenance on Celery beat (docs/operations.md "Background jobs")."""
