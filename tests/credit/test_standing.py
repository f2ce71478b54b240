"""A request uses the credit standing its agencies had when it was published (R11): grade D
is not eligible, and a grade or score changed while the request is quoting takes effect for
the next request, never in this one's draw. Tried as an agency downgraded mid-quoting would
hope (to keep quoting) and as one upgraded would hope (to count higher in this draw)."""

from decimal import Decimal

import pytest
import time_machine

from agencies.models import Agency
from market.models import Invitation, Project, SelectionMethod
from market.selectors import agency_ineligibility_reasons, eligible_agencies
from tests.market.scenario import NOW, Market, close_and_draw
from tests.refusals import refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _set(agency, score, grade):
    Agency.objects.filter(pk=agency.pk).update(credit_score=Decimal(score), credit_grade=grade)


def test_r11_a_grade_d_agency_is_neither_invited_nor_allowed_to_quote():
    market = Market()
    _set(market.agencies[0], "55.0", "D")
    purchase_request = market.published()
    assert market.agencies[0] not in eligible_agencies(purchase_request=purchase_request)
    assert not Invitation.objects.filter(
        purchase_request=purchase_request, agency=market.agencies[0]
    ).exists()
    with refused("not_eligible"):
        market.quote(purchase_request, 0, "90000")
    reasons = agency_ineligibility_reasons(
        agency=market.agencies[0], purchase_request=purchase_request
    )
    assert any("D" in reason for reason in reasons)


def test_r11_invitations_record_the_standing_at_publication():
    market = Market()
    _set(market.agencies[1], "91.5", "A")
    purchase_request = market.published()
    invitation = Invitation.objects.get(
        purchase_request=purchase_request, agency=market.agencies[1]
    )
    assert (invitation.credit_score, invitation.credit_grade) == (Decimal("91.5"), "A")


def test_r11_a_downgrade_to_d_while_quoting_applies_to_the_next_request_only():
    market = Market()
    purchase_request = market.published()
    market.quote(purchase_request, 0, "90000")
    _set(market.agencies[0], "40.0", "D")  # downgraded while this request is quoting

    # This request keeps the standing it recorded: the agency may still revise its quote.
    assert market.agencies[0] in eligible_agencies(purchase_request=purchase_request)
    market.quote(purchase_request, 0, "91000")
    # The next request sees grade D.
    following = market.published()
    assert market.agencies[0] not in eligible_agencies(purchase_request=following)


def test_r11_the_credit_merit_draw_uses_the_scores_recorded_at_publication(_clock):
    market = Market(funding=Project.Funding.SOCIAL)
    for agency in market.agencies:
        _set(agency, "85.0", "B")
    purchase_request = market.published(selection_method=SelectionMethod.CREDIT_MERIT)
    for index, amount in enumerate(["90000", "95000", "97000", "99000"]):
        market.quote(purchase_request, index, amount)
    _set(market.agencies[2], "99.9", "A")  # an upgrade after publication does not count here
    purchase_request = close_and_draw(_clock, purchase_request)
    scores = purchase_request.draw_record["parameters"]["credit_scores"]
    assert set(scores.values()) == {"85.0"}


def test_r11_an_agency_eligible_only_after_publication_is_recorded_when_it_first_quotes():
    market = Market()
    purchase_request = market.published()
    Invitation.objects.filter(purchase_request=purchase_request, agency=market.agencies[3]).delete()
    _set(market.agencies[3], "77.0", "B")
    market.quote(purchase_request, 3, "90000")
    _set(market.agencies[3], "50.0", "D")
    invitation = Invitation.objects.get(
        purchase_request=purchase_request, agency=market.agencies[3]
    )
    assert (invitation.credit_score, invitation.credit_grade) == (Decimal("77.0"), "B")
    assert market.agencies[3] in eligible_agencies(purchase_request=purchase_request)


def test_r11_the_roster_shows_each_agencys_grade_and_sorts_by_credit(client):
    market = Market()
    _set(market.agencies[0], "93.0", "A")
    _set(market.agencies[1], "62.0", "C")
    page = client.get("/agencies/?sort=credit")
    rows = list(page.context["page"])
    assert rows[0] == market.agencies[0] and rows[-1] == market.agencies[1]
    html = page.content.decode()
    assert 'class="grade grade-A"' in html and 'class="grade grade-C"' in html


def test_r11_an_opened_notice_shows_the_grade_recorded_at_publication(client, _clock):
    market = Market()
    _set(market.agencies[0], "93.0", "A")
    purchase_request = market.published()
    market.quote(purchase_request, 0, "90000")
    market.quote(purchase_request, 1, "95000")
    _set(market.agencies[0], "50.0", "D")
    purchase_request = close_and_draw(_clock, purchase_request)
    html = client.get(f"/notices/{purchase_request.number}/").content.decode()
    assert 'class="grade grade-A"' in html and "grade-D" not in html
