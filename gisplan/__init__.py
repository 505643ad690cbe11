"""The project package: settings, root URLs and the Celery application (loaded here so that
``@shared_task`` functions bind to it wherever Django starts)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
