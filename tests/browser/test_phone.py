"""The public pages on a phone, 375 px wide: nothing is wider than the screen, and the main
navigation folds into a menu button that opens it."""

import pytest
from playwright.sync_api import expect

PHONE = {"width": 375, "height": 800}

# (what, where it is, the link followed from there to reach it — None: the page itself)
PAGES = [
    ("home", "/", None),
    ("catalogue", "/catalogue/", None),
    ("catalogue item", "/catalogue/", "环境影响评价文件编制"),
    ("roster", "/agencies/", None),
    ("agency", "/agencies/", "四川省川环环境工程咨询有限公司"),
    ("notices", "/notices/", None),
    ("notice", "/notices/", "ZJCG-2026-0001"),
    ("search results", "/search/?q=环评", None),
    ("contracts", "/contracts/", None),
    ("blacklist", "/credit/blacklist/", None),
    ("policies", "/policies/", None),
    ("policy", "/policies/", "眉山市彭山区规范行政审批中介服务专项行动方案"),
    ("news", "/news/", None),
    ("news item", "/news/", "彭山区行政审批中介服务网上超市上线运行"),
    ("notice centre, awards", "/notice-centre/?type=award", None),
    ("notice centre, blacklist", "/notice-centre/?type=blacklist", None),
    ("service guides", "/guides/", None),
]


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def assert_fits(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide on a {widths[1]} px screen"


@pytest.mark.parametrize(("what", "path", "link"), PAGES, ids=[what for what, _, _ in PAGES])
def test_public_page_fits_a_phone(phone, checks, what, path, link):
    phone.goto(path)
    if link:
        phone.get_by_role("main").get_by_role("link", name=link, exact=True).first.click()
        expect(phone.get_by_role("heading", level=1)).to_contain_text(link)
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert_fits(phone)
    checks.page(phone)
    checks.assert_clean()


def test_menu_button_opens_the_navigation_and_the_notice_centre(phone, checks):
    phone.goto("/")
    navigation = phone.get_by_role("navigation", name="主导航")
    expect(navigation).to_be_hidden()

    # The menu button opens the navigation
    phone.get_by_role("banner").get_by_text("菜单", exact=True).click()
    expect(navigation).to_be_visible()
    assert_fits(phone)
    checks.page(phone)

    # And its first section, the notice centre, opens on the phone as well
    navigation.get_by_role("link", name="公告中心").click()
    expect(phone.get_by_role("heading", name="公告中心", level=1)).to_be_visible()
    expect(navigation).to_be_hidden()
    assert_fits(phone)
    checks.page(phone)
    checks.assert_clean()
