"""``manage.py generate_projects --count N [--seed S] [--replace]``: a synthetic national dataset
over every LAO of the registry (see ``projects_geo.synthetic``)."""

from django.core.management.base import BaseCommand, CommandError

from projects_geo.synthetic import GeneratorError, generate


class Command(BaseCommand):
    help = "Generate N synthetic water/road projects over all LAOs of the registry (for scale tests)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="number of projects to generate")
        parser.add_argument("--seed", type=int, default=1, help="positive integer; the same seed gives the same data")
        parser.add_argument("--batch-size", type=int, default=25000, help="projects per INSERT batch")
        parser.add_argument("--replace", action="store_true", help="delete this seed's projects first")

    def handle(self, *args, count, seed, batch_size, replace, verbosity=1, **options):
        from tqdm import tqdm

        bar = tqdm(total=count, unit="project", disable=verbosity < 1, file=self.stderr._out)
        try:
            result = generate(count, seed=seed, batch_size=batch_size, replace=replace, progress=bar.update)
        except GeneratorError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        if verbosity:
            self.stdout.write(
                f"Generated {result['created']} projects (of {result['requested']} requested) over "
                f"{result['organizations']} LAOs (seed {seed})"
                + (f"; removed {result['removed']} earlier ones" if result["removed"] else "")
            )
