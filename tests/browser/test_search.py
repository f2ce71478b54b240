"""A member of the public searches from the box in the header: the abbreviation 环评 and the
word 评价 both find the environmental-impact item and the agencies serving it; the facets
narrow the results; suggestions appear while typing."""

import re

import pytest
from playwright.sync_api import expect

ITEM = "环境影响评价文件编制"


def search_from_header(page, text: str) -> None:
    header_search = page.get_by_role("banner").get_by_role("search")
    header_search.get_by_role("combobox").fill(text)
    header_search.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("heading", name="搜索", level=1)).to_be_visible()


def results(page, kind: str):
    """The results of one kind: a region named by the kind and its count."""
    return page.get_by_role("region", name=re.compile(rf"^{kind}\s*\d+$"))


def count_of(group) -> int:
    """The count the group's heading shows beside its name."""
    return int(re.search(r"\d+", group.get_by_role("heading").inner_text())[0])


@pytest.mark.parametrize("text", ["环评", "评价"])
def test_search_finds_the_item_and_agencies_serving_it(page, checks, text):
    # Given the home page, when someone searches from the header's box
    page.goto("/")
    checks.page(page)
    search_from_header(page, text)

    # Then the catalogue item is among the results, and so are agencies
    expect(page.get_by_role("main").get_by_role("combobox")).to_have_value(text)
    items = results(page, "服务事项")
    expect(items.get_by_role("link", name=ITEM)).to_be_visible()
    agencies = results(page, "中介机构")
    assert count_of(agencies) > 0
    checks.page(page)

    # And the first agency found serves the item
    agencies.get_by_role("listitem").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/agencies/\d+/$"))
    expect(page.get_by_role("row").filter(has_text=ITEM)).to_have_count(1)
    checks.page(page)
    checks.assert_clean()


def test_facets_narrow_the_search(page, checks):
    page.goto("/")
    search_from_header(page, "环评")
    everything = count_of(results(page, "中介机构"))

    # When the search is narrowed to the item and credit grade A
    page.get_by_text("筛选搜索结果").click()
    page.get_by_role("combobox", name="服务事项").select_option(label=f"PS-ZJ-001 {ITEM}")
    page.get_by_role("combobox", name="信用等级").select_option("A")
    page.get_by_role("button", name="确定").click()

    # Then only agencies are listed (a grade applies to nothing else), fewer of them, all A
    expect(page).to_have_url(re.compile(r"grade=A"))
    expect(results(page, "服务事项")).to_have_count(0)
    agencies = results(page, "中介机构")
    narrowed = count_of(agencies)
    assert 0 < narrowed < everything
    for details in agencies.get_by_role("listitem").get_by_role("paragraph").all():
        expect(details).to_contain_text(re.compile(r"\bA\b"))
    checks.page(page)
    checks.assert_clean()


def test_suggestions_appear_while_typing(page, checks):
    page.goto("/")
    box = page.get_by_role("banner").get_by_role("combobox")
    box.press_sequentially("环评", delay=100)

    # Suggestions open under the box
    suggestions = page.get_by_role("listbox")
    expect(suggestions.get_by_role("option", name=ITEM)).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    checks.page(page)

    # The arrow keys move through them, Enter opens the one chosen
    box.press("ArrowDown")
    first = suggestions.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(first).to_have_text(ITEM)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/catalogue/PS-ZJ-001/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ITEM)
    checks.page(page)
    checks.assert_clean()
