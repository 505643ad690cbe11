"""``manage.py send_deadline_reminders``: e-mail the staff of every LAO that is late on one of
today's calendar items (Celery beat runs it weekly: ``jobs.tasks.send_deadline_reminders``)."""

from django.core.management.base import BaseCommand

from monitoring.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = "E-mail the staff of each LAO that is behind the fiscal-year calendar."

    def handle(self, *args, **options):
        self.stdout.write(f"deadline reminders: {send_deadline_reminders()} e-mails sent")
