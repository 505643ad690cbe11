"""A pytest plugin for the ``ogctests`` conformance runner (run in its own virtualenv, see
tests/analysis/test_ogc_clients.py): its HTTP client with HTTP Basic credentials from the
environment (ogctests has no option for them). Loaded with ``-p ogctests_basic_auth`` and
``CLIENT_OVERRIDDEN=True``."""

import os

import httpx
import pytest


@pytest.fixture(scope="session")
def http_client(instance_url):
    auth = httpx.BasicAuth(os.environ["OGCTESTS_USER"], os.environ["OGCTESTS_PASSWORD"])
    with httpx.Client(base_url=instance_url, auth=auth, timeout=60) as client:
        yield client
