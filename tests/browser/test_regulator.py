"""A regulator signs in with the second factor, finds an agency waiting for review in the
workspace and approves it; the agency is then on the public roster."""

import re

from playwright.sync_api import expect

from tests.browser.steps import sign_in

# A registration the demo leaves waiting for review (cms/demo_data.py AGENCY_STATES).
WAITING = "四川路安交通工程咨询有限公司"


def test_regulator_approves_an_agency_from_the_workspace(page, checks, orm):
    # Given the regulator, signed in with password and authenticator code
    sign_in(page, "regulator", next_path="/accounts/workspace/")
    # The back office's menu shows the username the person signs in with.
    checks.allow_names("regulator")
    expect(page.get_by_role("heading", name="监管工作台", level=1)).to_be_visible()
    checks.page(page)

    # When they open the agencies waiting for review from "waiting for you"
    page.get_by_role("link", name=re.compile(r"^\d+\s*家中介机构待审核")).click()
    expect(page.get_by_role("heading", name="机构入驻审核", level=1)).to_be_visible()
    checks.page(page)
    page.get_by_role("link", name=WAITING).click()
    expect(page.get_by_role("heading", name=WAITING, level=1)).to_be_visible()
    checks.page(page)

    # And approve it
    page.get_by_role("link", name="审核通过").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(WAITING)
    checks.page(page)
    page.get_by_label("备注").fill("资质与营业执照核对一致。")
    page.get_by_role("button", name="审核通过").click()

    # Then its history shows it active, and the public roster lists it
    expect(page.get_by_role("heading", name=WAITING, level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="待审核 → 在册")).to_be_visible()
    checks.page(page)
    page.goto("/agencies/")
    expect(page.get_by_role("link", name=WAITING)).to_be_visible()
    checks.page(page)
    checks.assert_clean()
