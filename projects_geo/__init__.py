"""Water and road projects of LAOs: models, budget stages, validation, entry, API, exports, reports."""
