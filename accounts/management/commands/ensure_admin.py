"""Create the development admin account and the demo LAO accounts if they do not exist (make run)."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_LAO, ensure_demo_users


class Command(BaseCommand):
    help = (
        "Create a superuser (GISPLAN_ADMIN_USER / GISPLAN_ADMIN_PASSWORD, default admin / gisplan-admin) unless it "
        "exists, and the demo accounts of Patong (patong-engineer, patong-admin; GISPLAN_DEMO_PASSWORD, default "
        "gisplan-demo) unless GISPLAN_DEMO_USERS=false."
    )

    def handle(self, *args, **opts):
        username = os.environ.get("GISPLAN_ADMIN_USER", "admin")
        password = os.environ.get("GISPLAN_ADMIN_PASSWORD", "gisplan-admin")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"admin user {username!r} exists (password unchanged)")
        else:
            User.objects.create_superuser(username=username, email="", password=password)
            self.stdout.write(f"created admin user {username!r} with password {password!r} — sign in at /admin/")
        if os.environ.get("GISPLAN_DEMO_USERS", "true").lower() in ("0", "false", "no", "off"):
            return
        demo_password = os.environ.get("GISPLAN_DEMO_PASSWORD", "gisplan-demo")
        for name, created in ensure_demo_users(demo_password):
            if created:
                self.stdout.write(
                    f"created demo user {name!r} of LAO {DEMO_LAO} with password {demo_password!r} — sign in at /"
                )
            else:
                self.stdout.write(f"demo user {name!r} exists (password unchanged)")
