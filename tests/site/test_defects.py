"""The smaller defects of issue 13, each tried the way it was found: rule codes, commands and
file names on public pages, the draw check as a readable table, the agency's quote page after
opening, labels without a control, colons and separators in the Chinese interface, the
roster's sort, links in mail and the regulator's workspace."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from agencies.models import Agency, Qualification
from agencies.services import agency_suspend
from market import draw_proof
from market.models import Objection, PurchaseRequest, Quote
from market.verification import CHECKS
from tests.agencies.factories import AgencyFactory, PractitionerFactory, QualificationFactory
from tests.market.scenario import NOW, Market, close_and_draw

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status

# What a reader of a public page should never meet: a rule code of DOMAIN.md, a developer
# command, a path in the repository.
TECHNICAL = re.compile(r"\bR\d{1,2}\b|manage\.py|docs/|tools/|\.md\b")
# A Chinese character followed by an ASCII colon: in Chinese a label ends with "：".
ASCII_COLON_AFTER_CHINESE = re.compile(r"[\u4e00-\u9fff][:]")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def market():
    return Market()


@pytest.fixture
def drawn(market, clock):
    purchase_request = market.published()
    for index in range(4):
        market.quote(purchase_request, index, str(90000 + index))
    purchase_request = close_and_draw(clock, purchase_request)
    assert purchase_request.status == Status.AWARDED
    return purchase_request


def _page(response) -> lxml_html.HtmlElement:
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.content.decode())


def _main_text(response) -> str:
    document = _page(response)
    main = document.find(".//main")
    return (main if main is not None else document).text_content()


# 1. No rule codes, commands or file names ----------------------------------------------------


def test_public_pages_show_no_rule_codes_commands_or_file_names(drawn, market, client):
    agency = market.agencies[0]
    pages = [
        "/notices/",
        f"/notices/{drawn.number}/",
        f"/verify/draw/{drawn.number}/",
        "/catalogue/",
        f"/catalogue/{market.item.code}/",
        "/agencies/",
        f"/agencies/{agency.pk}/",
        "/contracts/",
        "/verify/contract/",
    ]
    for url in pages:
        text = _main_text(client.get(url))
        assert not TECHNICAL.findall(text), url
        assert not ASCII_COLON_AFTER_CHINESE.findall(text), url


def test_the_agency_quote_page_after_opening_shows_no_file_names(drawn, market, client):
    client.force_login(market.admins[0])
    text = _main_text(client.get(f"/my/quotes/{drawn.number}/"))
    assert not TECHNICAL.findall(text)
    assert not ASCII_COLON_AFTER_CHINESE.findall(text)


# 2. The draw check, readable ----------------------------------------------------------------


def test_the_draw_check_lists_each_agency_with_its_code_and_each_check_as_yes_or_no(
    drawn, market, client
):
    response = client.get(f"/verify/draw/{drawn.number}/")
    page = _page(response)
    html = response.content.decode()
    assert "{'" not in html and "':" not in html  # no Python dict or list printed

    states = [item.get("data-check") for item in page.xpath('//ul[contains(@class, "checks")]/li')]
    assert states == ["yes"] * len(CHECKS)

    rows = page.xpath('//table[contains(@class, "draw-agencies")]/tbody/tr')
    assert len(rows) == 4
    cells = [[cell.text_content().strip() for cell in row.xpath("td")] for row in rows]
    by_code = {row[2]: row for row in cells}
    for agency in market.agencies:
        assert by_code[agency.selection_key][1] == agency.organisation.name
    # The ranking gives the places 1–4, the winner first.
    assert [row[0] for row in cells] == ["1", "2", "3", "4"]
    assert cells[0][2] == drawn.winner.selection_key


def _check_states(page: lxml_html.HtmlElement) -> dict[str, str]:
    """Each check line's key with the state the page shows for it."""
    return dict(
        zip(
            [key for key, *_rest in CHECKS],
            [li.get("data-check") for li in page.xpath('//ul[contains(@class, "checks")]/li')],
            strict=True,
        )
    )


