"""Test settings: the real settings plus django-oauth-toolkit, whose OpenID Connect provider the
SSO test starts on the live server (its URLs are mounted only by tests/oidc_provider.py), and a
fast password hasher (PBKDF2's million iterations cost seconds per test that signs in or registers;
no test depends on the hasher)."""

from gisplan.settings import *  # noqa: F401,F403
from gisplan.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "oauth2_provider"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# pytest-django creates and switches the test database after settings are read; Django's pool,
# created per alias for the first database it is asked about, does not follow that switch, so the
# tests run on plain connections. The pool itself is tested against a real gunicorn
# (tests/ops/test_serve.py), which reads the production settings.
DATABASES["default"]["OPTIONS"].pop("pool", None)  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Test runs keep their cache keys apart from the development server's (same Redis).
CACHES["default"]["KEY_PREFIX"] = "gisplan-test:" + CACHES["default"]["KEY_PREFIX"]  # noqa: F405

# Background jobs run inside the request (no worker) unless a test starts a real worker
# (tests/jobs/test_worker.py turns this off for its own tests).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = env.str("TEST_CELERY_BROKER_URL", default=REDIS_URL.rsplit("/", 1)[0] + "/3")  # noqa: F405
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
# Read replicas: the streaming replica of scripts/replica.sh (port 5433) as replica_1, mirroring the
# test database (the whole cluster is replicated); the router is on only in tests/ops/test_replicas.py,
# which points the alias at the replica and switches the router and the paths on.
if "replica_1" not in DATABASES:  # noqa: F405
    DATABASES["replica_1"] = {  # noqa: F405
        **env.db_url_config(env.str("TEST_REPLICA_URL", default="postgis://gisplan:gisplan@127.0.0.1:5433/gisplan")),  # noqa: F405
        "OPTIONS": {"connect_timeout": 2},
        "TEST": {"MIRROR": "default"},
    }
DATABASES["replica_1"]["OPTIONS"].pop("pool", None)  # noqa: F405
DATABASES["replica_1"]["CONN_MAX_AGE"] = 0  # noqa: F405
DATABASE_ROUTERS = []
