"""Purchase requests, sealed quotes and selection (R1, R2, R4, R6–R8)."""

import base64
import datetime
import json
import secrets
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from agencies.models import Affiliation, Agency
from catalogue.models import FeeMode, RegionalAssessmentKind, ServiceItem
from core.beacon import configured_chain
from core.models import CalendarDay
from core.services import calendar_year_confirm
from market.models import (
    PurchaseRequest,
    Quote,
    RegionalAssessment,
    SelectionMethod,
)
from market.services.clock import purchase_requests_advance_due
from market.services.projects import project_classification_decide, project_classification_request
from market.services.quotes import quote_submit, quote_withdraw
from market.services.requests import (
    purchase_request_cancel,
    purchase_request_create,
    purchase_request_publish,
    purchase_request_republish,
    purchase_request_update,
)
from market.services.selection import award_decline, objection_answer, objection_file
from market.verification import verify_request_draw
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import AgencyFactory
from tests.catalogue.factories import ServiceItemFactory
from tests.market.scenario import NOW, Market, close_and_draw
from tests.pages import page_link, queries_for
from tests.refusals import refused

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def market():
    return Market()


def _after_deadline(clock, purchase_request, minutes=1):
    return close_and_draw(clock, purchase_request, after=datetime.timedelta(minutes=minutes))


def test_publishing_invites_the_eligible_agencies_and_commits_to_a_draw(
    market, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        purchase_request = market.published()
    assert purchase_request.status == Status.QUOTING
    assert len(purchase_request.draw_commitment) == 64
    assert purchase_request.draw_secret == ""  # kept sealed until the draw
    assert purchase_request.invitations.count() == 4
    assert len(mail.outbox) == 4
    assert all(purchase_request.draw_commitment in message.body for message in mail.outbox)


def test_r1_only_a_published_catalogue_item_can_be_bought(market):
    draft_item = ServiceItemFactory(status=ServiceItem.Status.DRAFT)
    with refused("invalid_terms") as caught:
        purchase_request_create(
            actor=market.owner, project=market.project, terms=market.terms(service_item=draft_item)
        )
    assert "service_item" in caught.value.extra
    assert not PurchaseRequest.objects.exists()


def test_r4_a_department_never_publishes_or_picks(market, approval_user, regulator_user):
    for user in (approval_user, regulator_user):
        with refused("not_owner"):
            purchase_request_create(actor=user, project=market.project, terms=market.terms())


def test_r4_eligibility_is_computed_excluded_and_tied_agencies_are_left_out(market):
    tied = market.agencies[0]
    Affiliation.objects.create(
        agency=tied,
        kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
        department=market.item.approval_department,
    )
    suspended = market.agencies[1]
    Agency.objects.filter(pk=suspended.pk).update(status=Agency.Status.SUSPENDED)
    purchase_request = market.published(exclusions=((market.agencies[2], "与业主存在关联关系"),))
    assert list(purchase_request.invitations.values_list("agency_id", flat=True)) == [
        market.agencies[3].pk
    ]


def test_an_exclusion_needs_a_reason(market):
    with refused("invalid_terms"):
        market.published(exclusions=((market.agencies[2], " "),))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"budget": Decimal("0")}, "budget"),
        ({"budget": Decimal("-5")}, "budget"),
        ({"quote_deadline": NOW - datetime.timedelta(minutes=1)}, "quote_deadline"),
        ({"wanted_time_limit_days": 31}, "wanted_time_limit_days"),
        ({"selection_method": SelectionMethod.DIRECT}, "selection_method"),  # state-funded
        (
            {"selection_method": SelectionMethod.SCORED, "scoring_criteria": (("quality", 100),)},
            "scoring_criteria",
        ),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_saved(market, changes, field):
    with refused("invalid_terms") as caught:
        purchase_request_create(
            actor=market.owner, project=market.project, terms=market.terms(**changes)
        )
    assert field in caught.value.extra
    assert not PurchaseRequest.objects.exists()


