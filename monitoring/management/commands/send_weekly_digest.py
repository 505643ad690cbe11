"""``manage.py send_weekly_digest``: e-mail each subscribed analyst what the LAOs of their province
entered or changed in the last seven days (run weekly, e.g. Monday morning)."""

from django.core.management.base import BaseCommand

from monitoring.digest import send_digests


class Command(BaseCommand):
    help = "E-mail the weekly digest of data entry to the analysts who subscribe."

    def handle(self, *args, **options):
        self.stdout.write(f"weekly digest: {send_digests()} e-mails sent")
