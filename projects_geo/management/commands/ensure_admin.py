"""Create the development admin account if it does not exist (make run)."""
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create a superuser (GISPLAN_ADMIN_USER / GISPLAN_ADMIN_PASSWORD, default admin / gisplan-admin) unless it exists."

    def handle(self, *args, **opts):
        username = os.environ.get("GISPLAN_ADMIN_USER", "admin")
        password = os.environ.get("GISPLAN_ADMIN_PASSWORD", "gisplan-admin")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"admin user {username!r} exists (password unchanged)")
            return
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(f"created admin user {username!r} with password {password!r} — sign in at /admin/")
