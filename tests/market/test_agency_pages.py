"""An agency's quoting pages under /my/quotes/: inbox, sealed quote, withdraw, decline,
objection — and that nobody but the agency's own members ever sees its amount."""

import datetime
import secrets
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from catalogue.models import FeeMode, ServiceItem
from market.models import (
    Invitation,
    Objection,
    PurchaseRequest,
    Quote,
    QuoteMember,
    QuoteReceipt,
)
from market.services import quotes as quotes_service
from market.services.requests import purchase_request_create
from tests.accounts.factories import UserFactory
from tests.agencies.factories import AgencyFactory, PractitionerFactory, pdf_upload
from tests.market.scenario import NOW, Market, close_and_draw

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status
AMOUNT = "123457.89"
SECRET_DIGITS = "123457"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def market():
    return Market()


def _url(purchase_request, action=""):
    return f"/my/quotes/{purchase_request.number}/{action + '/' if action else ''}"


def _form_token(client, purchase_request) -> str:
    return client.get(_url(purchase_request)).context["form"]["idempotency_key"].value()


def _submit(client, purchase_request, *, amount=AMOUNT, days=20, token=None, **extra):
    data = {
        "amount": amount,
        "committed_time_limit_days": days,
        "idempotency_key": token or _form_token(client, purchase_request),
        # What the agency's browser puts in the field (static/js/quote-nonce.js).
        "nonce": secrets.token_hex(16),
        **extra,
    }
    return client.post(_url(purchase_request), {k: v for k, v in data.items() if v is not None})


def _quote_in_view(client, market, purchase_request, index, amount):
    client.force_login(market.admins[index])
    response = _submit(client, purchase_request, amount=amount)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Quote.objects.get(purchase_request=purchase_request, agency=market.agencies[index])


def _awarded(client, market, clock):
    purchase_request = market.published()
    for index in range(3):
        _quote_in_view(client, market, purchase_request, index, str(90000 + index))
    purchase_request = close_and_draw(clock, purchase_request)
    assert purchase_request.status == Status.AWARDED
    return purchase_request


# Inbox ----------------------------------------------------------------------------------------


def test_the_inbox_lists_invitations_newest_first_and_opening_one_marks_it_read(
    market, client, clock
):
    first = market.published()
    clock.shift(datetime.timedelta(minutes=5))
    second = market.published()
    client.force_login(market.admins[0])

    page = client.get("/my/quotes/")
    assert page.status_code == 200
    listed = [invitation.purchase_request for invitation in page.context["page"].object_list]
    assert listed == [second, first]
    assert page.context["unread_count"] == 2
    assert second.number in page.content.decode()

    # Reading a page marks nothing (a GET never writes);
    assert client.get(_url(first)).status_code == 200
    invitation = Invitation.objects.get(purchase_request=first, agency=market.agencies[0])
    assert invitation.read_at is None
    # opening the invitation from the inbox does, and shows the request.
    opened = client.post(_url(first, "open"))
    assert opened.status_code == 302 and opened["Location"] == _url(first)
    invitation.refresh_from_db()
    assert invitation.read_at == NOW + datetime.timedelta(minutes=5)
    assert (
        Invitation.objects.get(purchase_request=second, agency=market.agencies[0]).read_at is None
    )
    # Another agency's invitation to the same request is untouched.
    assert Invitation.objects.get(purchase_request=first, agency=market.agencies[1]).read_at is None
    assert client.get("/my/quotes/").context["unread_count"] == 1


def test_the_inbox_keeps_a_constant_query_count(market, client):
    purchase_request = market.published()
    market.quote(purchase_request, 0, "100000")
    client.force_login(market.admins[0])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/my/quotes/").status_code == 200
        return len(queries)

    small = count()
    for index in range(4):
        other = market.published()
        if index % 2:
            market.quote(other, 0, "100000")
    assert count() == small


def test_only_agencies_have_an_inbox(market, client, regulator_user):
    for user in (market.owner, regulator_user):
        client.force_login(user)
        assert client.get("/my/quotes/").status_code == 404
    client.logout()
    assert client.get("/my/quotes/").status_code == 302  # to sign in


# Submitting -----------------------------------------------------------------------------------


