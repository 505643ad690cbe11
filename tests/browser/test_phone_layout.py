"""Every page usable on a phone 390 px wide (issue 21, item 4): nothing lays out wider than the
screen (the header wraps; wide tables scroll inside themselves). Screenshots in test-output/."""

import pytest

from tests.factories import PATONG, make_engineer, make_water_point

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PAGES = [
    ("home", "/"),
    ("project", "/projects/{pk}/"),
    ("history", "/projects/{pk}/history/"),
    ("import", "/projects/import/"),
    ("analysis", "/analysis/"),
    ("reports", "/reports/"),
    ("budget", "/reports/budget/?fiscal_year=2568&level=lao"),
    ("completeness", "/reports/completeness/?fiscal_year=2568"),
]


@pytest.fixture
def phone(chromium, sample_site):
    context = chromium.new_context(locale="th-TH", viewport={"width": 390, "height": 844}, device_scale_factor=1)
    context.set_default_timeout(20000)
    tab = context.new_page()
    yield tab
    context.close()


def test_every_page_fits_390_px(phone, sample_site, test_output_dir):
    user = make_engineer(PATONG)
    project = make_water_point(PATONG, 98.2967, 7.8960, fiscal_year=2568)
    sign_in(phone, sample_site.url, user)
    too_wide = {}
    for name, path in PAGES:
        phone.goto(sample_site.url + path.format(pk=project.pk))
        phone.wait_for_load_state("networkidle")
        width = phone.evaluate("document.documentElement.scrollWidth")
        phone.screenshot(path=str(test_output_dir / f"phone_390_{name}.png"), full_page=True)
        if width > 390:
            too_wide[name] = width
    assert not too_wide, too_wide
    # the header's language switch and sign-out are on screen
    phone.goto(sample_site.url + "/")
    for selector in (".lang-switch", ".logout button"):
        box = phone.locator(selector).first.bounding_box()
        assert box and box["x"] + box["width"] <= 390, selector
