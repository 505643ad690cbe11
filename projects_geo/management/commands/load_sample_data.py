"""Everything `make run` loads: boundaries, the LAO registry and the sample projects.

1. the full-resolution Phuket/Phang Nga sample boundaries (sample_shapefiles/boundaries);
2. the rest of the country from the simplified GeoPackage (data/boundaries), inserting only the
   units not loaded yet, so the full-resolution sample is kept and a re-run changes nothing;
3. the DLA LAO registry (data/lao); 4. the sample projects (sample_shapefiles/projects).
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

BASE = Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = (
        "Load the sample boundaries, the whole-country boundaries, the LAO registry and the sample projects "
        "(idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-country",
            action="store_true",
            help="skip the whole-country boundaries (and so the registry rows outside the sample)",
        )

    def handle(self, *args, **opts):
        verbosity = opts["verbosity"]
        call_command(
            "load_boundaries", str(BASE / "sample_shapefiles" / "boundaries"), verbosity=verbosity, stdout=self.stdout
        )
        if not opts["no_country"]:
            call_command(
                "load_boundaries",
                str(BASE / "data" / "boundaries" / "thailand_adm_simplified.gpkg"),
                only_missing=True,
                verbosity=verbosity,
                stdout=self.stdout,
            )
        call_command("load_lao_registry", verbosity=verbosity, stdout=self.stdout)
        call_command("load_sample_projects", verbosity=verbosity, stdout=self.stdout)
