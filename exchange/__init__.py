"""Files in and out: exports (``exports``: GeoJSON, Shapefile, GeoPackage, CSV, KML), imports
(``imports``: readers, safe zip, mapping, rows, checks, commit, report), their pages
(``views/exports``, ``views/imports``) and commands (``export_projects``, ``import_projects``)."""
