"""Load the sample water and road projects from sample_shapefiles/projects/."""

from django.core.management.base import BaseCommand, CommandError

from projects_geo.sample import SAMPLE_DIR, SampleError, load_sample_projects


class Command(BaseCommand):
    help = "Load the sample projects (re-runnable: rows already loaded are left as they are)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(SAMPLE_DIR))

    def handle(self, *args, **opts):
        try:
            counts = load_sample_projects(opts["dir"])
        except SampleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"sample projects: {counts['read']} read, {counts['created']} created, {counts['unchanged']} already loaded"
        )
