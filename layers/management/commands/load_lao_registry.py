"""Load the DLA registry of local administrative organisations (dlads_05_01 CSV)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from layers.loaders import LoadError, load_lao_registry

DEFAULT_PATH = Path(settings.BASE_DIR) / "data" / "lao" / "dla_lao_registry.csv"


class Command(BaseCommand):
    help = "Load (upsert by DLA code) the LAO registry; reports rows whose amphoe or province could not be resolved."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH), help=f"registry CSV (default {DEFAULT_PATH})")
        parser.add_argument("--encoding", default="utf-8-sig")

    def handle(self, *args, **opts):
        try:
            with tqdm(desc="LAO registry", unit=" rows", disable=opts["verbosity"] < 1, file=self.stderr._out) as bar:
                report = load_lao_registry(Path(opts["path"]), encoding=opts["encoding"], progress=bar)
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(report))
