"""Three agencies quote, each in its own browser, on a request the owner has published; the
public notice shows it from the start; once the deadline has passed and the draw is made,
anyone can re-check the draw on its verification page.

The clock is moved with time-machine in this process, which is also the live server's: the
server sees the deadline pass. The scheduled task's moves (open the quotes, make the draw)
are made here through the same service the task calls."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from catalogue.models import ServiceItem
from core.beacon import configured_chain
from market.models import Project, PurchaseRequest
from market.services.clock import purchase_request_advance
from market.services.requests import (
    RequestTerms,
    earliest_quote_deadline,
    purchase_request_create,
    purchase_request_publish,
)
from tests.browser.steps import sign_in

ITEM = "环境影响评价文件编制"
# Demo agencies that may quote for PS-ZJ-001, and what each quotes.
QUOTES = {"agency01": "98000", "agency02": "103500", "agency03": "110000"}


@pytest.fixture
def published(orm) -> PurchaseRequest:
    """A random-draw request for PS-ZJ-001, published by the demo owner, open for quotes."""
    owner = User.objects.get(username="owner")
    now = timezone.now()
    terms = RequestTerms(
        service_item=ServiceItem.objects.get(code="PS-ZJ-001"),
        budget=Decimal("120000"),
        selection_method="random_draw",
        quote_opens_at=None,
        quote_deadline=earliest_quote_deadline(published_at=now) + datetime.timedelta(hours=2),
        wanted_time_limit_days=None,
        requirements_note="编制环境影响报告表。",
    )
    project = Project.objects.get(name="彭山区岷江大道（二期）道路工程")
    draft = purchase_request_create(actor=owner, project=project, terms=terms)
    return purchase_request_publish(actor=owner, purchase_request=draft)


def quote_as(chromium, site, username: str, number: str, amount: str, checks) -> None:
    """One agency, in a browser of its own: opens the invitation and quotes."""
    context = chromium.new_context(base_url=site, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        sign_in(page, username, next_path="/my/quotes/")
        expect(page.get_by_role("heading", name="报价邀请与报价", level=1)).to_be_visible()
        checks.page(page)
        invitation = page.get_by_role("row").filter(has_text=number)
        invitation.get_by_role("button", name=number).click()  # unread: opening marks it read
        expect(page.get_by_role("heading", level=1)).to_contain_text(number)
        checks.page(page)

        page.get_by_label("报价金额").fill(amount)
        page.get_by_label("承诺时限").fill("25")
        expect(page.get_by_label("报价随机数")).to_have_value(re.compile(r"^[0-9a-f]{32}$"))
        page.get_by_role("button", name="提交报价").click()

        # The quote is taken, sealed, with a receipt the agency keeps
        expect(page.get_by_text("回执").first).to_be_visible()
        expect(page.locator("main")).to_contain_text(amount)
        checks.page(page)
    finally:
        context.close()


def _as_a_number(amount: str) -> re.Pattern:
    """`amount` standing as a number of its own, not as digits inside another: the notice
    also shows the beacon's round (9800032 held 98000 on one run) and hexadecimal hashes."""
    return re.compile(rf"(?<![0-9a-f]){amount}(?:\.[0-9]+)?(?![0-9a-f])")


def test_three_agencies_quote_and_the_draw_verifies(page, checks, chromium, site, published):
    number = published.number

    # Given the public notice, there from publication, with the draw's commitment
    page.goto(f"/notices/{number}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ITEM)
    expect(page.get_by_text(published.draw_commitment).first).to_be_visible()
    checks.page(page)

    # When three agencies quote, each signed in in its own browser
    for username, amount in QUOTES.items():
        quote_as(chromium, site, username, number, amount, checks)

    # Then the notice shows three receipts, and no amount before the deadline
    page.reload()
    receipts = page.get_by_role("row").filter(has_text=re.compile(r"\b[0-9a-f]{64}\b"))
    expect(receipts).to_have_count(3)
    for amount in QUOTES.values():
        expect(page.locator("main")).not_to_contain_text(_as_a_number(amount))
    checks.page(page)

    # When the deadline passes: the quotes are opened, then the beacon round is out and the
    # draw is made
    after_deadline = published.quote_deadline + datetime.timedelta(minutes=1)
    with time_machine.travel(after_deadline, tick=True) as clock:
        opened = purchase_request_advance(purchase_request=published)
        assert opened.status == PurchaseRequest.Status.SELECTING
        round_out = configured_chain().round_time(opened.beacon_round)
        clock.move_to(round_out + datetime.timedelta(seconds=1))
        drawn = purchase_request_advance(purchase_request=opened)
        assert drawn.status == PurchaseRequest.Status.AWARDED

        # Then the notice shows every opened quote and the agency drawn
        page.goto("/notices/")
        page.get_by_role("link", name=re.compile(number)).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(number)
        main = page.locator("main")
        for amount in QUOTES.values():
            expect(main).to_contain_text(amount)
        expect(main).to_contain_text(drawn.winner.organisation.name)
        checks.page(page)

        # And the draw's verification page re-checks it and finds it consistent
        page.goto(f"/verify/draw/{number}/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_text("抽取结果一致")).to_be_visible()
        expect(page.locator("main")).to_contain_text(drawn.winner.organisation.name)
        checks.page(page)
    checks.assert_clean()
