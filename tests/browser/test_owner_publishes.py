"""A project owner drafts a purchase request with scored evaluation — the scoring factors are
rows of a formset, one added with the page's button — changes the draft, and publishes it:
the public notice then shows the terms and the factors."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.steps import sign_in

PROJECT = "彭山区城区污水处理厂提标改造工程"
ITEM = "岩土工程勘察"


def deadline_in(days: int) -> str:
    """A quote deadline as the datetime-local box takes it, Beijing time, well past the
    minimum quoting period."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return f"{day.isoformat()}T10:00"


def test_owner_drafts_changes_and_publishes_a_scored_request(page, checks):
    sign_in(page, "owner")
    page.goto("/my/requests/")
    checks.page(page)

    # Given a new request for the project, chosen by scored evaluation
    page.get_by_role("link", name="新建采购需求").click()
    expect(page.get_by_role("heading", name="新建采购需求", level=1)).to_be_visible()
    project = page.get_by_label("项目")
    project.select_option(label=project.locator("option", has_text=PROJECT).inner_text())
    page.get_by_label("服务事项").select_option(label=f"PS-ZJ-009 {ITEM}")
    page.get_by_label("预算或最高限价").fill("260000")
    criteria = page.get_by_role("group", name="评审因素")
    expect(criteria).to_be_hidden()  # only for scored evaluation
    page.get_by_role("radio", name="综合评审").check()
    expect(criteria).to_be_visible()
    page.get_by_label("报价截止时间").fill(deadline_in(10))
    page.get_by_label("服务内容要求").fill("完成污水处理厂扩建区详细勘察，提交岩土工程勘察报告。")

    # The factors: price is there already, to be weighted; three more rows, then one added
    names, weights = criteria.get_by_role("textbox"), criteria.get_by_role("spinbutton")
    expect(names).to_have_count(4)
    expect(names.first).to_have_value("价格")
    for row, (name, weight) in enumerate(
        [("价格", "40"), ("技术方案", "25"), ("项目人员", "15"), ("服务承诺", "10")]
    ):
        names.nth(row).fill(name)
        weights.nth(row).fill(weight)
    criteria.get_by_role("button", name="添加评审因素").click()
    expect(names).to_have_count(5)
    names.nth(4).fill("类似业绩")
    weights.nth(4).fill("20")
    checks.page(page)

    # When the draft is saved, the weights add up to 110: the page says so
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert")).to_contain_text("100")
    checks.page(page)
    criteria = page.get_by_role("group", name="评审因素")
    expect(criteria.get_by_role("textbox").nth(4)).to_have_value("类似业绩")
    criteria.get_by_role("spinbutton").nth(4).fill("10")
    page.get_by_role("button", name="保存草稿").click()

    # Then the draft is saved with its number
    expect(page.get_by_role("heading", level=1)).to_contain_text(ITEM)
    number = re.search(r"ZJCG-\d{4}-\d{4}", page.get_by_role("heading", level=1).inner_text())[0]
    expect(page.get_by_text("草稿", exact=True).first).to_be_visible()
    checks.page(page)

    # When the owner changes the draft: a shorter time limit wanted
    page.get_by_role("link", name="修改草稿").click()
    expect(page.get_by_role("radio", name="综合评审")).to_be_checked()
    criteria = page.get_by_role("group", name="评审因素")
    expect(criteria.get_by_role("textbox").nth(1)).to_have_value("技术方案")
    page.get_by_label("要求的服务时限").fill("15")
    checks.page(page)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)

    # And publishes it
    page.get_by_role("link", name="发布", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("发布")
    checks.page(page)
    page.get_by_role("button", name="确认发布").click()

    # Then it is open for quotes and its public notice shows the terms
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.get_by_text(re.compile("^(已发布|报价中)$")).first).to_be_visible()
    checks.page(page)
    page.get_by_role("link", name="公开公告").click()
    expect(page).to_have_url(re.compile(rf"/notices/{number}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ITEM)
    expect(page.get_by_text("综合评审").first).to_be_visible()
    expect(page.get_by_text(re.compile("价格 40%.*技术方案 25%")).first).to_be_visible()
    expect(page.get_by_text("15 个工作日").first).to_be_visible()
    checks.page(page)

    page.goto("/notices/")
    expect(page.get_by_role("link", name=re.compile(number))).to_be_visible()
    checks.page(page)
    checks.assert_clean()