def test_r8_a_covered_kind_in_a_covered_region_is_refused_with_a_link(market):
    market.item.regional_assessment_kind = RegionalAssessmentKind.ENVIRONMENTAL_IMPACT
    market.item.save()
    assessment = RegionalAssessment.objects.create(
        title="彭山区区域环评",
        kinds=[RegionalAssessmentKind.ENVIRONMENTAL_IMPACT],
        valid_from=NOW.date() - datetime.timedelta(days=30),
        valid_to=NOW.date() + datetime.timedelta(days=365),
    )
    assessment.areas.set([market.project.region])
    purchase_request = purchase_request_create(
        actor=market.owner, project=market.project, terms=market.terms()
    )
    with refused("covered_by_regional_assessment") as caught:
        purchase_request_publish(actor=market.owner, purchase_request=purchase_request)
    assert (
        caught.value.extra["regional_assessment_url"] == f"/regional-assessments/{assessment.pk}/"
    )
    assert PurchaseRequest.objects.get(pk=purchase_request.pk).status == Status.DRAFT

    # A project its approval department classifies as major buys the service all the same.
    department = UserFactory(organisation=OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT))
    market.project.approval_department = department.organisation
    market.project.save()
    classification = project_classification_request(
        actor=market.owner, project=market.project, reason="省重点项目"
    )
    project_classification_decide(
        actor=department, classification=classification, confirmed=True, note=""
    )
    assert (
        purchase_request_publish(actor=market.owner, purchase_request=purchase_request).status
        == Status.QUOTING
    )


def test_r2_a_quote_above_the_guidance_ceiling_is_refused():
    market = Market()
    ServiceItem.objects.filter(pk=market.item.pk).update(
        fee_mode=FeeMode.GOVERNMENT_GUIDANCE,
        fee_ceiling=Decimal("80000"),
        reference_price_low=None,
        reference_price_high=None,
    )
    purchase_request = market.published(budget=Decimal("80000"))
    with refused("above_ceiling") as caught:
        market.quote(purchase_request, 0, "80000.01")
    assert "amount" in caught.value.extra
    market.quote(purchase_request, 0, "80000")


def test_r2_a_government_set_price_is_quoted_as_a_discount_on_it():
    market = Market()
    ServiceItem.objects.filter(pk=market.item.pk).update(
        fee_mode=FeeMode.GOVERNMENT_SET,
        fee_amount=Decimal("36000"),
        reference_price_low=None,
        reference_price_high=None,
    )
    purchase_request = market.published(budget=Decimal("36000"))
    with refused("bad_amount"):
        quote_submit(
            actor=market.admins[0],
            purchase_request=purchase_request,
            discount_rate="101",
            committed_time_limit_days=10,
            nonce=secrets.token_hex(16),
        )
    quote_submit(
        actor=market.admins[0],
        purchase_request=purchase_request,
        discount_rate="90",
        committed_time_limit_days=10,
        nonce=secrets.token_hex(16),
    )


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "1e20", "12.345"])
def test_zero_negative_and_absurd_amounts_are_refused(market, amount):
    purchase_request = market.published()
    with refused("bad_amount"):
        market.quote(purchase_request, 0, amount)
    assert not Quote.objects.exists()


def test_r2_quotes_outside_the_reference_range_are_flagged_only_after_opening(market, _clock):
    purchase_request = market.published()
    market.quote(purchase_request, 0, "40000", justification="老客户优惠")  # below the range
    market.quote(purchase_request, 1, "100000")
    market.quote(purchase_request, 2, "120000")
    assert not Quote.objects.filter(outside_reference_range=True).exists()
    _after_deadline(_clock, purchase_request)
    flagged = Quote.objects.filter(outside_reference_range=True)
    assert list(flagged.values_list("agency_id", flat=True)) == [market.agencies[0].pk]


