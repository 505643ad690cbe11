"""``manage.py generate_plans [--seed S]``: synthetic development plans, strategies and project
links for the synthetic national dataset (after ``generate_projects`` and ``load_frameworks``)."""

from django.core.management.base import BaseCommand

from planning.synthetic import generate


class Command(BaseCommand):
    help = "Synthetic development plans and project links for the benchmarks (re-runnable)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        counts = generate(options["seed"])
        self.stdout.write(f"synthetic plans: {counts['plans']:,}; projects linked: {counts['links']:,}")
