"""Sealed quotes stay sealed on every path until the deadline: pages, search, mail, logs,
the back office — for the owner, regulators, other agencies and the public."""

import datetime
import io
import json
import logging
import secrets
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import close_old_connections
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from modelsearch.index import get_indexed_models

from agencies.services import agency_scope_recompute
from core.exceptions import ApplicationError
from market.models import PurchaseRequest, Quote
from market.services.clock import purchase_request_advance
from market.services.quotes import quote_submit
from market.services.selection import draw_due
from tests.accounts.factories import UserFactory
from tests.agencies.factories import AgencyFactory
from tests.market.scenario import NOW, Market

AMOUNT = "87654.32"


@pytest.fixture
def sealed(db):
    with time_machine.travel(NOW, tick=False):
        market = Market()
        purchase_request = market.published()
        market.quote(purchase_request, 0, AMOUNT)
        yield market, purchase_request


def test_no_page_shows_an_amount_before_the_deadline(sealed, client, regulator_user):
    market, purchase_request = sealed
    viewers = [None, market.owner, regulator_user, market.admins[1]]
    for viewer in viewers:
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        for url in (
            f"/notices/{purchase_request.number}/",
            "/notices/",
            f"/verify/draw/{purchase_request.number}/",
            f"/verify/draw/{purchase_request.number}/?format=json",
            "/",
        ):
            with time_machine.travel(NOW, tick=False):
                body = client.get(url).content.decode()
            assert AMOUNT not in body and "87654" not in body, (viewer, url)


def test_quotes_are_not_in_the_search_index_nor_the_back_office(sealed, client, regulator_user):
    assert Quote not in get_indexed_models()
    client.force_login(regulator_user)
    for name in ("wagtailsnippets_market_quote:list", "quote:index"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    assert client.get("/admin/quotes/").status_code == 404


def test_mail_never_carries_an_amount(sealed, mailoutbox):
    assert all(AMOUNT not in message.body for message in mailoutbox)


def test_logs_never_carry_an_amount(db):
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(root.handlers[0].formatter)
    for log_filter in root.handlers[0].filters:
        handler.addFilter(log_filter)
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        with time_machine.travel(NOW, tick=False):
            market = Market()
            purchase_request = market.published()
            quote = market.quote(purchase_request, 0, AMOUNT)
            # Even a careless log call with the amount or the sealed token is redacted.
            logging.getLogger("zjcs.careless").info({"event": "quote", "amount": AMOUNT})
            logging.getLogger("zjcs.careless").info("token %s", quote.sealed)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    text = stream.getvalue()
    assert "87654" not in text
    assert quote.sealed not in text


def test_only_the_agency_itself_has_its_amount_before_opening(sealed):
    _market, purchase_request = sealed
    quote = Quote.objects.get(purchase_request=purchase_request)
    assert quote.opened_amount is None
    assert AMOUNT not in json.dumps(
        {field.name: str(getattr(quote, field.attname)) for field in Quote._meta.concrete_fields}
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_quote_is_accepted_after_the_deadline_under_concurrent_load(settings):
    """Many agencies submit at once while the deadline passes: every accepted quote was
    submitted before the deadline by the server clock, every later one was refused, and the
    closing saw exactly the accepted ones."""
    # The deadline is seconds away on the real clock: the demo's shortcut, no minimum period.
    settings.DEMO_MIN_QUOTING_SECONDS = 0
    agencies = 12
    market = Market()
    for _extra in range(4, agencies):
        agency = AgencyFactory()
        agency_scope_recompute(agency=agency)
        market.agencies.append(agency)
        market.admins.append(UserFactory(organisation=agency.organisation))
    purchase_request = market.published(
        quote_deadline=timezone.now() + datetime.timedelta(seconds=2)
    )

    start = threading.Barrier(agencies + 1)
    outcomes: dict[int, tuple[str, datetime.datetime]] = {}

    def submit(index: int) -> None:
        start.wait()
        # Spread the attempts over the second around the deadline.
        target = purchase_request.quote_deadline + datetime.timedelta(
            milliseconds=(index - agencies // 2) * 150
        )
        delay = (target - timezone.now()).total_seconds()
        if delay > 0:
            threading.Event().wait(delay)
        try:
            quote_submit(
                actor=market.admins[index],
                purchase_request=purchase_request,
                amount=str(50000 + index),
                committed_time_limit_days=10,
                nonce=secrets.token_hex(16),
            )
            outcomes[index] = ("accepted", timezone.now())
        except ApplicationError:
            outcomes[index] = ("refused", timezone.now())
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(agencies)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join(timeout=30)

    accepted = [index for index, (outcome, _) in outcomes.items() if outcome == "accepted"]
    refused = [index for index, (outcome, _) in outcomes.items() if outcome == "refused"]
    assert len(outcomes) == agencies
    assert accepted and refused, outcomes  # the deadline really fell among the attempts
    quotes = Quote.objects.filter(purchase_request=purchase_request)
    assert sorted(quotes.values_list("agency_id", flat=True)) == sorted(
        market.agencies[index].pk for index in accepted
    )
    assert all(quote.submitted_at < purchase_request.quote_deadline for quote in quotes)

    closed = purchase_request_advance(
        purchase_request=PurchaseRequest.objects.get(pk=purchase_request.pk)
    )
    # Opened and fixed (the draw then waits for its beacon round, minutes later), or failed.
    assert closed.status in (PurchaseRequest.Status.SELECTING, PurchaseRequest.Status.FAILED)
    assert closed.status == PurchaseRequest.Status.FAILED or draw_due(closed)
    assert closed.quotes.filter(opened_amount__isnull=False).count() == len(accepted)
    assert all(
        quote.opened_amount == Decimal(50000 + market.agencies.index(quote.agency))
        for quote in closed.quotes.all()
    )
