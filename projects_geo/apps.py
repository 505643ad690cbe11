from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsGeoConfig(AppConfig):
    name = "projects_geo"
    verbose_name = _("Water and road projects")
