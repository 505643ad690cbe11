"""Running gisplan in production: health and readiness checks (``views``), the request id, JSON
logs and the 503 for a busy database (``middleware``, ``logs``), slow-query logging and the
connection-pool gauges for Prometheus (``dbmetrics``), and the backup/restore commands.
Imports only ``common``; the other apps know nothing of it."""
