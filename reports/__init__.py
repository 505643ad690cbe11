"""Reports for analysts: budget stages by area, DLA completeness table, province score, map layers.

Every report starts from the access rules (``accounts.access.visible_projects`` /
``visible_organizations``) and computes its numbers in one SQL statement built around the
queryset those rules return (``base.queryset_sql``). Modules:

- ``budget``: number of projects, budgets and amounts, stage shares by area and kind;
- ``completeness``: LAOs that recorded each stage in each of the last four fiscal years;
- ``score``: the 50-point province score against the deadline calendar;
- ``layers``: the same numbers per province/amphoe/tambon as GeoJSON with a legend;
- ``maps``: folium maps rendered with the vendored Leaflet (no CDN);
- ``exports``: CSV and Excel files of any report table;
- ``views`` / ``urls``: the pages under ``/reports/``.
"""