def test_every_problem_the_verifier_can_find_answers_no_on_one_line():
    # A problem code on no line would leave every line saying "yes" under a failed check.
    source = (Path(draw_proof.__file__)).read_text(encoding="utf-8")
    reported = set(re.findall(r'problem\(\s*"(\w+)"', source))
    lines = [codes for _key, _label, _explanation, codes in CHECKS]
    assert reported and reported <= set().union(*lines)
    assert all(not (a & b) for i, a in enumerate(lines) for b in lines[i + 1 :])


def test_a_changed_winner_shows_as_a_no_on_its_line(drawn, market, client):
    other = next(agency for agency in market.agencies if agency != drawn.winner)
    PurchaseRequest.objects.filter(pk=drawn.pk).update(winner=other)
    page = _page(client.get(f"/verify/draw/{drawn.number}/"))
    states = _check_states(page)
    assert states["winner"] == "no"
    assert states["draw"] == "yes" and states["log"] == "yes"


def test_before_opening_the_later_checks_are_not_yet_made(market, client):
    purchase_request = market.published()
    market.quote(purchase_request, 0, "90000")
    page = _page(client.get(f"/verify/draw/{purchase_request.number}/"))
    states = _check_states(page)
    assert states["log"] == states["publication"] == states["receipts"] == "yes"
    assert {states[key] for key in ("opening", "inputs", "beacon", "draw", "winner")} == {"not_yet"}
    assert not page.xpath(
        '//table[contains(@class, "draw-agencies")]'
    )  # nothing opened, nothing listed


def test_the_json_document_is_unchanged(drawn, client):
    document = client.get(f"/verify/draw/{drawn.number}.json").json()
    assert document["format"] == "zjcs-draw-check-v1"
    assert {quote["agency"] for quote in document["quotes"]} == {
        quote.agency.selection_key for quote in drawn.quotes.all()
    }


# 3. The agency's quote page after opening ---------------------------------------------------


def _quote_state(client, number) -> str:
    page = _page(client.get(f"/my/quotes/{number}/"))
    (badge,) = page.xpath("//*[@data-quote-state]")
    return badge.get("data-quote-state")


def test_the_quote_page_says_sealed_until_opening_then_opened(market, clock, client):
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    client.force_login(market.admins[0])
    assert _quote_state(client, purchase_request.number) == "sealed"

    # The deadline has passed; the sweep has not yet opened the quotes.
    clock.move_to(purchase_request.quote_deadline + datetime.timedelta(seconds=1))
    assert _quote_state(client, purchase_request.number) == "awaiting_opening"

    purchase_request = close_and_draw(clock, purchase_request)
    assert purchase_request.opened_at is not None
    assert _quote_state(client, purchase_request.number) == "opened"


def test_the_selected_agency_is_told_so_after_the_award_is_confirmed(drawn, market, client):
    PurchaseRequest.objects.filter(pk=drawn.pk).update(status=Status.CONFIRMED)
    winner_admin = market.admins[market.agencies.index(drawn.winner)]
    client.force_login(winner_admin)
    response = client.get(f"/my/quotes/{drawn.number}/")
    assert response.context["is_winner"]
    # No longer open to a decline once confirmed.
    assert reverse("agency:award_decline", args=[drawn.number]) not in response.content.decode()


def test_a_withdrawn_quote_is_shown_as_withdrawn(market, clock, client):
    purchase_request = market.published()
    market.quote(purchase_request, 0, "90000")
    Quote.objects.filter(purchase_request=purchase_request).update(status=Quote.Status.WITHDRAWN)
    client.force_login(market.admins[0])
    assert _quote_state(client, purchase_request.number) == "withdrawn"


# 4. Every label names a control -------------------------------------------------------------


def _labels_tied(page: lxml_html.HtmlElement) -> list[str]:
    """The labels that name no control: neither `for` an existing id nor wrapping one."""
    ids = {element.get("id") for element in page.iter() if element.get("id")}
    loose = []
    for label in page.xpath("//label"):
        target = label.get("for")
        wraps = label.xpath(".//input | .//select | .//textarea")
        if not wraps and (not target or target not in ids):
            loose.append(label.text_content().strip())
    return loose


