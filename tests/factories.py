"""Deterministic test objects built on the sample data (users with roles, projects at real places)."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from accounts.models import Profile, Role
from layers.models import Organization, Province
from projects_geo.models import Kind, Project, Subtype
from projects_geo.services import save_project

PASSWORD = "test-pass-1234"


def make_user(username, role=None, *, lao=None, province=None, superuser=False):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username=username, password=PASSWORD)
    user = User.objects.create_user(username=username, password=PASSWORD)
    if role:
        Profile.objects.create(
            user=user,
            role=role,
            organization=Organization.objects.get(dla_code=lao) if lao else None,
            province=Province.objects.get(code=province) if province else None,
        )
    return user


def make_water_point(lao_code, lon, lat, *, name="บ่อบาดาลทดสอบ", fiscal_year=2568, user=None):
    return save_project(
        Project(
            organization=Organization.objects.get(dla_code=lao_code),
            kind=Kind.WATER,
            subtype=Subtype.WELL,
            name=name,
            fiscal_year=fiscal_year,
            budget=Decimal("100000"),
            geom=Point(lon, lat, srid=4326),
        ),
        user=user,
    )


__all__ = ["make_user", "make_water_point", "PASSWORD", "Role"]
