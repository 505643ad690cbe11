"""Pages and JSON endpoints of the projects app (entry pages for LAO staff, the map data)."""
from .entry import project_create, project_edit  # noqa: F401
from .home import home, lao_home  # noqa: F401
from .mapdata import projects_geojson  # noqa: F401
