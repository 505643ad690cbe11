"""Sign-in throttling: failed sign-ins counted per account and per address (django-axes).

Every password check goes through ``django.contrib.auth.authenticate`` with its request: the
sign-in page (and the admin's), and HTTP Basic on the tiles, the OGC API, the exports and the
REST API (``common.httpauth``). ``SignInThrottleBackend``, first in ``AUTHENTICATION_BACKENDS``,
refuses the check while the account or the address is locked — even with the right password —
and axes records every failure (``AccessAttempt``; ``AccessFailureLog`` keeps each one with
whether it locked; both in the Django admin).

- **account**: ``AXES_FAILURE_LIMIT`` failures (``GISPLAN_LOGIN_FAILURE_LIMIT``, 5) for one username,
  from any address, lock that username;
- **address**: ``GISPLAN_LOGIN_ADDRESS_FAILURE_LIMIT`` (20) failures from one address, whatever the
  usernames, lock that address;

both within ``AXES_COOLOFF_TIME`` (``GISPLAN_LOGIN_COOLOFF_MINUTES``, 15): a lock ends that long
after the last counted failure. Attempts refused while locked are logged (a warning) but not
recorded, so a flood neither extends the lock nor grows the attempt's row. A successful sign-in
clears the failures of its account (only: one good account must not clear the address's failures
on other accounts). The answer to a locked attempt is ``accounts.views.locked_out`` (429, Retry-After).
"""

from __future__ import annotations

import ipaddress
import logging

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum

logger = logging.getLogger("gisplan.accounts")


class SignInThrottleBackend(AxesStandaloneBackend):
    """Refuses a password check made for a request while its account or address is locked.

    A check without a request (``manage.py shell``, a management command, the test client's
    ``login()``) is no sign-in from the web: nothing to throttle, so this backend stands aside and
    the next one checks the password. Every web path passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class SignInThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per account and a higher one per address."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The account's recent failures, or the account's limit once the address reached its own.

        axes compares this number with ``AXES_FAILURE_LIMIT`` (the account's limit) to decide a lock.
        """
        username = get_client_username(request, credentials)
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        sums = {"address": Sum("failures_since_start", filter=Q(ip_address=request.axes_ip_address))}
        if username:
            sums["account"] = Sum("failures_since_start", filter=Q(username=username))
        counts = recent.aggregate(**sums)
        account = counts.get("account") or 0
        if (counts["address"] or 0) >= settings.GISPLAN_LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(account, settings.AXES_FAILURE_LIMIT)
        return account

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and getattr(request, "axes_locked_out", False):
            logger.warning(
                "sign-in refused, locked: account %r, address %s, path %s, failures %s",
                get_client_username(request, credentials),
                request.axes_ip_address,
                request.axes_path_info,
                getattr(request, "axes_failures_since_start", None),
            )


# The longest user name an account can have (Django's username field); axes stores what is typed
# in a column of 255 characters.
USERNAME_MAX = 150


def client_username(request, credentials: dict | None = None) -> str | None:
    """The user name failures are counted against (``AXES_USERNAME_CALLABLE``): what was typed, as
    axes reads it by default, cut to ``USERNAME_MAX`` characters — no account has a longer name,
    and a 10 kB name must still be counted, not break the failure log's column."""
    if credentials:
        typed = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        typed = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return typed[:USERNAME_MAX] if isinstance(typed, str) else typed


def client_address(request) -> str | None:
    """The address failures are counted against (``AXES_CLIENT_IP_CALLABLE``).

    ``REMOTE_ADDR``; behind ``GISPLAN_PROXY_COUNT`` reverse proxies that each append the address
    they were reached from to ``X-Forwarded-For``, the entry the outermost proxy appended (entries
    to its left are the client's to write). Anything that is not an IP address is not used.
    """
    address = request.META.get("REMOTE_ADDR")
    hops = settings.GISPLAN_PROXY_COUNT
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= hops and _ip(forwarded[-hops]):
            address = forwarded[-hops]
    return _ip(address)


def _ip(text) -> str | None:
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return None
    if getattr(parsed, "scope_id", None):  # fe80::1%eth0: not storable in an inet column
        return None
    return parsed.compressed
