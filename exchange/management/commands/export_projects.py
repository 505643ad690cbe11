"""manage.py export_projects --format shp|geojson|gpkg|csv|kml [filters] -o FILE [--encoding cp874]

Exports every project (an operator's command: no user, so no access limit) or the filtered
selection, with a progress bar. Filters are the API's query parameters.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from analysis.filters import FILTER_PARAMS, filter_projects
from exchange.exports import FORMATS, ExportError, export_to_file
from exchange.exports.query import summary
from projects_geo.models import Project

FILTERS = FILTER_PARAMS  # every filter of the API, as --fiscal-year, --province, …


class Command(BaseCommand):
    help = "Export projects to Shapefile (ZIP), GeoJSON, GeoPackage, CSV or KML."

    def add_arguments(self, parser):
        parser.add_argument("--format", "-f", required=True, choices=sorted(FORMATS))
        parser.add_argument("-o", "--output", required=True, help="file to write")
        parser.add_argument("--encoding", default="utf-8", help="shapefile text encoding: utf-8 (default) or cp874")
        for name in FILTERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, help=f"filter: {name} (as in the API)")

    def handle(self, *args, **opts):
        params = {k: opts[k] for k in FILTERS if opts.get(k) not in (None, "")}
        try:
            qs = filter_projects(params, Project.objects.all())
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        total = sum(summary(qs).values())
        bar = tqdm(total=total, unit=" projects", desc=f"export {opts['format']}", disable=opts["verbosity"] == 0)
        try:
            export_to_file(qs, opts["format"], opts["output"], encoding=opts["encoding"], progress=bar.update)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        if opts["verbosity"]:
            self.stdout.write(f"{total} projects written to {opts['output']}")