def test_a_quote_is_sealed_and_comes_with_a_receipt(market):
    purchase_request = market.published()
    quote = market.quote(purchase_request, 0, "123456.78")
    assert len(quote.receipt) == 64
    assert quote.opened_amount is None
    assert "123456" not in quote.sealed
    assert quote.receipts.count() == 1


def test_revise_and_withdraw_until_the_deadline(market, _clock):
    purchase_request = market.published()
    first = market.quote(purchase_request, 0, "100000").receipt
    revised = market.quote(purchase_request, 0, "95000")
    assert revised.revision == 2 and revised.receipt != first
    quote_withdraw(actor=market.admins[0], purchase_request=purchase_request)
    assert Quote.objects.get(pk=revised.pk).status == Quote.Status.WITHDRAWN
    assert [r.withdrawn for r in revised.receipts.order_by("pk")] == [False, False, True]


def test_a_double_submission_is_answered_once(market):
    purchase_request = market.published()
    first = market.quote(purchase_request, 0, "100000", idempotency_key="form-token-1")
    again = market.quote(purchase_request, 0, "100000", idempotency_key="form-token-1")
    assert again.receipt == first.receipt and again.revision == 1


def test_nothing_is_accepted_after_the_deadline_even_before_the_scheduler_runs(market, _clock):
    purchase_request = market.published()
    _clock.move_to(purchase_request.quote_deadline)
    with refused("deadline_passed"):
        market.quote(purchase_request, 0, "100000")
    assert not Quote.objects.exists()


def test_a_late_quote_is_refused_without_opening_the_others(market, _clock):
    """The refusal comes before the clock's moves: a late sender does not open and draw under
    the row lock every other late sender waits for, only for the rollback to undo it."""

    def late_refusal_queries(quotes: int) -> int:
        purchase_request = market.published()
        for index in range(quotes):
            market.quote(purchase_request, index, "100000")
        with (
            time_machine.travel(purchase_request.quote_deadline, tick=False),
            CaptureQueriesContext(connection) as queries,
            refused("deadline_passed"),
        ):
            market.quote(purchase_request, quotes, "100000")
        return len(queries)

    assert late_refusal_queries(1) == late_refusal_queries(3)


def test_an_agency_that_is_not_eligible_cannot_quote(market):
    outsider = UserFactory(organisation=AgencyFactory().organisation)
    purchase_request = market.published()
    with refused("not_eligible"):
        quote_submit(
            actor=outsider,
            purchase_request=purchase_request,
            amount="1000",
            committed_time_limit_days=5,
            nonce=secrets.token_hex(16),
        )


def test_at_the_deadline_the_random_draw_runs_and_verifies(market, _clock):
    purchase_request = market.published()
    for index, amount in enumerate(["100000", "90000", "120000"]):
        market.quote(purchase_request, index, amount)
    purchase_request = _after_deadline(_clock, purchase_request)

    assert purchase_request.status == Status.AWARDED
    assert purchase_request.winner in market.agencies[:3]
    # Awarded on Thursday 5 November; three working days later, past the weekend.
    assert purchase_request.publicity_ends_on == datetime.date(2026, 11, 10)
    assert purchase_request.draw_secret and purchase_request.opened_at
    check = verify_request_draw(purchase_request)
    assert check.ok, check.result.problems
    assert check.record.result["winner"] == purchase_request.winner.organisation.credit_code


def test_verify_draw_command_and_page(market, _clock, client, capsys):
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    _after_deadline(_clock, purchase_request)
    call_command("verify_draw", purchase_request.number)
    assert "matches" in capsys.readouterr().out
    page = client.get(f"/verify/draw/{purchase_request.number}/")
    assert page.status_code == 200
    assert page.context["check"].ok


def test_a_tampered_draw_fails_verification(market, _clock):
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    purchase_request = _after_deadline(_clock, purchase_request)
    PurchaseRequest.objects.filter(pk=purchase_request.pk).update(draw_secret="ab" * 32)
    assert not verify_request_draw(PurchaseRequest.objects.get(pk=purchase_request.pk)).ok


