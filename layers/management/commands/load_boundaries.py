"""Load province / amphoe / tambon boundaries from a shapefile, GeoPackage or GeoJSON."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from layers.loaders import LEVELS, LoadError, load_level, resolve_sources


class Command(BaseCommand):
    help = (
        "Load administrative boundaries (upsert by official code; safe to re-run). SOURCE is a "
        "GeoPackage with province/amphoe/tambon layers, a directory with province/amphoe/tambon "
        "shapefiles, or any single vector file with --level. Field names default to COD-AB "
        "(ADM1_PCODE, ADM1_TH, ADM1_EN, …)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="GeoPackage, shapefile, GeoJSON or a directory of them")
        parser.add_argument("--level", choices=LEVELS, help="load only this level (required for a single-layer file)")
        parser.add_argument("--layer", help="layer name inside the source (GeoPackage)")
        parser.add_argument("--code-field", help="field holding the official code (default ADMn_PCODE)")
        parser.add_argument("--name-th-field", help="field holding the Thai name (default ADMn_TH)")
        parser.add_argument("--name-en-field", help="field holding the English name (default ADMn_EN)")
        parser.add_argument(
            "--parent-field",
            help="field holding the parent unit's code (default ADM(n-1)_PCODE; else the code's prefix)",
        )
        parser.add_argument("--code-prefix", default="TH", help="prefix removed from codes (default TH)")
        parser.add_argument(
            "--encoding", help="text encoding of the attributes, e.g. cp874 (default: from .cpg or UTF-8)"
        )
        parser.add_argument("--source-srs", help="CRS of the source when it has none or a wrong one, e.g. EPSG:32647")
        parser.add_argument(
            "--only-missing", action="store_true", help="insert units not yet loaded; keep existing ones untouched"
        )

    def handle(self, *args, **opts):
        fields = {
            "code": opts["code_field"],
            "name_th": opts["name_th_field"],
            "name_en": opts["name_en_field"],
            "parent": opts["parent_field"],
        }
        try:
            sources = resolve_sources(Path(opts["source"]), opts["level"], opts["layer"])
            for level, path, layer in sources:
                with tqdm(
                    desc=f"{level} ({path.name})", unit=" units", disable=opts["verbosity"] < 1, file=self.stderr._out
                ) as bar:
                    report = load_level(
                        level,
                        path,
                        layer,
                        fields=fields,
                        code_prefix=opts["code_prefix"],
                        encoding=opts["encoding"],
                        source_srs=opts["source_srs"],
                        only_missing=opts["only_missing"],
                        progress=bar,
                    )
                self.stdout.write(str(report))
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
