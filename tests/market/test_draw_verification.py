"""Anyone can re-check a draw without trusting us (issue 10): the page, `verify_draw` and the
standard-library verifier in tools/ re-derive every receipt from the opened data, recompute the
draw with the signed beacon round, check the log, and compare the winner the notice shows —
and each fails when any stored input, the shown winner or the whole record is rewritten."""

import datetime
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from core.models import LogEntry
from core.transparency import verify_log
from market import draws
from market.models import PurchaseRequest, Quote, SelectionMethod
from market.services.clock import purchase_request_advance
from market.services.selection import selection_scored_decide
from market.verification import verify_request_draw
from tests.market.scenario import NOW, Market, beacon_published, close_and_draw
from tests.refusals import refused

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
Status = PurchaseRequest.Status


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


def _codes(purchase_request) -> set[str]:
    check = verify_request_draw(PurchaseRequest.objects.get(pk=purchase_request.pk))
    return {code for code, _text in check.report.problems}


def _tool(
    tmp_path, document, script=ROOT / "tools" / "zjcs_verify.py"
) -> subprocess.CompletedProcess:
    saved = tmp_path / "draw.json"
    saved.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return subprocess.run(  # noqa: S603 — our own interpreter and script
        [sys.executable, str(script), str(saved)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,  # nothing from the project's settings or database
        env={"PATH": "/usr/bin:/bin"},
    )


def test_a_draw_verifies_on_the_page_in_the_command_and_in_the_standalone_tool(
    drawn, client, capsys, tmp_path
):
    page = client.get(f"/verify/draw/{drawn.number}/")
    assert page.status_code == 200 and page.context["check"].ok
    html = page.content.decode()
    assert "抽取结果一致" in html
    assert drawn.winner.organisation.name in html  # names, not a dict of codes
    assert "{'winner'" not in html and drawn.beacon_round and str(drawn.beacon_round) in html

    call_command("verify_draw", drawn.number)
    assert "The draw matches (random_draw)." in capsys.readouterr().out

    document = client.get(f"/verify/draw/{drawn.number}.json").json()
    assert document["record"]["beacon"]["round"] == drawn.beacon_round
    assert document["shown_winner"] == drawn.winner.selection_key
    result = _tool(tmp_path, document)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The draw matches (random_draw)." in result.stdout


def test_the_tool_fails_on_a_changed_copy_of_the_data(drawn, client, tmp_path):
    document = client.get(f"/verify/draw/{drawn.number}.json").json()
    loser = next(q for q in document["quotes"] if q["agency"] != document["shown_winner"])
    changed = {**document, "shown_winner": loser["agency"]}
    result = _tool(tmp_path, changed)
    assert result.returncode == 1
    assert "The notice shows" in result.stdout
    document["quotes"][0]["amount"] = "1.00"
    result = _tool(tmp_path, document)
    assert result.returncode == 1
    assert "does not match its receipt" in result.stdout


def test_the_verifier_downloaded_from_the_page_runs_on_its_own(drawn, client, tmp_path):
    page = client.get(f"/verify/draw/{drawn.number}/").content.decode()
    assert 'href="/verify/draw/zjcs-verify.zip"' in page
    response = client.get("/verify/draw/zjcs-verify.zip")
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path / "unpacked")
    script = tmp_path / "unpacked" / "zjcs-verify" / "tools" / "zjcs_verify.py"
    document = client.get(f"/verify/draw/{drawn.number}.json").json()

    result = _tool(tmp_path, document, script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The draw matches (random_draw)." in result.stdout
    document["quotes"][0]["amount"] = "1.00"
    assert _tool(tmp_path, document, script).returncode == 1


def _fails_everywhere(purchase_request, client, code):
    assert code in _codes(purchase_request)
    page = client.get(f"/verify/draw/{purchase_request.number}/")
    assert not page.context["check"].ok
    with pytest.raises(CommandError, match="the draw does NOT match"):
        call_command("verify_draw", purchase_request.number)


def test_changing_an_opened_nonce_or_amount_fails(drawn, client):
    quote = Quote.objects.filter(purchase_request=drawn).first()
    Quote.objects.filter(pk=quote.pk).update(opened_nonce="0" * 32)
    _fails_everywhere(drawn, client, "receipt_mismatch")
    Quote.objects.filter(pk=quote.pk).update(
        opened_nonce=quote.opened_nonce, opened_amount=quote.opened_amount + 1
    )
    _fails_everywhere(drawn, client, "receipt_mismatch")


def test_changing_the_shown_winner_fails(drawn, market, client):
    other = next(agency for agency in market.agencies if agency != drawn.winner)
    PurchaseRequest.objects.filter(pk=drawn.pk).update(winner=other)
    _fails_everywhere(drawn, client, "winner_changed")


def test_rewriting_the_whole_record_fails(drawn, client):
    """Secret, commitment, record and winner rewritten together, consistent among
    themselves: the log still holds the commitment published and the draw made."""
    record = draws.DrawRecord.from_json(json.dumps(drawn.draw_record))
    secret = "ab" * 32
    forged = draws.make_record(
        record.method, secret, record.receipts, record.candidates, record.parameters, record.beacon
    )
    winner = Quote.objects.get(
        purchase_request=drawn,
        agency__organisation__credit_code=forged.result["winner"],
    ).agency
    PurchaseRequest.objects.filter(pk=drawn.pk).update(
        draw_secret=secret,
        draw_commitment=draws.commitment(secret),
        draw_record=forged.to_dict(),
        winner=winner,
    )
    _fails_everywhere(drawn, client, "commitment_changed")
    assert "record_changed" in _codes(drawn)


def test_a_beacon_round_not_signed_by_the_chain_fails(drawn, client):
    record = dict(drawn.draw_record)
    signature = "a" * 96
    record["beacon"] = {
        **record["beacon"],
        "signature": signature,
        "randomness": hashlib.sha256(bytes.fromhex(signature)).hexdigest(),
    }
    PurchaseRequest.objects.filter(pk=drawn.pk).update(draw_record=record)
    _fails_everywhere(drawn, client, "beacon_signature")


def test_an_edited_log_entry_fails_the_page_and_verify_log(drawn, client):
    entry = LogEntry.objects.filter(subject=drawn.number, kind="receipt").first()
    LogEntry.objects.filter(pk=entry.pk).update(body=entry.body.replace('"receipt"', '"Receipt"'))
    _fails_everywhere(drawn, client, "not_in_log")
    assert not verify_log().ok


def test_quotes_fixed_after_the_beacon_round_was_published_fail(market, clock, client):
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    # The closing comes late, after the round is out: the check says so.
    clock.move_to(beacon_published(purchase_request) + datetime.timedelta(minutes=5))
    purchase_request = purchase_request_advance(purchase_request=purchase_request)
    assert purchase_request.status == Status.AWARDED
    _fails_everywhere(purchase_request, client, "fixed_after_beacon")


def test_a_failed_request_says_there_was_no_draw_and_is_consistent(market, clock, client, capsys):
    purchase_request = market.published()
    market.quote(purchase_request, 0, "90000")
    purchase_request = close_and_draw(clock, purchase_request)
    assert purchase_request.status == Status.FAILED
    check = verify_request_draw(purchase_request)
    assert check.ok and check.report.outcome.startswith("No draw: ")
    call_command("verify_draw", purchase_request.number)  # exit 0
    assert "No draw: " in capsys.readouterr().out
    page = client.get(f"/verify/draw/{purchase_request.number}/").content.decode()
    assert "未抽取：" in page


def test_a_draw_waiting_for_its_round_is_consistent_so_far(market, clock, client):
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    clock.move_to(purchase_request.quote_deadline + datetime.timedelta(minutes=1))
    purchase_request = purchase_request_advance(purchase_request=purchase_request)
    assert purchase_request.status == Status.SELECTING
    page = client.get(f"/verify/draw/{purchase_request.number}/")
    assert page.context["check"].ok
    assert f"抽取等待随机信标第 {purchase_request.beacon_round} 轮" in page.content.decode()


def test_drafts_have_no_verify_page(market, client):
    draft = market.draft()
    assert client.get(f"/verify/draw/{draft.number}/").status_code == 404
    assert client.get(f"/verify/draw/{draft.number}.json").status_code == 404
    with pytest.raises(CommandError, match="No published purchase request"):
        call_command("verify_draw", draft.number)


def test_scores_submitted_before_the_beacon_round_are_refused(market, clock):
    purchase_request = market.published(
        selection_method=SelectionMethod.SCORED, scoring_criteria=(("price", 40), ("quality", 60))
    )
    for index in range(3):
        market.quote(purchase_request, index, "90000")
    clock.move_to(purchase_request.quote_deadline + datetime.timedelta(minutes=1))
    purchase_request = purchase_request_advance(purchase_request=purchase_request)
    marks = {quote.pk: {"quality": 80} for quote in purchase_request.quotes.all()}
    with refused("beacon_pending"):
        selection_scored_decide(actor=market.owner, purchase_request=purchase_request, scores=marks)
    clock.move_to(beacon_published(purchase_request))
    decided = selection_scored_decide(
        actor=market.owner, purchase_request=purchase_request, scores=marks
    )
    assert decided.status == Status.AWARDED and verify_request_draw(decided).ok
