"""The analysts' read side: the one filter set (``filters``), totals (``summary``), the REST API
(``rest`` helpers, ``views/api``), vector tiles (``tiles``, ``views/tiles``), the OGC API –
Features (``views/ogc``) and the analysis map page (``views/map``). No models of its own."""
