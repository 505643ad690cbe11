"""The analysts' REST API (Django REST framework + djangorestframework-gis).

- ``/api/projects/``: projects as a paginated GeoJSON FeatureCollection, filtered by
  ``analysis.filters`` and ordered by ``ordering=``;
- ``/api/projects/{id}/``: one project as a Feature with its budget stages and tambons;
- ``/api/projects/summary/``: count and budget totals of the filtered projects;
- ``/api/boundaries/{level}/``: province / amphoe / tambon simplified for ``zoom``;
- ``/api/schema/`` (OpenAPI 3) and ``/api/docs/`` (Swagger UI, served locally).

Every project endpoint starts from ``accounts.Project.objects.visible_to(request.user)``.
"""
