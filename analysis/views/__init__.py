"""Pages and endpoints of analysis, one module per group: ``api`` (REST), ``tiles``, ``ogc``,
``map`` (the analysis map page)."""
