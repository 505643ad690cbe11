"""Self-registration to a pending account, and its approval by the right administrator only."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts import access
from accounts.models import Profile, ProfileStatus, Role
from projects_geo.models import Project
from tests.factories import (
    PASSWORD,
    PATONG,
    PHANG_NGA,
    PHUKET,
    PHUKET_CITY,
    UNKNOWN_LAO,
    make_dla_admin,
    make_engineer,
    make_user,
)

pytestmark = pytest.mark.django_db


def register(client, username, role=Role.LAO_ENGINEER, lao=PATONG, province="", **extra):
    data = {
        "username": username,
        "email": f"{username}@example.go.th",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "password1": "Ngai-Mak-2568!",
        "password2": "Ngai-Mak-2568!",
        "role": role,
        "lao": lao,
        "province": province,
        **extra,
    }
    return client.post(reverse("accounts:register"), data)


def test_registration_creates_an_inactive_pending_account_that_cannot_sign_in(client):
    response = register(client, "somchai", lao=f"{PATONG} — เทศบาลเมืองป่าตอง")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:register_done")
    user = get_user_model().objects.get(username="somchai")
    assert not user.is_active
    assert user.profile.status == ProfileStatus.PENDING
    assert user.profile.organization.dla_code == PATONG and user.profile.role == Role.LAO_ENGINEER
    assert not client.login(username="somchai", password="Ngai-Mak-2568!")
    assert Project.objects.visible_to(user).count() == 0


def test_registration_refuses_an_unknown_or_ambiguous_lao_in_the_active_language(client):
    response = register(client, "x1", lao=UNKNOWN_LAO)
    assert response.status_code == 200
    assert UNKNOWN_LAO in response.content.decode() and not get_user_model().objects.filter(username="x1").exists()
    client.cookies["django_language"] = "en"
    response = register(client, "x2", lao="", HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose the LAO you work for." in response.content.decode()
    response = register(client, "x3", role=Role.PROVINCIAL_ANALYST, lao="", province="")
    assert "Choose the province of your office." in response.content.decode()
    assert not get_user_model().objects.filter(username__in=["x2", "x3"]).exists()


def test_lao_search_finds_by_code_and_name(client):
    data = client.get(reverse("accounts:lao_search"), {"q": "48302"}).json()["results"]
    assert PATONG in {r["dla_code"] for r in data}
    data = client.get(reverse("accounts:lao_search"), {"q": "ป่าตอง"}).json()["results"]
    assert PATONG in {r["dla_code"] for r in data}


def test_lao_admin_approves_own_lao_only_and_the_account_then_signs_in(client):
    register(client, "newbie")
    register(client, "elsewhere", lao=PHUKET_CITY)
    newbie = Profile.objects.get(user__username="newbie")
    elsewhere = Profile.objects.get(user__username="elsewhere")
    admin = make_user("patong-admin", Role.LAO_ADMIN, lao=PATONG)
    engineer = make_engineer(PATONG, "patong-eng")

    client.force_login(engineer)
    assert client.get(reverse("accounts:approvals")).status_code == 403
    assert client.post(reverse("accounts:approve", args=[newbie.pk])).status_code == 404

    client.force_login(admin)
    page = client.get(reverse("accounts:approvals")).content.decode()
    assert "newbie" in page and "elsewhere" not in page
    assert client.post(reverse("accounts:approve", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("accounts:approve", args=[newbie.pk])).status_code == 302
    newbie.refresh_from_db()
    elsewhere.refresh_from_db()
    assert newbie.status == ProfileStatus.ACTIVE and newbie.decided_by == admin and newbie.user.is_active
    assert elsewhere.status == ProfileStatus.PENDING and not elsewhere.user.is_active

    client.logout()
    assert client.login(username="newbie", password="Ngai-Mak-2568!")
    assert set(Project.objects.visible_to(newbie.user).values_list("source_ref", flat=True)) == {"sample:3"}


def test_provincial_and_dla_admins_approve_and_reject(client):
    register(client, "ana", role=Role.PROVINCIAL_ANALYST, lao="", province=PHUKET)
    register(client, "lao-staff", lao=PHUKET_CITY)
    ana = Profile.objects.get(user__username="ana")
    staff = Profile.objects.get(user__username="lao-staff")
    phangnga_admin = make_user("pn-admin", Role.PROVINCIAL_ADMIN, province=PHANG_NGA)
    phuket_admin = make_user("pk-admin", Role.PROVINCIAL_ADMIN, province=PHUKET)
    patong_admin = make_user("patong-admin", Role.LAO_ADMIN, lao=PATONG)
    assert not access.can_approve_account(phangnga_admin, ana)
    assert not access.can_approve_account(patong_admin, ana)  # provincial accounts: not an LAO's business
    assert access.can_approve_account(phuket_admin, ana) and access.can_approve_account(phuket_admin, staff)

    client.force_login(phuket_admin)
    client.post(reverse("accounts:reject", args=[ana.pk]))
    ana.refresh_from_db()
    assert ana.status == ProfileStatus.REJECTED and not ana.user.is_active
    # decided once: a second decision is refused with a message, nothing changes
    client.post(reverse("accounts:approve", args=[ana.pk]), follow=True)
    ana.refresh_from_db()
    assert ana.status == ProfileStatus.REJECTED

    client.force_login(make_dla_admin())
    client.post(reverse("accounts:approve", args=[staff.pk]))
    staff.refresh_from_db()
    assert staff.status == ProfileStatus.ACTIVE


def test_pending_profile_grants_nothing_even_if_active_flag_set():
    user = make_user("sneaky", Role.LAO_ADMIN, lao=PATONG)
    Profile.objects.filter(user=user).update(status=ProfileStatus.PENDING)
    user = get_user_model().objects.get(pk=user.pk)
    assert Project.objects.visible_to(user).count() == 0
    assert not access.is_account_admin(user)
    assert PASSWORD


def with_email(user, address):
    user.email = address
    user.save()
    return user


def test_approvers_are_emailed_and_the_person_gets_the_decision(client, settings, django_capture_on_commit_callbacks):
    """Issue 24: the account-approval e-mails (captured with the locmem backend)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lao_admin = with_email(make_user("patong-admin", Role.LAO_ADMIN, lao=PATONG), "admin@patong.example")
    with_email(make_user("phuket-office", Role.PROVINCIAL_ADMIN, province=PHUKET), "office@phuket.example")
    with_email(make_user("phangnga-office", Role.PROVINCIAL_ADMIN, province=PHANG_NGA), "office@phangnga.example")
    with_email(make_user("city-admin", Role.LAO_ADMIN, lao=PHUKET_CITY), "admin@city.example")
    with_email(make_dla_admin(), "dla@dla.example")
    with django_capture_on_commit_callbacks(execute=True):
        register(client, "newbie")
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["admin@patong.example", "dla@dla.example", "office@phuket.example"]
    assert "newbie" in mail.outbox[0].body
    profile = Profile.objects.get(user__username="newbie")
    client.force_login(lao_admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("accounts:approve", args=[profile.pk])).status_code == 302
    assert mail.outbox[-1].to == ["newbie@example.go.th"] and "newbie" in mail.outbox[-1].body
