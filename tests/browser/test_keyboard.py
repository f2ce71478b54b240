"""Without a mouse, and for older eyes: the first Tab offers to skip to the content, the
search box and its suggestions work from the keyboard, and larger text stays on from page to
page until it is turned off."""

import re

from playwright.sync_api import expect


def test_the_first_tab_skips_to_the_content(page, checks):
    page.goto("/catalogue/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳转到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when focused, though hidden until then
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/catalogue/#content$"))
    # The next Tab goes on from the content, not from the header again.
    page.keyboard.press("Tab")
    focused_in_main = page.evaluate("document.activeElement.closest('#content') !== null")
    assert focused_in_main
    checks.page(page)
    checks.assert_clean()


def test_larger_text_stays_on_across_pages_until_turned_off(page, checks):
    page.goto("/")
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("button", name="大字号").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\blarger-text\b"))
    larger = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert larger >= size * 1.2
    checks.page(page)

    page.goto("/agencies/")
    expect(page.locator("html")).to_have_class(re.compile(r"\blarger-text\b"))
    expect(page.get_by_role("button", name="大字号")).to_have_attribute("aria-pressed", "true")
    checks.page(page)
    page.get_by_role("button", name="大字号").click()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\blarger-text\b"))
    expect(page).to_have_url(re.compile(r"/agencies/$"))
    checks.assert_clean()