def test_practitioner_and_quote_forms_have_no_label_without_a_control(market, clock, client):
    PractitionerFactory(agency=market.agencies[0])
    purchase_request = market.published()
    client.force_login(market.admins[0])
    assert _labels_tied(_page(client.get("/agencies/me/practitioners/"))) == []
    assert _labels_tied(_page(client.get(f"/my/quotes/{purchase_request.number}/"))) == []


# 5 and 6. Separators and colons in the interface --------------------------------------------


def test_lists_on_the_quote_page_are_joined_with_the_languages_separator(market, clock, client):
    agency = market.agencies[0]
    first, second = PractitionerFactory(agency=agency), PractitionerFactory(agency=agency)
    purchase_request = market.published()
    market.quote(purchase_request, 0, "90000", practitioners=[first, second])
    client.force_login(market.admins[0])
    text = _main_text(client.get(f"/en/my/quotes/{purchase_request.number}/"))
    assert f"{first}, {second}" in text or f"{second}, {first}" in text


# 7. The roster's sort -----------------------------------------------------------------------


def test_the_rosters_sort_by_name_is_not_the_word_for_a_persons_name(market, client):
    page = _page(client.get("/agencies/"))
    (option,) = page.xpath('//select[@id="sort"]/option[@value="name"]')
    person = PractitionerFactory(agency=market.agencies[0])
    client.force_login(market.admins[0])
    header = _page(client.get("/agencies/me/practitioners/")).xpath("//table/thead/tr/th")[0]
    assert person.name  # the practitioner table's first column is the person's name
    assert option.text_content().strip() != header.text_content().strip()


# 8. Links in mail ---------------------------------------------------------------------------


def test_mail_links_use_site_url_on_another_port(
    market, settings, regulator_user, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8123"
    agency = market.agencies[0]
    with django_capture_on_commit_callbacks(execute=True):
        purchase_request = market.published()
        agency_suspend(agency=agency, actor=regulator_user, reason="双随机抽查不合格")
    bodies = [message.body for message in mail.outbox]
    assert any(f"http://127.0.0.1:8123/notices/{purchase_request.number}/" in b for b in bodies)
    assert any("http://127.0.0.1:8123/agencies/me/" in body for body in bodies)
    assert not any(":8000" in body for body in bodies)


# 9. The regulator's workspace ---------------------------------------------------------------


def _pending_agency(days: int) -> Agency:
    return AgencyFactory(
        status=Agency.Status.PENDING,
        submitted_at=timezone.now(),
        review_due=timezone.localdate() + datetime.timedelta(days=days),
    )


def _workspace(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/workspace/")
    assert response.status_code == 200
    return response, len(queries)


def test_the_regulators_workspace_links_each_queue_with_its_count_and_nearest_deadline(
    drawn, market, client, regulator_user
):
    _pending_agency(7)
    nearest = _pending_agency(3)
    QualificationFactory(
        agency=market.agencies[0],
        status=Qualification.Status.PENDING,
        verification_due=timezone.localdate() + datetime.timedelta(days=5),
    )
    Objection.objects.create(purchase_request=drawn, filed_by=market.admins[1], text="x")
    client.force_login(regulator_user)
    response, _count = _workspace(client)
    queues = response.context["queues"]
    assert queues["agencies"].count == 2
    assert queues["agencies"].nearest.due == nearest.review_due
    assert queues["certificates"].count == 1
    assert queues["objections"].count == 1
    page = _page(response)
    links = {a.get("href") for a in page.xpath('//ul[contains(@class, "queues")]//a')}
    assert {
        reverse("agency_review:queue"),
        reverse("agency_review:certificates"),
        reverse("market_objections:list"),
        reverse("complaints_admin:list"),
        reverse("market_purchase_requests"),
    } <= links


def test_the_regulators_workspace_keeps_its_query_count_as_the_queues_grow(
    drawn, market, client, regulator_user
):
    _pending_agency(3)
    Objection.objects.create(purchase_request=drawn, filed_by=market.admins[1], text="x")
    client.force_login(regulator_user)
    _response, before = _workspace(client)
    for days in (4, 5, 6):
        _pending_agency(days)
        QualificationFactory(agency=market.agencies[0], status=Qualification.Status.PENDING)
    Objection.objects.create(purchase_request=drawn, filed_by=market.admins[2], text="y")
    _response, after = _workspace(client)
    assert after == before
