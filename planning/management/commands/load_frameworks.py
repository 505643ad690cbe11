"""``manage.py load_frameworks [--file F] [--reset]``: the reference frameworks (National Strategy,
NESDP, SDGs). Re-runnable: creates what is missing; ``--reset`` puts the file's names back."""

from django.core.management.base import BaseCommand, CommandError

from planning.frameworks import DEFAULT_FILE, FrameworkFileError, load_frameworks


class Command(BaseCommand):
    help = "Load the reference frameworks (National Strategy, NESDP, SDGs); re-runnable."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_FILE), help="JSON file (default: the shipped one)")
        parser.add_argument("--reset", action="store_true", help="overwrite names and periods changed in the app")

    def handle(self, *args, **options):
        try:
            counts = load_frameworks(options["file"], reset=options["reset"])
        except FrameworkFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))
