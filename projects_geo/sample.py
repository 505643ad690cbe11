"""Loading the sample projects (sample_shapefiles/projects/*.shp) that `make run` shows.

Each row is matched by its LAO and ``source_ref`` (``sample:<ref>``): a row already loaded is left
as it is, so re-running adds nothing. Stages are recorded through ``stages.record_stage`` so the
sample obeys the same order rules as user input.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from layers.models import Organization

from .models import Project, Stage
from .services import save_project
from .stages import record_stage

SAMPLE_DIR = Path(settings.BASE_DIR) / "sample_shapefiles" / "projects"
AMOUNT_FIELDS = {Stage.BUDGET_APPROVED: "s3_amt", Stage.CONTRACT_SIGNED: "s4_amt", Stage.DISBURSED: "s5_amt"}


class SampleError(Exception):
    pass


def _date(value):
    """A DBF date field read by pyogrio (date, Timestamp, string or empty) as a date."""
    import pandas as pd

    if value is None or value == "" or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _amount(value):
    if value is None or value != value:  # NaN from an empty DBF number
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


@transaction.atomic
def load_sample_projects(directory: Path = SAMPLE_DIR) -> dict:
    import pyogrio

    counts = {"read": 0, "created": 0, "unchanged": 0}
    files = sorted(Path(directory).glob("*.shp"))
    if not files:
        raise SampleError(f"{directory}: no sample shapefiles.")
    orgs = {o.dla_code: o for o in Organization.objects.filter(dla_code__in=_lao_codes(files))}
    for path in files:
        gdf = pyogrio.read_dataframe(str(path))
        for row in gdf.itertuples(index=False):
            counts["read"] += 1
            org = orgs.get(str(row.lao_code))
            if org is None:
                raise SampleError(
                    f"{path.name} ref {row.ref}: LAO {row.lao_code} is not in the registry; load it first."
                )
            ref = f"sample:{row.ref}"
            if Project.all_objects.filter(organization=org, source_ref=ref).exists():
                counts["unchanged"] += 1
                continue
            project = Project(
                organization=org,
                kind=row.kind,
                subtype=row.subtype,
                name=row.name,
                fiscal_year=int(row.fy),
                plan_reference=row.plan_ref or "",
                budget=_amount(row.budget),
                source_ref=ref,
                geom=GEOSGeometry(memoryview(row.geometry.wkb), srid=4326),
            )
            save_project(project)
            for stage in Stage:
                day = _date(getattr(row, f"s{stage.value}_date"))
                if day is None:
                    break
                amount = _amount(getattr(row, AMOUNT_FIELDS[stage])) if stage in AMOUNT_FIELDS else None
                record_stage(project, stage, day, amount)
            counts["created"] += 1
    return counts


def _lao_codes(files):
    import pyogrio

    codes = set()
    for path in files:
        codes.update(str(c) for c in pyogrio.read_dataframe(str(path), read_geometry=False)["lao_code"])
    return codes