def test_a_quote_submitted_through_the_page_gives_a_receipt_and_the_agency_sees_its_amount(
    market, client
):
    purchase_request = market.published()
    practitioner = PractitionerFactory(agency=market.agencies[0])
    client.force_login(market.admins[0])
    response = _submit(
        client,
        purchase_request,
        practitioners=[practitioner.pk],
        proposal=pdf_upload("proposal.pdf"),
    )
    assert response.status_code == 302 and response.url == _url(purchase_request)

    quote = Quote.objects.get(purchase_request=purchase_request, agency=market.agencies[0])
    assert len(quote.receipt) == 64 and quote.revision == 1
    assert list(quote.practitioners.all()) == [practitioner]
    assert quote.proposal.name.endswith(".pdf")
    page = client.get(_url(purchase_request))
    html = page.content.decode()
    assert quote.receipt in html
    assert page.context["own_amount"].amount == Decimal(AMOUNT)
    assert AMOUNT in html
    assert [r.receipt for r in page.context["receipts"]] == [quote.receipt]


def test_nobody_else_sees_the_amount_before_the_deadline(market, client, regulator_user):
    purchase_request = market.published()
    client.force_login(market.admins[0])
    assert _submit(client, purchase_request).status_code == 302
    quote = Quote.objects.get(purchase_request=purchase_request)
    # The agency's administrators see it (above); nobody else does, not even a member of the
    # agency who does not administer it: the quote page is the administrators' alone.
    member = UserFactory(organisation=market.agencies[0].organisation, is_organisation_admin=False)
    client.force_login(member)
    response = client.get(_url(purchase_request))
    assert response.status_code == 403 and SECRET_DIGITS not in response.content.decode()

    pages = [
        "/my/quotes/",
        _url(purchase_request),
        _url(purchase_request, "withdraw"),
        _url(purchase_request, "decline"),
        _url(purchase_request, "objection"),
        f"/notices/{purchase_request.number}/",
        "/notices/",
    ]
    other_agency = market.admins[1]
    for user in (other_agency, market.owner, regulator_user, None):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        for url in pages:
            response = client.get(url)
            html = response.content.decode()
            assert SECRET_DIGITS not in html, (user, url)
            if user is other_agency and url == _url(purchase_request):
                # Its own page for the request: no quote of its own, nothing of the first's.
                assert response.status_code == 200
                assert response.context["quote"] is None
                assert quote.receipt not in html
            elif url.startswith("/my/quotes/") and user is not other_agency:
                assert response.status_code in (302, 403, 404), (user, url)
    assert Quote.objects.get(pk=quote.pk).opened_amount is None


def test_a_double_submission_with_the_same_token_makes_one_revision(market, client):
    purchase_request = market.published()
    client.force_login(market.admins[0])
    token = _form_token(client, purchase_request)
    assert _submit(client, purchase_request, token=token).status_code == 302
    assert _submit(client, purchase_request, token=token, amount="99999").status_code == 302
    quote = Quote.objects.get(purchase_request=purchase_request)
    assert quote.revision == 1
    assert QuoteReceipt.objects.filter(quote=quote).count() == 1
    assert client.get(_url(purchase_request)).context["own_amount"].amount == Decimal(AMOUNT)


@pytest.mark.parametrize("practitioner", ["9223372036854775808", "abc"])
def test_a_practitioner_no_row_could_be_is_an_invalid_choice(market, client, practitioner):
    # Found by Hypothesis: an id past 64 bits reached SQLite, which refuses to compare it.
    purchase_request = market.published()
    client.force_login(market.admins[0])
    response = _submit(client, purchase_request, practitioners=[practitioner])
    assert response.status_code == 200
    assert response.context["form"].errors["practitioners"] == [
        f"选择一个有效的选项。 {practitioner} 不在可用的选项中。"
    ]
    assert not Quote.objects.exists()


def test_revise_then_withdraw_through_the_pages(market, client):
    purchase_request = market.published()
    client.force_login(market.admins[0])
    assert _submit(client, purchase_request).status_code == 302
    first = Quote.objects.get(purchase_request=purchase_request).receipt
    assert _submit(client, purchase_request, amount="95000").status_code == 302
    quote = Quote.objects.get(purchase_request=purchase_request)
    assert quote.revision == 2 and quote.receipt != first
    assert client.get(_url(purchase_request)).context["own_amount"].amount == Decimal("95000")

    # Withdrawing asks first; only the confirmation withdraws.
    confirm = client.get(_url(purchase_request, "withdraw"))
    assert confirm.status_code == 200
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SUBMITTED
    assert client.post(_url(purchase_request, "withdraw")).status_code == 302
    quote.refresh_from_db()
    assert quote.status == Quote.Status.WITHDRAWN
    assert list(quote.receipts.values_list("withdrawn", flat=True)) == [False, False, True]
    page = client.get(_url(purchase_request))
    assert page.context["own_amount"] is None
    assert page.context["show_form"]  # a new quote may still be submitted


