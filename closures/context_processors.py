"""The closure banner of every page: closures in force or announced for the signed-in user."""

from django.utils import timezone
from django.utils.translation import get_language

from .services import ANNOUNCED, IN_FORCE, announced_for, text_of


def closures(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"closures_announced": []}
    now, language = timezone.now(), get_language() or "th"
    return {
        "closures_announced": [
            {"closure": c, "text": text_of(IN_FORCE if c.starts_at <= now else ANNOUNCED, c, language)}
            for c in announced_for(user, now)
        ]
    }
