"""Fold the delta rows of the low-zoom tiles' cluster cells together (run it nightly, or after a
large import), or recompute them from the projects with ``--rebuild``."""

from django.core.management.base import BaseCommand

from projects_geo import clustercells


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute every cell from the projects")

    def handle(self, *args, rebuild=False, verbosity=1, **options):
        if rebuild:
            n = clustercells.rebuild()
            msg = f"Cluster cells rebuilt: {n} rows."
        else:
            before, after = clustercells.compact()
            msg = f"Cluster cells compacted: {before} rows → {after}."
        if verbosity:
            self.stdout.write(msg)