def test_after_the_deadline_the_form_is_refused_and_nothing_is_saved(market, client, clock):
    purchase_request = market.published()
    client.force_login(market.admins[0])
    token = _form_token(client, purchase_request)
    clock.move_to(purchase_request.quote_deadline)

    response = _submit(client, purchase_request, token=token)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not response.context["show_form"]
    assert not Quote.objects.exists()
    page = client.get(_url(purchase_request))
    assert not page.context["show_form"] and not page.context["quoting_open"]
    assert b'enctype="multipart/form-data"' not in page.content


def test_a_quote_counts_when_it_is_recorded_as_the_form_says_not_when_it_was_sent(
    market, client, clock, monkeypatch
):
    purchase_request = market.published()
    client.force_login(market.admins[0])
    page = client.get(_url(purchase_request))
    assert "报价以平台记录的时间为准" in page.content.decode()
    token = page.context["form"]["idempotency_key"].value()
    clock.move_to(purchase_request.quote_deadline - datetime.timedelta(seconds=2))

    # Sent two seconds before the deadline, it waits for the request's row lock (the other
    # agencies' quotes ahead of it) until the deadline has passed.
    take_lock = quotes_service.purchase_request_lock

    def wait_past_the_deadline(locked):
        clock.move_to(purchase_request.quote_deadline)
        return take_lock(locked)

    monkeypatch.setattr(quotes_service, "purchase_request_lock", wait_past_the_deadline)
    response = _submit(client, purchase_request, token=token)

    assert response.status_code == 200
    assert "仅在报价期内接受报价" in str(response.context["form"].non_field_errors())
    assert not Quote.objects.exists()


def test_after_opening_the_page_links_to_the_notice_and_checks_the_receipt(market, client, clock):
    purchase_request = _awarded(client, market, clock)
    client.force_login(market.admins[0])
    page = client.get(_url(purchase_request))
    assert page.context["receipt_check"]["matches"]
    assert f"/notices/{purchase_request.number}/" in page.content.decode()


def test_a_member_who_is_not_an_administrator_can_neither_open_the_quote_page_nor_submit(
    market, client
):
    purchase_request = market.published()
    member = UserFactory(organisation=market.agencies[0].organisation, is_organisation_admin=False)
    client.force_login(member)
    assert client.get(_url(purchase_request)).status_code == 403
    assert _submit(client, purchase_request, token="a" * 32).status_code == 403
    assert client.post(_url(purchase_request, "withdraw")).status_code == 403
    assert client.post(_url(purchase_request, "decline"), {"reason": "x"}).status_code == 403
    assert not Quote.objects.exists()


def test_r2_a_government_set_item_is_quoted_as_a_discount_rate(client):
    market = Market()
    ServiceItem.objects.filter(pk=market.item.pk).update(
        fee_mode=FeeMode.GOVERNMENT_SET,
        fee_amount=Decimal("36000"),
        reference_price_low=None,
        reference_price_high=None,
    )
    purchase_request = market.published(budget=Decimal("36000"))
    client.force_login(market.admins[0])
    page = client.get(_url(purchase_request))
    assert "discount_rate" in page.context["form"].fields
    assert "amount" not in page.context["form"].fields

    refused = _submit(client, purchase_request, amount=None, discount_rate="101")
    assert refused.status_code == 200 and refused.context["form"].errors["discount_rate"]
    assert not Quote.objects.exists()

    token = _form_token(client, purchase_request)
    assert (
        _submit(client, purchase_request, amount=None, discount_rate="90", token=token).status_code
        == 302
    )
    own = client.get(_url(purchase_request)).context["own_amount"]
    assert own.discount_rate == Decimal("90") and own.amount == Decimal("32400")


