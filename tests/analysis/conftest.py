"""Fixtures shared by the analysis tests."""

import pytest
from django.test import Client

from tests.factories import make_dla_admin


@pytest.fixture
def national():
    client = Client()
    client.force_login(make_dla_admin())
    return client
