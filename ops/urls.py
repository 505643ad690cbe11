"""``/healthz``, ``/readyz`` and ``/metrics`` (Prometheus; restricted to ``METRICS_ALLOWED_IPS``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
]
