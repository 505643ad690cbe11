"""Template context about accounts: is single sign-on on, may this user approve accounts."""

from django.conf import settings

from . import access


def accounts(request):
    user = getattr(request, "user", None)
    return {
        "oidc_enabled": getattr(settings, "OIDC_ENABLED", False),
        "is_account_admin": bool(user and user.is_authenticated and access.is_account_admin(user)),
        # the menu shows only what the role may do
        "can_import": bool(user and user.is_authenticated and access.can_import_projects(user)),
        "can_restore_any": bool(user and user.is_authenticated and access.can_restore_any(user)),
        # the follow-up pages (who is behind, closures): provincial offices and DLA
        "can_follow_up": bool(user and user.is_authenticated and access.follow_up_province(user) is not False),
    }
