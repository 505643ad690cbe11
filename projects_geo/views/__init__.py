"""Pages and endpoints of projects_geo, one module per group: ``home`` (home, LAO page, chooser),
``entry`` (new / edit project, stages), ``audit`` (history, delete, restore, deleted list),
``mapdata`` (the LAO map's GeoJSON) and ``validate`` (live validation while drawing or typing)."""