def test_fewer_valid_quotes_than_the_method_needs_fails_and_can_be_republished(market, _clock):
    purchase_request = market.published()
    market.quote(purchase_request, 0, "100000")
    market.quote(purchase_request, 1, "90000")
    purchase_request = _after_deadline(_clock, purchase_request)
    assert purchase_request.status == Status.FAILED
    assert "3" in purchase_request.outcome_note

    again = purchase_request_republish(
        actor=market.owner,
        purchase_request=purchase_request,
        quote_deadline=timezone.now() + datetime.timedelta(days=5),
    )
    assert again.status == Status.QUOTING
    assert again.republished_from == purchase_request
    assert (
        again.number != purchase_request.number
        and again.draw_commitment != purchase_request.draw_commitment
    )


def test_optimal_price_selection(market, _clock):
    purchase_request = market.published(selection_method=SelectionMethod.OPTIMAL_PRICE)
    for index, amount in enumerate(["100000", "90000", "95000", "80000"]):
        market.quote(purchase_request, index, amount)
    purchase_request = _after_deadline(_clock, purchase_request)
    assert purchase_request.status == Status.AWARDED
    result = purchase_request.draw_record["result"]
    assert result["dropped_highest"] == "100000.00" and result["dropped_lowest"] == "80000.00"
    assert result["coefficient"] in (95, 96, 97, 98)
    assert verify_request_draw(purchase_request).ok


def test_lowest_price_selection(market, _clock):
    purchase_request = market.published(selection_method=SelectionMethod.LOWEST_PRICE)
    for index, amount in enumerate(["100000", "90000", "95000"]):
        market.quote(purchase_request, index, amount)
    purchase_request = _after_deadline(_clock, purchase_request)
    assert purchase_request.winner == market.agencies[1]


def test_a_winner_that_declines_is_recorded_and_the_next_follows(market, _clock):
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    purchase_request = _after_deadline(_clock, purchase_request)
    first = purchase_request.winner
    admin = market.admins[market.agencies.index(first)]
    purchase_request = award_decline(
        actor=admin, purchase_request=purchase_request, reason="人员不足"
    )
    assert purchase_request.status == Status.AWARDED
    assert purchase_request.winner != first
    assert (
        purchase_request.winner.organisation.credit_code
        == purchase_request.draw_record["result"]["ranking"][1]
    )
    assert purchase_request.declines.get().agency == first


def test_an_objection_holds_the_award_until_a_regulator_answers(market, _clock, regulator_user):
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    purchase_request = _after_deadline(_clock, purchase_request)
    loser_index = next(i for i in range(3) if market.agencies[i] != purchase_request.winner)
    objection = objection_file(
        actor=market.admins[loser_index], purchase_request=purchase_request, text="中选机构资质存疑"
    )
    with refused("not_regulator"):
        objection_answer(actor=market.owner, objection=objection, upheld=True, answer="x")
    first = purchase_request.winner
    objection_answer(
        actor=regulator_user, objection=objection, upheld=True, answer="经核查资质已过期"
    )
    purchase_request.refresh_from_db()
    assert purchase_request.winner != first
    assert purchase_request.declines.get().by_objection


def test_cancelling_publishes_the_reason(market):
    purchase_request = market.published()
    purchase_request = purchase_request_cancel(
        actor=market.owner, purchase_request=purchase_request, reason="项目调整"
    )
    assert (
        purchase_request.status == Status.CANCELLED and purchase_request.outcome_note == "项目调整"
    )


def test_the_scheduler_is_safe_to_run_late_and_twice(market, _clock):
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    _clock.move_to(purchase_request.quote_deadline + datetime.timedelta(hours=5))
    assert purchase_requests_advance_due() == 1
    assert purchase_requests_advance_due() == 0
    purchase_request.refresh_from_db()
    assert purchase_request.status == Status.AWARDED
    assert list(purchase_request.status_events.values_list("to_status", flat=True)) == [
        "draft",
        "published",
        "quoting",
        "closed",
        "selecting",
        "awarded",
    ]


