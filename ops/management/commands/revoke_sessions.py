"""Sign a user out everywhere: delete every session of the given accounts from the database and
from the session cache (Redis) together, so no server keeps serving a revoked session."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Sign the given users out of every session (database and cache)."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args, usernames, **options):
        users = get_user_model().objects.filter(username__in=usernames)
        missing = set(usernames) - {u.get_username() for u in users}
        if missing:
            raise CommandError(f"No such user: {', '.join(sorted(missing))}")
        ids = {str(u.pk) for u in users}
        store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
        revoked = 0
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if session.get_decoded().get("_auth_user_id") in ids:
                store_class(session.session_key).delete()
                revoked += 1
        self.stdout.write(f"revoked {revoked} session(s) of {', '.join(sorted(usernames))}")
