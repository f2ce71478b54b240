"""Direct selection, credit merit and scored evaluation: the methods where the owner takes
the last step (docs/selection.md)."""

from decimal import Decimal

import pytest
import time_machine

from agencies.models import Agency
from market.models import Objection, Project, PurchaseRequest, SelectionMethod
from market.services.selection import (
    objection_file,
    selection_choose,
    selection_scored_decide,
)
from market.verification import verify_request_draw
from tests.market.scenario import NOW, Market, close_and_draw
from tests.refusals import refused

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _opened(clock, market, purchase_request, amounts):
    for index, amount in enumerate(amounts):
        market.quote(purchase_request, index, amount)
    return close_and_draw(clock, purchase_request)


def test_direct_selection_is_the_owners_choice_on_a_social_funded_project(_clock):
    market = Market(funding=Project.Funding.SOCIAL)
    purchase_request = market.published(selection_method=SelectionMethod.DIRECT)
    purchase_request = _opened(_clock, market, purchase_request, ["90000", "95000"])
    assert purchase_request.status == Status.SELECTING  # waits for the owner

    with refused("not_choosable"):  # an agency that did not quote
        selection_choose(
            actor=market.owner, purchase_request=purchase_request, agency=market.agencies[3]
        )
    with refused("not_owner"):  # anyone but the owner
        selection_choose(
            actor=market.admins[0], purchase_request=purchase_request, agency=market.agencies[1]
        )
    purchase_request = selection_choose(
        actor=market.owner, purchase_request=purchase_request, agency=market.agencies[1]
    )
    assert (
        purchase_request.status == Status.AWARDED and purchase_request.winner == market.agencies[1]
    )


def test_credit_merit_draws_a_short_list_and_the_owner_chooses_from_it(_clock):
    market = Market(funding=Project.Funding.SOCIAL)
    for extra in market.agencies:
        extra.credit_score = Decimal("90")
        extra.save()
    Agency.objects.filter(pk=market.agencies[3].pk).update(credit_score=Decimal("60"))
    purchase_request = market.published(selection_method=SelectionMethod.CREDIT_MERIT)
    purchase_request = _opened(
        _clock, market, purchase_request, ["90000", "95000", "97000", "99000"]
    )
    assert purchase_request.status == Status.SELECTING
    result = purchase_request.draw_record["result"]
    assert len(result["shortlist"]) == 3
    assert verify_request_draw(purchase_request).ok

    codes = {agency.organisation.credit_code: agency for agency in market.agencies}
    outside = next(code for code in codes if code not in result["shortlist"])
    with refused("not_choosable"):
        selection_choose(
            actor=market.owner, purchase_request=purchase_request, agency=codes[outside]
        )
    chosen = codes[result["shortlist"][0]]
    assert (
        selection_choose(
            actor=market.owner, purchase_request=purchase_request, agency=chosen
        ).winner
        == chosen
    )


def test_scored_evaluation_weights_marks_and_computes_the_price_score(_clock):
    market = Market()
    purchase_request = market.published(
        selection_method=SelectionMethod.SCORED,
        scoring_criteria=(("price", 40), ("quality", 60)),
    )
    purchase_request = _opened(_clock, market, purchase_request, ["100000", "80000", "90000"])
    assert purchase_request.status == Status.SELECTING
    quotes = {quote.agency_id: quote for quote in purchase_request.quotes.all()}
    marks = {
        quotes[market.agencies[0].pk].pk: {"quality": 95},  # 40 × 0.8 + 57 = 89.00
        quotes[market.agencies[1].pk].pk: {"quality": 70},  # 40 × 1.0 + 42 = 82.00
        quotes[market.agencies[2].pk].pk: {"quality": 80},  # 40 × 0.888… + 48 = 83.56
    }
    with refused("mark_out_of_range"):
        selection_scored_decide(
            actor=market.owner,
            purchase_request=purchase_request,
            scores={**marks, quotes[market.agencies[2].pk].pk: {}},
        )
    purchase_request = selection_scored_decide(
        actor=market.owner, purchase_request=purchase_request, scores=marks
    )
    assert purchase_request.winner == market.agencies[0]
    totals = purchase_request.draw_record["parameters"]["totals"]
    assert sorted(totals.values()) == ["82.00", "83.56", "89.00"]
    assert verify_request_draw(purchase_request).ok


def test_a_regulator_answers_an_objection_in_the_back_office(_clock, client, regulator_user):
    market = Market()
    purchase_request = market.published()
    purchase_request = _opened(_clock, market, purchase_request, ["90000", "91000", "92000"])
    loser = next(i for i in range(3) if market.agencies[i] != purchase_request.winner)
    objection = objection_file(
        actor=market.admins[loser], purchase_request=purchase_request, text="报价文件不完整"
    )

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
    assert PurchaseRequest.objects.get(pk=purchase_request.pk).winner == purchase_request.winner