def test_the_notice_shows_the_opened_quotes_and_receipts_after_the_deadline(market, _clock, client):
    purchase_request = market.published()
    receipts = [
        market.quote(purchase_request, index, str(91000 + index)).receipt for index in range(3)
    ]
    before = client.get(f"/notices/{purchase_request.number}/").content.decode()
    assert "91000" not in before and purchase_request.draw_commitment in before

    _clock.move_to(purchase_request.quote_deadline + datetime.timedelta(seconds=1))
    # Before the scheduled task runs, the page says what the clock implies and opens nothing;
    waiting = client.get(f"/notices/{purchase_request.number}/").content.decode()
    assert "报价已截止，等待开启" in waiting and "91000" not in waiting
    assert PurchaseRequest.objects.get(pk=purchase_request.pk).status == Status.QUOTING
    # the task opens the quotes and fixes those that count; the draw waits for its beacon round,
    purchase_requests_advance_due()
    opened = client.get(f"/notices/{purchase_request.number}/").content.decode()
    assert "91000.00" in opened and "91002.00" in opened
    assert all(receipt in opened for receipt in receipts)
    assert f"抽取等待随机信标第 {purchase_request.beacon_round} 轮" in opened
    assert PurchaseRequest.objects.get(pk=purchase_request.pk).draw_secret == ""
    # and once the round is out the next run draws, and the secret is revealed.
    _clock.move_to(
        configured_chain().round_time(purchase_request.beacon_round) + datetime.timedelta(seconds=1)
    )
    purchase_requests_advance_due()
    drawn = client.get(f"/notices/{purchase_request.number}/").content.decode()
    secret = PurchaseRequest.objects.get(pk=purchase_request.pk).draw_secret
    assert secret and secret in drawn
    assert "抽取等待随机信标" not in drawn


def test_the_notice_list_keeps_a_constant_query_count(market, client):
    market.published()
    small = queries_for(client, "/notices/")
    for _ in range(5):
        market.published()
    assert queries_for(client, "/notices/") == small


def test_each_filter_of_the_notice_list_has_its_own_total_while_totals_are_reused(market, client):
    for _ in range(3):
        market.published()  # by random draw
    market.published(selection_method=SelectionMethod.LOWEST_PRICE)

    def total(query: str) -> int:
        return client.get(f"/notices/{query}").context["page"].count

    # Within the minute a total is reused, each filter (and each value) keeps its own.
    assert total("") == 4
    assert total("?method=random_draw") == 3
    assert total("?method=lowest_price") == 1
    assert total("?method=direct") == 0


def _notice_numbers(response) -> list[str]:
    return [notice.number for notice in response.context["page"].object_list]


def test_the_notices_page_through_requests_published_at_one_instant_once_each_both_ways(
    market, client
):
    # The clock stands still: every request has the same publication time, so only the
    # primary key orders them, and the cursor's row comparison must still seek past each once.
    published = {market.published().number for _ in range(25)}
    response = client.get("/notices/")
    pages = [_notice_numbers(response)]
    while following := page_link(response, "next"):
        response = client.get(f"/notices/{following}")
        pages.append(_notice_numbers(response))
    assert [len(page) for page in pages] == [20, 5]
    forward = [number for page in pages for number in page]
    assert set(forward) == published and len(forward) == 25
    assert forward == sorted(forward, reverse=True)  # newest first: numbers follow creation
    preceding = page_link(response, "prev")
    assert _notice_numbers(client.get(f"/notices/{preceding}")) == forward[:20]


@pytest.mark.parametrize(
    "cursor",
    [
        ["2026-01-01 00:00:00+00:00", "not-a-key"],
        ["not-a-time", 1],
        ["2026-01-01 00:00:00+00:00", 1.5e400],
        ["2026-01-01 00:00:00+00:00", 10**30],
    ],
)
def test_a_notices_cursor_edited_into_no_value_of_its_field_gives_the_first_page(
    market, client, cursor
):
    for _ in range(3):
        market.published()
    first = _notice_numbers(client.get("/notices/"))
    edited = base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")
    response = client.get(f"/notices/?after={edited}")
    assert response.status_code == 200
    assert _notice_numbers(response) == first


