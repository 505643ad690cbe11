"""Deterministic test objects built on the sample data (users with roles, projects at real places),
and the names of the places the tests use.

The sample (``load_sample_data``): full-resolution boundaries of Phuket (83) and Phang Nga (82),
the rest of the country simplified, the whole DLA registry of LAOs, and ten sample projects."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from accounts.models import Profile, Role
from layers.models import Organization, Province
from projects_geo.models import Kind, Project, Subtype
from projects_geo.services import save_project

PASSWORD = "test-pass-1234"

# LAOs (DLA codes of the registry)
PATONG = "4830201"  # Patong town municipality (ทม.ป่าตอง), Phuket, amphoe Kathu: sample project 3
KATHU = "4830202"  # Kathu town municipality (ทม.กะทู้), Phuket, amphoe Kathu
PHUKET_CITY = "3830102"  # Phuket city municipality (ทน.ภูเก็ต), amphoe Mueang Phuket: sample projects 1, 2
PHUKET_PAO = "2830101"  # Phuket provincial administrative organisation (อบจ.ภูเก็ต): sample project 6
MAI_KHAO_SAO = "6830306"  # Mai Khao SAO (อบต.ไม้ขาว), Phuket, amphoe Thalang (north of the island, by the bridge)
TAKUA_PA = "4820501"  # Takua Pa town municipality (ทม.ตะกั่วป่า), Phang Nga
BANG_MUANG_SAO = "6820505"  # Bang Muang SAO (อบต.บางม่วง), Phang Nga, amphoe Takua Pa
THAI_MUEANG = "5820801"  # Thai Mueang subdistrict municipality (ทต.ท้ายเหมือง), Phang Nga
UNKNOWN_LAO = "9999999"  # no LAO has this code

# Administrative units (DOPA codes)
PHUKET = "83"  # province
PHANG_NGA = "82"  # province
AMPHOE_MUEANG_PHUKET = "8301"
AMPHOE_KATHU = "8302"
AMPHOE_THALANG = "8303"
TAMBON_TALAT_YAI = "830101"  # Mueang Phuket
TAMBON_TALAT_NUEA = "830102"  # Mueang Phuket
TAMBON_KATHU = "830201"
TAMBON_PATONG = "830202"  # ป่าตอง
TAMBON_TAKUA_PA = "820501"  # Phang Nga
TAMBON_BANG_NAI_SI = "820502"  # Phang Nga


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


def make_engineer(lao, username="eng"):
    """An engineer of the LAO (enters and edits its projects)."""
    return make_user(username, Role.LAO_ENGINEER, lao=lao)


def make_analyst(province, username=None):
    """A provincial analyst (reads every LAO of the province), called ``ana<province code>`` unless said."""
    return make_user(username or f"ana{province}", Role.PROVINCIAL_ANALYST, province=province)


def make_dla_admin(username="dla"):
    """A DLA administrator: reads the whole country."""
    return make_user(username, Role.DLA_ADMIN)


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
