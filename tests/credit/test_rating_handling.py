"""Handling ratings after they are given (R12): the rater changes one within the window, a
regulator decides poor ones from the back office, and ratings do not stall — the owner is
reminded to rate and both parties are told when a delivery waits for the owner's decision."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from contracts.models import Contract
from credit.models import Rating
from credit.services.reminders import ratings_remind
from tests.accounts.factories import OrganisationFactory
from tests.contracts.factories import ContractFactory, admin_of
from tests.credit.test_ratings import GOOD, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished():
    return ContractFactory(status=Contract.Status.ACCEPTED, used_workdays=8)


def test_r12_the_owner_changes_the_rating_from_the_contract_page_until_it_is_frozen(
    client, finished
):
    rating = rate(finished, comment="一般")
    client.force_login(admin_of(finished.owner))
    url = f"/credit/contracts/{finished.number}/ratings/{rating.pk}/change/"
    assert f'href="{url}"' in client.get(f"/my/contracts/{finished.number}/").content.decode()

    form = client.get(url).context["form"]
    assert form.initial["quality"] == GOOD["quality"]  # the rating as it stands
    response = client.post(url, {**{k: str(v) for k, v in GOOD.items()}, "quality": "1"})
    assert set(response.context["form"].errors) == {"reason"}  # a poor score needs its reason
    response = client.post(
        url, {**{k: str(v) for k, v in GOOD.items()}, "quality": "3", "comment": "尚可"}
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert (rating.quality, rating.comment) == (3, "尚可")

    with time_machine.travel(rating.rated_at + datetime.timedelta(days=8)):
        page = client.get(f"/my/contracts/{finished.number}/").content.decode()
        assert f'href="{url}"' not in page
        response = client.post(url, {k: str(v) for k, v in GOOD.items()})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()


def test_r12_the_agency_cannot_change_the_owners_rating(client, finished):
    rating = rate(finished)
    client.force_login(admin_of(finished.agency.organisation))
    url = f"/credit/contracts/{finished.number}/ratings/{rating.pk}/change/"
    response = client.post(url, {k: "5" for k in GOOD})
    assert response.status_code == 200
    rating.refresh_from_db()
    assert rating.quality == GOOD["quality"] and rating.timeliness == GOOD["timeliness"]


def test_r12_a_regulator_upholds_or_sets_aside_poor_ratings_from_the_back_office(client, finished):
    poor = rate(finished, scores={**GOOD, "fees": 1}, reason="额外收费")
    client.force_login(admin_of(OrganisationFactory(kind=Role.REGULATOR)))
    listing = client.get("/admin/poor-ratings/").content.decode()
    assert finished.number in listing

    url = f"/admin/poor-ratings/{poor.pk}/"
    response = client.post(url, {"decision": "0", "note": ""})
    assert "note" in response.context["form"].errors  # setting aside needs its note
    poor.refresh_from_db()
    assert poor.status == Rating.Status.UNDER_REVIEW
    assert client.post(url, {"decision": "1", "note": ""}).status_code == 302
    poor.refresh_from_db()
    assert poor.status == Rating.Status.COUNTED
    assert client.get(url).status_code == 404  # decided: no longer in the queue


def test_r12_only_regulators_reach_the_poor_rating_queue(client, finished):
    poor = rate(finished, scores={**GOOD, "fees": 1}, reason="额外收费")
    client.force_login(admin_of(finished.agency.organisation))
    assert client.get("/admin/poor-ratings/").status_code in (302, 403)
    assert client.post(
        f"/admin/poor-ratings/{poor.pk}/", {"decision": "0", "note": "x"}
    ).status_code in (302, 403)
    poor.refresh_from_db()
    assert poor.status == Rating.Status.UNDER_REVIEW


def test_r12_the_owner_is_reminded_to_rate_once_per_reminder_day():
    accepted = timezone.make_aware(datetime.datetime(2026, 11, 2, 10))
    contract = ContractFactory(
        status=Contract.Status.ACCEPTED, used_workdays=5, accepted_at=accepted
    )
    owner_admin = admin_of(contract.owner)
    assert ratings_remind(today=datetime.date(2026, 11, 4)) == 0  # day 2: too early
    assert ratings_remind(today=datetime.date(2026, 11, 5)) == 1  # day 3
    assert ratings_remind(today=datetime.date(2026, 11, 5)) == 0  # the same day again
    assert [m.to for m in mail.outbox] == [[owner_admin.email]]
    assert contract.number in mail.outbox[0].subject
    assert ratings_remind(today=datetime.date(2026, 11, 12)) == 1  # day 10
    rate(contract)
    assert ratings_remind(today=datetime.date(2026, 11, 20)) == 0  # rated: nothing more


def test_r12_a_delivery_waiting_for_the_owner_reminds_both_parties():
    contract = ContractFactory(
        status=Contract.Status.DELIVERED, paused_since=datetime.date(2026, 11, 2)
    )
    admins = {admin_of(contract.owner).email, admin_of(contract.agency.organisation).email}
    assert ratings_remind(today=datetime.date(2026, 11, 6)) == 0  # 4 working days
    assert ratings_remind(today=datetime.date(2026, 11, 9)) == 1  # 5 working days
    assert ratings_remind(today=datetime.date(2026, 11, 10)) == 0
    assert sorted(len(m.to) for m in mail.outbox) == [1, 1]  # each party its own message
    assert {m.to[0] for m in mail.outbox} == admins