def test_the_notices_filter_form_is_drawn_once_for_all_visitors_and_each_time_when_filtered(
    market, client
):
    purchase_request = market.published()
    item = purchase_request.service_item

    def choices_read(queries) -> bool:
        return any(
            'FROM "catalogue_serviceitem"' in query["sql"].split(" WHERE ")[0]
            and "market_purchaserequest" not in query["sql"]
            for query in queries.captured_queries
        )

    with CaptureQueriesContext(connection) as first:
        client.get("/notices/")
    # Unfiltered, the form is the same for everyone: its choices are not read again.
    with CaptureQueriesContext(connection) as again:
        page = client.get("/notices/")
    assert choices_read(first) and not choices_read(again)
    assert f'<option value="{item.pk}">' in page.content.decode()
    # Filtered, the form shows the visitor's choice.
    filtered = client.get(f"/notices/?item={item.pk}").content.decode()
    assert f'<option value="{item.pk}" selected>' in filtered
    # And in the visitor's language.
    english = client.get("/en/notices/").content.decode()
    assert "All services" in english and "All services" not in page.content.decode()


def test_drafts_are_not_public(market, client):
    purchase_request = purchase_request_create(
        actor=market.owner, project=market.project, terms=market.terms()
    )
    assert client.get(f"/notices/{purchase_request.number}/").status_code == 404
    assert purchase_request.number not in client.get("/notices/").content.decode()


def test_a_draft_can_be_changed_but_a_published_request_cannot(market):
    draft = purchase_request_create(
        actor=market.owner, project=market.project, terms=market.terms()
    )
    changed = purchase_request_update(
        actor=market.owner, purchase_request=draft, terms=market.terms(budget=Decimal("150000"))
    )
    assert changed.budget == Decimal("150000")

    published = purchase_request_publish(actor=market.owner, purchase_request=changed)
    with refused("not_a_draft"):
        purchase_request_update(
            actor=market.owner, purchase_request=published, terms=market.terms(budget=Decimal("1"))
        )
    assert PurchaseRequest.objects.get(pk=published.pk).budget == Decimal("150000")


def test_r10_a_quote_cannot_promise_more_days_than_the_owner_wants_or_the_agency_commits(market):
    # Given an owner who wants the work within 3 working days,
    purchase_request = market.published(wanted_time_limit_days=3)
    # a 7-day quote is refused, and a 3-day one accepted;
    with refused("time_limit_above_wanted"):
        market.quote(purchase_request, 0, "90000", days=7)
    assert market.quote(purchase_request, 0, "90000", days=3).committed_time_limit_days == 3
    # an agency that publishes a 5-day commitment for the item cannot quote 6 days.
    other = market.published()
    market.agencies[1].scope.filter(service_item=market.item).update(committed_time_limit_days=5)
    with refused("time_limit_above_commitment"):
        market.quote(other, 1, "90000", days=6)
    assert market.quote(other, 1, "90000", days=5).committed_time_limit_days == 5


