from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from . import dbmetrics


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = _("Operations: health, metrics, logs")

    def ready(self):
        connection_created.connect(dbmetrics.watch_connection, dispatch_uid="ops.slow_queries")
        dbmetrics.register_pool_collector()