def test_r7_consortium_members_must_be_eligible(market, client):
    purchase_request = market.published()
    outsider = AgencyFactory()  # on the roster, but not qualified for the item
    client.force_login(market.admins[0])

    refused = _submit(client, purchase_request, member_1=outsider.pk, member_1_share="测绘")
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()
    assert not Quote.objects.exists()

    # Nobody is offered until the agency searches by name (finding 7), and then only
    # eligible agencies.
    partner = market.agencies[1]
    assert refused.context["form"].fields["member_1"].widget.choices == [("", "—")]
    found = client.get(_url(purchase_request), {"member_search": partner.organisation.name})
    offered = found.context["form"].fields["member_1"].widget.choices
    assert partner.pk in [value for value, _label in offered]
    assert outsider.pk not in [value for value, _label in offered]
    assert (
        _submit(client, purchase_request, member_1=partner.pk, member_1_share="测绘").status_code
        == 302
    )
    member = QuoteMember.objects.get()
    assert member.agency == partner and member.share == "测绘"


# After the award ------------------------------------------------------------------------------


def test_the_winner_declines_through_the_page_and_the_next_agency_wins(market, client, clock):
    purchase_request = _awarded(client, market, clock)
    first = purchase_request.winner
    admin = market.admins[market.agencies.index(first)]
    client.force_login(admin)
    page = client.get(_url(purchase_request))
    assert page.context["is_winner"]
    assert client.get(_url(purchase_request, "decline")).status_code == 200
    purchase_request.refresh_from_db()
    assert purchase_request.winner == first  # asking is not declining

    response = client.post(_url(purchase_request, "decline"), {"reason": "人员不足"})
    assert response.status_code == 302
    purchase_request.refresh_from_db()
    assert purchase_request.status == Status.AWARDED and purchase_request.winner not in (
        first,
        None,
    )
    assert (
        purchase_request.winner.organisation.credit_code
        == purchase_request.draw_record["result"]["ranking"][1]
    )
    assert purchase_request.declines.get().reason == "人员不足"


def test_only_the_winner_can_decline(market, client, clock):
    purchase_request = _awarded(client, market, clock)
    loser = next(i for i in range(3) if market.agencies[i] != purchase_request.winner)
    client.force_login(market.admins[loser])
    response = client.post(_url(purchase_request, "decline"), {"reason": "x"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not purchase_request.declines.exists()


def test_an_agency_that_quoted_objects_during_the_publicity_period(market, client, clock):
    purchase_request = _awarded(client, market, clock)
    loser = next(i for i in range(3) if market.agencies[i] != purchase_request.winner)
    client.force_login(market.admins[loser])
    assert client.get(_url(purchase_request)).context["publicity_open"]
    assert (
        client.post(_url(purchase_request, "objection"), {"text": "中选机构资质存疑"}).status_code
        == 302
    )
    objection = Objection.objects.get()
    assert objection.filed_by == market.admins[loser]
    assert objection.status == Objection.Status.PENDING
    assert list(client.get(_url(purchase_request)).context["objections"]) == [objection]

    # After the publicity period the service refuses, and the page says why.
    clock.move_to(
        datetime.datetime.combine(
            purchase_request.publicity_ends_on + datetime.timedelta(days=1), datetime.time(9)
        ).replace(tzinfo=datetime.UTC)
    )
    late = client.post(_url(purchase_request, "objection"), {"text": "再次质疑"})
    assert late.status_code == 200 and late.context["form"].errors
    assert Objection.objects.count() == 1


# Workspace ------------------------------------------------------------------------------------


def test_the_agency_workspace_links_to_the_inbox_with_the_unread_count(market, client):
    market.published()
    client.force_login(market.admins[0])
    html = client.get("/accounts/workspace/").content.decode()
    assert "/my/quotes/" in html
    # The count is shown when the workspace view supplies it (see the report: accounts/views).
    rendered = render_to_string(
        "cms/workspace_agency.html",
        {"organisation": market.agencies[0].organisation, "unread_invitation_count": 3},
    )
    assert "/my/quotes/" in rendered and "3" in rendered


def test_a_suspended_agency_cannot_open_the_quote_page_nor_quote(market, client):
    purchase_request = market.published()
    Agency.objects.filter(pk=market.agencies[0].pk).update(status=Agency.Status.SUSPENDED)
    client.force_login(market.admins[0])
    assert client.get(_url(purchase_request)).status_code == 403
    assert _submit(client, purchase_request, token="a" * 32).status_code == 403
    assert client.get("/my/quotes/").status_code == 200  # its inbox stays readable
    assert not Quote.objects.exists()


def test_an_unknown_or_draft_request_is_not_found(market, client):
    draft = purchase_request_create(
        actor=market.owner, project=market.project, terms=market.terms()
    )
    client.force_login(market.admins[0])
    assert client.get("/my/quotes/ZJCG-0000-9999/").status_code == 404
    assert client.get(_url(draft)).status_code == 404
