"""What a person sees (issue 21, items 9 and 10): an account awaiting approval is told so and by
whom at sign-in; a role without import sees no Import in the menu and gets the styled bilingual 403 page."""

import pytest
from django.contrib.auth import get_user_model

from accounts import registration
from accounts.models import Role
from layers.models import Organization
from tests.factories import PASSWORD, PATONG, make_user

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_a_pending_account_is_told_who_approves_it(page, sample_site, test_output_dir):
    admin = make_user("somchai21", Role.LAO_ADMIN, lao=PATONG)
    admin.first_name, admin.last_name = "สมชาย", "ใจดี"
    admin.save()
    user = get_user_model().objects.create_user("newbie21", password=PASSWORD)
    registration.register(user, role=Role.LAO_ENGINEER, organization=Organization.objects.get(dla_code=PATONG))
    sign_in(page, sample_site.url, user)
    text = page.inner_text("main")
    page.screenshot(path=str(test_output_dir / "sign_in_pending.png"), full_page=True)
    assert "รอการอนุมัติ" in text and "ทม.ป่าตอง" in text and "สมชาย ใจดี" in text
    assert "ไม่ถูกต้อง" not in text  # not "wrong password"


def test_a_finance_officer_sees_only_what_the_role_may_use_and_a_styled_403(page, sample_site, test_output_dir):
    # The LAO's finance officer records amounts: no import, no new project (an analyst of the
    # province may do both on the LAO's behalf, issue 24).
    sign_in(page, sample_site.url, make_user("finance", Role.LAO_FINANCE, lao=PATONG))
    page.goto(sample_site.url + "/")
    assert page.locator(".site-nav a[href='/projects/import/']").count() == 0
    assert page.locator(".site-nav a[href='/projects/deleted/']").count() == 0
    response = page.goto(f"{sample_site.url}/projects/new/?lao={PATONG}")
    assert response.status == 403
    page.screenshot(path=str(test_output_dir / "error_403_bilingual.png"), full_page=True)
    assert page.is_visible("#error-403 h1") and "ท่านไม่มีสิทธิ์เปิดหน้านี้" in page.inner_text("#error-403")
    assert "You may not open this page" in page.inner_text("#error-403")
    assert page.is_visible(".site-header")  # the site's frame, styled
    assert page.errors == []
