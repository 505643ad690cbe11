"""The Celery application of gisplan (background jobs and the beat schedule, ``jobs`` app).

Its settings are Django's ``CELERY_*`` settings (gisplan/settings.py): broker and results on Redis,
a task acknowledged only once it has run (``acks_late``) and put back when its worker dies
(``reject_on_worker_lost``), one task taken at a time per worker process. Start a worker with
``celery -A gisplan worker`` and the scheduler with ``celery -A gisplan beat`` (``make run`` does both).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

app = Celery("gisplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
