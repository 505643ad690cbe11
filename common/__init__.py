"""Helpers below every app: bilingual messages (``bilingual``), Thai numbers and B.E. dates
(``thai_format`` and its template tags), database connection helpers (``dbconn``), HTTP Basic for
GIS clients (``httpauth``), GeoJSON feature text built by PostgreSQL (``features``), query
parameters shared by apps (``params``) and the vendored Leaflet plug-ins. Imports no app."""