def test_mail_links_use_the_configured_site_address(
    market, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://zjcs.pengshan.example"
    with django_capture_on_commit_callbacks(execute=True):
        purchase_request = market.published()
    link = f"https://zjcs.pengshan.example/notices/{purchase_request.number}/"
    assert mail.outbox and all(link in message.body for message in mail.outbox)
    assert all("127.0.0.1" not in message.body for message in mail.outbox)


def test_r2_a_budget_above_the_government_set_ceiling_is_refused():
    market = Market()
    ServiceItem.objects.filter(pk=market.item.pk).update(
        fee_mode=FeeMode.GOVERNMENT_GUIDANCE,
        fee_ceiling=Decimal("7500"),
        reference_price_low=None,
        reference_price_high=None,
    )
    market.item.refresh_from_db()
    with refused("invalid_terms") as caught:
        market.draft(budget=Decimal("50000"))
    assert "budget" in caught.value.extra
    assert market.draft(budget=Decimal("7500")).budget == Decimal("7500")


def test_r2_a_department_paid_item_is_not_bought_by_an_owner():
    market = Market(paid_by_department=True)
    with refused("invalid_terms") as caught:
        market.draft()
    assert "service_item" in caught.value.extra
    assert not PurchaseRequest.objects.exists()


def test_r2_fee_splitting_below_the_threshold_blocks_publication(market, settings):
    settings.FEE_SPLITTING_THRESHOLD = 30000
    first = market.published(budget=Decimal("29900"))
    assert first.status == Status.QUOTING
    # a second request for the same item within the window, also below the threshold but
    # together above it, is the purchase split: it stays a draft, and the owner is told why.
    second = market.draft(budget=Decimal("29900"))
    with refused("fee_splitting") as caught:
        purchase_request_publish(actor=market.owner, purchase_request=second)
    assert first.number in caught.value.message
    assert PurchaseRequest.objects.get(pk=second.pk).status == Status.DRAFT
    # One purchase at its full size is fine.
    assert market.published(budget=Decimal("90000")).status == Status.QUOTING


def test_r2_a_quote_outside_the_reference_range_needs_a_justification_and_cannot_win_a_draw(
    market, _clock
):
    # The reference range is 50,000–150,000 (tests/market/scenario.py).
    purchase_request = market.published()
    with refused("justification_required"):
        market.quote(purchase_request, 0, "190000")
    market.quote(purchase_request, 0, "190000", justification="含外业测量加测费用")
    for index in (1, 2, 3):
        market.quote(purchase_request, index, str(90000 + index))
    purchase_request = _after_deadline(_clock, purchase_request)
    outside = purchase_request.quotes.get(agency=market.agencies[0])
    assert outside.outside_reference_range and not outside.valid
    assert outside.opened_justification == "含外业测量加测费用"
    assert purchase_request.winner != market.agencies[0]


def test_r2_the_regulator_sees_fee_splitting_and_quotes_outside_the_range(market, client):
    market.draft(budget=Decimal("20000"))
    market.draft(budget=Decimal("20000"))
    regulator = UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))
    client.force_login(regulator)
    page = client.get("/accounts/workspace/")
    rows = page.context["fee_splitting"]
    assert [(row["service_item__code"], row["count"]) for row in rows] == [(market.item.code, 2)]
    assert market.item.code in page.content.decode()


def test_confirming_next_years_calendar_recomputes_a_provisional_publicity_period(
    market, time_machine, regulator_user, django_capture_on_commit_callbacks
):
    # An award on Wednesday 30 December 2026 is public for three working days: into 2027,
    # whose official schedule is not entered yet, so the end is provisional (4 January).
    time_machine.move_to(datetime.datetime(2026, 12, 29, 1, 0, tzinfo=datetime.UTC), tick=False)
    purchase_request = market.published(
        quote_deadline=datetime.datetime(2026, 12, 30, 1, 0, tzinfo=datetime.UTC)
    )
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    time_machine.move_to(datetime.datetime(2026, 12, 30, 2, 0, tzinfo=datetime.UTC), tick=False)
    purchase_requests_advance_due()
    purchase_request.refresh_from_db()
    assert purchase_request.publicity_ends_on == datetime.date(2027, 1, 5)
    # The regulator enters the schedule (here a sample: 4 January off) and confirms the year;
    CalendarDay.objects.create(date=datetime.date(2027, 1, 4), is_workday=False, note="示例")
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_confirm(actor=regulator_user, year=2027, source="示例通知")
    # the period is computed again on the entered calendar.
    purchase_request.refresh_from_db()
    assert purchase_request.publicity_ends_on == datetime.date(2027, 1, 6)
