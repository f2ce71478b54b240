import re

from playwright.sync_api import expect


def test_language_switch_both_ways(page, checks):
    page.goto("/en/notices/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    checks.page(page)
    page.get_by_role("button", name="简体中文").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/notices/$"))
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
    checks.page(page)
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/en/notices/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    checks.assert_clean()
