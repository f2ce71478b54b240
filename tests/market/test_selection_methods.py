"""Direct selection, credit merit and scored evaluation: the methods where the owner takes
the last step (docs/selection.md)."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from agencies.models import Agency
from core.exceptions import ApplicationError
from market.models import Objection, Project, PurchaseRequest, SelectionMethod
from market.services.requests import purchase_request_sync
from market.services.selection import (
    objection_file,
    selection_choose,
    selection_scored_decide,
)
from market.verification import verify_request_draw
from tests.market.scenario import NOW, Market

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _opened(clock, market, request, amounts):
    for index, amount in enumerate(amounts):
        market.quote(request, index, amount)
    clock.move_to(request.quote_deadline + datetime.timedelta(minutes=1))
    return purchase_request_sync(request=PurchaseRequest.objects.get(pk=request.pk))


def test_direct_selection_is_the_owners_choice_on_a_social_funded_project(_clock):
    market = Market(funding=Project.Funding.SOCIAL)
    request = market.published(selection_method=SelectionMethod.DIRECT)
    request = _opened(_clock, market, request, ["90000", "95000"])
    assert request.status == Status.SELECTING  # waits for the owner

    with pytest.raises(ApplicationError):  # an agency that did not quote
        selection_choose(actor=market.owner, request=request, agency=market.agencies[3])
    with pytest.raises(ApplicationError):  # anyone but the owner
        selection_choose(actor=market.admins[0], request=request, agency=market.agencies[1])
    request = selection_choose(actor=market.owner, request=request, agency=market.agencies[1])
    assert request.status == Status.AWARDED and request.winner == market.agencies[1]


def test_credit_merit_draws_a_short_list_and_the_owner_chooses_from_it(_clock):
    market = Market(funding=Project.Funding.SOCIAL)
    for extra in market.agencies:
        extra.credit_score = Decimal("90")
        extra.save()
    Agency.objects.filter(pk=market.agencies[3].pk).update(credit_score=Decimal("60"))
    request = market.published(selection_method=SelectionMethod.CREDIT_MERIT)
    request = _opened(_clock, market, request, ["90000", "95000", "97000", "99000"])
    assert request.status == Status.SELECTING
    result = request.draw_record["result"]
    assert len(result["shortlist"]) == 3
    assert verify_request_draw(request).ok

    codes = {agency.organisation.credit_code: agency for agency in market.agencies}
    outside = next(code for code in codes if code not in result["shortlist"])
    with pytest.raises(ApplicationError):
        selection_choose(actor=market.owner, request=request, agency=codes[outside])
    chosen = codes[result["shortlist"][0]]
    assert selection_choose(actor=market.owner, request=request, agency=chosen).winner == chosen


def test_scored_evaluation_weights_marks_and_computes_the_price_score(_clock):
    market = Market()
    request = market.published(
        selection_method=SelectionMethod.SCORED,
        scoring_criteria=(("price", 40), ("quality", 60)),
    )
    request = _opened(_clock, market, request, ["100000", "80000", "90000"])
    assert request.status == Status.SELECTING
    quotes = {quote.agency_id: quote for quote in request.quotes.all()}
    marks = {
        quotes[market.agencies[0].pk].pk: {"quality": 95},  # 40 × 0.8 + 57 = 89.00
        quotes[market.agencies[1].pk].pk: {"quality": 70},  # 40 × 1.0 + 42 = 82.00
        quotes[market.agencies[2].pk].pk: {"quality": 80},  # 40 × 0.888… + 48 = 83.56
    }
    with pytest.raises(ApplicationError):
        selection_scored_decide(
            actor=market.owner,
            request=request,
            scores={**marks, quotes[market.agencies[2].pk].pk: {}},
        )
    request = selection_scored_decide(actor=market.owner, request=request, scores=marks)
    assert request.winner == market.agencies[0]
    totals = request.draw_record["parameters"]["totals"]
    assert sorted(totals.values()) == ["82.00", "83.56", "89.00"]
    assert verify_request_draw(request).ok


def test_a_regulator_answers_an_objection_in_the_back_office(_clock, client, regulator_user):
    market = Market()
    request = market.published()
    request = _opened(_clock, market, request, ["90000", "91000", "92000"])
    loser = next(i for i in range(3) if market.agencies[i] != request.winner)
    objection = objection_file(actor=market.admins[loser], request=request, text="报价文件不完整")

    client.force_login(market.owner)
    assert client.get("/admin/objections/").status_code in (302, 403)

    client.force_login(regulator_user)
    assert objection.text[:6] in client.get("/admin/objections/").content.decode()
    response = client.post(
        f"/admin/objections/{objection.pk}/", {"upheld": "no", "answer": "经核查，报价文件完整。"}
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED
    assert PurchaseRequest.objects.get(pk=request.pk).winner == request.winner
