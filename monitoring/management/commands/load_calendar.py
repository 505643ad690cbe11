"""``manage.py load_calendar``: create or put back DLA's default national calendar items (re-runnable;
provincial items and other national items stay)."""

from django.core.management.base import BaseCommand

from monitoring import defaults
from monitoring.models import CalendarItem


class Command(BaseCommand):
    help = "Create or put back DLA's default fiscal-year calendar (national items)."

    def handle(self, *args, **options):
        created, updated = defaults.load(CalendarItem)
        self.stdout.write(f"calendar: {created} items created, {updated} put back to the default")
