"""Every public fact of a purchase goes on the transparency log in the transaction that makes
it true (issue 10): publication, each receipt as it is made, a withdrawal, the opening with
the quotes that enter the draw, the draw record, the award, a decline, a failure, a
cancellation — and the notice shows the receipts from the moment each quote is made."""

import datetime
import json

import pytest
import time_machine

from core import merkle
from core.models import LogEntry
from core.transparency import verify_log
from market import sealing
from market.models import PurchaseRequest, QuoteReceipt
from market.services.quotes import quote_submit, quote_withdraw
from market.services.requests import purchase_request_cancel, purchase_request_republish
from market.services.selection import award_decline
from tests.market.scenario import NOW, Market, close_and_draw
from tests.refusals import refused

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def market():
    return Market()


def _entries(purchase_request) -> list[tuple[str, dict]]:
    return [
        (entry.kind, json.loads(entry.body)["data"])
        for entry in LogEntry.objects.filter(subject=purchase_request.number)
    ]


def _close(clock, purchase_request):
    return close_and_draw(clock, purchase_request)


def test_a_random_draw_leaves_every_public_fact_on_the_log_in_order(market, clock):
    purchase_request = market.published()
    first = market.quote(purchase_request, 0, "100000")
    first_receipt = first.receipt
    market.quote(purchase_request, 1, "90000")
    market.quote(purchase_request, 2, "120000")
    revised = market.quote(purchase_request, 0, "95000")
    market.quote(purchase_request, 3, "99000")
    quote_withdraw(actor=market.admins[3], purchase_request=purchase_request)
    purchase_request = _close(clock, purchase_request)
    assert purchase_request.status == Status.AWARDED

    entries = _entries(purchase_request)
    assert [kind for kind, _ in entries] == [
        "publication",
        "receipt",
        "receipt",
        "receipt",
        "receipt",
        "receipt",
        "withdrawal",
        "opening",
        "draw",
        "award",
    ]
    publication = entries[0][1]
    assert publication["commitment"] == purchase_request.draw_commitment
    assert publication["republished_from"] is None
    # A revision names the receipt it replaces, so the log alone tells which are in force.
    assert entries[4][1] == {"receipt": revised.receipt, "replaces": first_receipt}
    # The opening publishes what recomputes every receipt in force, and which ones count.
    opened = entries[7][1]["quotes"]
    assert len(opened) == 3  # the withdrawn quote is not opened
    for quote in opened:
        assert sealing.verify_receipt(
            receipt=quote["receipt"],
            request_number=purchase_request.number,
            agency_code=quote["agency"],
            revision=quote["revision"],
            amount=quote["amount"],
            discount_rate=quote["discount_rate"],
            nonce=quote["nonce"],
        )
    assert first_receipt not in {quote["receipt"] for quote in opened}
    assert entries[8][1] == purchase_request.draw_record
    assert entries[9][1]["agency"] == purchase_request.winner.selection_key
    assert verify_log().ok


def test_each_receipt_knows_its_log_entry_and_its_inclusion_proof_verifies(market, client):
    purchase_request = market.published()
    quote = market.quote(purchase_request, 0, "100000")
    receipt = QuoteReceipt.objects.get(quote=quote)
    proof = client.get(f"/transparency/entries/{receipt.log_index}.json").json()
    assert json.loads(proof["body"])["data"]["receipt"] == quote.receipt
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        receipt.log_index,
        proof["checkpoint"]["size"],
        [bytes.fromhex(node) for node in proof["inclusion_proof"]],
        bytes.fromhex(proof["checkpoint"]["root_hash"]),
    )


def test_a_failure_a_republication_a_cancellation_and_a_decline_are_logged(market, clock):
    cancelled = market.published()
    purchase_request_cancel(actor=market.owner, purchase_request=cancelled, reason="项目调整")
    assert _entries(cancelled)[-1] == ("cancellation", {"reason": "项目调整"})

    failed = market.published()
    market.quote(failed, 0, "100000")
    failed = _close(clock, failed)
    assert failed.status == Status.FAILED
    assert _entries(failed)[-1][0] == "failure"

    again = purchase_request_republish(
        actor=market.owner,
        purchase_request=failed,
        quote_deadline=failed.quote_deadline + datetime.timedelta(days=7),
    )
    assert _entries(again)[0] == ("publication", _entries(again)[0][1])
    assert _entries(again)[0][1]["republished_from"] == failed.number

    for index in range(3):
        market.quote(again, index, str(90000 + index))
    again = _close(clock, again)
    winner = again.winner
    admin = market.admins[market.agencies.index(winner)]
    award_decline(actor=admin, purchase_request=again, reason="人手不足")
    kinds = [kind for kind, _ in _entries(again)]
    assert kinds[-2:] == ["decline", "award"]
    assert _entries(again)[-2][1] == {"agency": winner.selection_key, "by_objection": False}
    assert verify_log().ok


def test_a_nonce_not_made_by_the_browser_is_refused(market):
    purchase_request = market.published()
    for nonce in ("", "0" * 31, "Z" * 32, None):
        with refused("bad_nonce"):
            quote_submit(
                actor=market.admins[0],
                purchase_request=purchase_request,
                amount="100000",
                committed_time_limit_days=10,
                nonce=nonce,
            )
    assert not LogEntry.objects.filter(kind="receipt").exists()


def test_the_notice_shows_each_receipt_in_full_from_the_moment_it_is_made(market, client):
    purchase_request = market.published()
    quote = market.quote(purchase_request, 0, "123456.78")
    page = client.get(f"/notices/{purchase_request.number}/").content.decode()
    assert quote.receipt in page
    assert "123456" not in page  # the amount stays sealed


def test_the_notice_counts_its_earlier_publications(market, clock, client):
    first = _close(clock, market.published())
    second = purchase_request_republish(
        actor=market.owner,
        purchase_request=first,
        quote_deadline=first.quote_deadline + datetime.timedelta(days=7),
    )
    second = _close(clock, second)
    third = purchase_request_republish(
        actor=market.owner,
        purchase_request=second,
        quote_deadline=second.quote_deadline + datetime.timedelta(days=7),
    )
    page = client.get(f"/notices/{third.number}/")
    assert [earlier.number for earlier in page.context["republications"]] == [
        second.number,
        first.number,
    ]
    assert "此前已发布 2 次：" in page.content.decode()
