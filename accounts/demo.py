"""Demo accounts for a sample LAO, so `make run` shows the LAO staff's pages right away.

``ensure_demo_users`` creates (once; never changes an existing account) an engineering-staff
account and an LAO-administrator account of Patong town municipality (4830201, Phuket), whose
sample road project is on the map. Idempotent; skipped when the LAO is not loaded.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from layers.models import Organization

from .models import Profile, Role

DEMO_LAO = "4830201"  # เทศบาลเมืองป่าตอง
DEMO_USERS = (("patong-engineer", Role.LAO_ENGINEER), ("patong-admin", Role.LAO_ADMIN))


@transaction.atomic
def ensure_demo_users(password: str, lao_code: str = DEMO_LAO) -> list[tuple[str, bool]]:
    """[(username, created)] for the demo accounts; [] when the LAO is not in the registry."""
    organization = Organization.objects.filter(dla_code=lao_code).first()
    if organization is None:
        return []
    User = get_user_model()
    done = []
    for username, role in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        Profile.objects.get_or_create(user=user, defaults={"role": role, "organization": organization})
        done.append((username, created))
    return done
