"""Template context about accounts: is single sign-on on, may this user approve accounts."""

from django.conf import settings

from . import access


def accounts(request):
    user = getattr(request, "user", None)
    return {
        "oidc_enabled": getattr(settings, "OIDC_ENABLED", False),
        "is_account_admin": bool(user and user.is_authenticated and access.is_account_admin(user)),
    }
