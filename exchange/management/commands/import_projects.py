"""manage.py import_projects FILE --lao CODE [--kind ...] [--subtype ...] [--fiscal-year ...]
[--budget ...] [--mapping JSON|target=column,...] [--crs EPSG:...] [--encoding cp874]
[--zone 47 --datum indian1975] [--dry-run] [--report out.csv]

Reads the file, maps its columns (guessed from the headers unless --mapping says otherwise),
validates every row and, unless --dry-run or a row has an error, writes all rows in one
transaction. Re-running with the same file creates no duplicates.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from common.thai_format import parse_amount
from exchange import imports
from layers.models import Organization


def parse_mapping(text):
    if not text:
        return {}
    text = text.strip()
    if text.startswith("{"):
        return json.loads(text)
    out = {}
    for part in text.split(","):
        if "=" not in part:
            raise CommandError(f"--mapping: expected target=column, got {part!r}")
        target, column = part.split("=", 1)
        out[target.strip()] = column.strip()
    return out


class Command(BaseCommand):
    help = "Import water/road projects of one LAO from GPX, KML, GeoJSON, zipped shapefile, CSV or Excel."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--lao", required=True, help="DLA code of the LAO the projects belong to")
        parser.add_argument("--kind", choices=["water", "road"], help="kind for rows without one")
        parser.add_argument("--subtype", help="subtype for rows without one")
        parser.add_argument("--fiscal-year", type=int, help="B.E. fiscal year for rows without one")
        parser.add_argument("--budget", help="budget for rows without one")
        parser.add_argument("--mapping", help='column mapping: JSON {"name": "ชื่อโครงการ"} or name=ชื่อโครงการ,budget=งบ')
        parser.add_argument("--crs", help="CRS of a file that does not declare one (e.g. EPSG:32647)")
        parser.add_argument("--encoding", help="text encoding when the file does not say (e.g. cp874)")
        parser.add_argument("--zone", type=int, choices=[47, 48], help="UTM zone for UTM columns without a zone")
        parser.add_argument("--datum", choices=["wgs84", "indian1975"], help="datum for UTM columns without one")
        parser.add_argument("--dry-run", action="store_true", help="validate and report only; write nothing")
        parser.add_argument("--report", help="write the row-by-row report (CSV) here")

    def handle(self, *args, **o):
        try:
            org = Organization.objects.get(dla_code=o["lao"])
        except Organization.DoesNotExist:
            raise CommandError(f"No LAO with DLA code {o['lao']} in the registry.") from None
        try:
            table = imports.read_source(o["file"], crs=o["crs"], encoding=o["encoding"])
        except imports.ImportFileError as exc:
            raise CommandError(f"{exc.message_th}\n{exc.message_en}") from None
        mapping = imports.guess_mapping(table.columns, has_geometry=table.has_geometry)
        mapping.update(parse_mapping(o["mapping"]))
        defaults = {k: o[k] for k in ("kind", "subtype", "fiscal_year", "zone", "datum") if o.get(k)}
        if o.get("budget"):
            try:
                defaults["budget"] = parse_amount(o["budget"])
            except ValueError:
                raise CommandError(f"--budget {o['budget']!r} is not an amount (e.g. 250,000).") from None
        self.stdout.write(f"{len(table)} rows ({table.format}); mapping: {json.dumps(mapping, ensure_ascii=False)}")
        rows = imports.prepare(table, mapping, org, defaults)
        s = imports.summary(rows)
        self.stdout.write(
            "ok {ok}, warnings {warning}, errors {error}; would create {create}, update {update}, "
            "unchanged {unchanged}".format(**s)
        )
        if o["report"]:
            with open(o["report"], "wb") as fh:
                fh.write(imports.report_csv(rows))
        for r in [r for r in rows if r.status == "error"][:20]:
            for f in r.findings:
                if f["severity"] == "error":
                    self.stdout.write(f"  row {r.number}: {f['message_en']} / {f['message_th']}")
        if s["error"]:
            raise CommandError(f"{s['error']} rows have errors; nothing was written.")
        if o["dry_run"]:
            self.stdout.write("dry run: nothing written")
            return
        try:
            counts = imports.commit_rows(rows, org)
        except imports.CommitConflict as exc:  # changed by someone else since the rows were checked
            raise CommandError(f"{exc.message_th}\n{exc.message_en}") from None
        self.stdout.write("created {created}, updated {updated}, unchanged {unchanged}".format(**counts))
