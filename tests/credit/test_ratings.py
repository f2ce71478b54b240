"""Rating a finished service (好差评, R12), tried as the party who gains from getting round
each rule would try: an owner rating before acceptance, twice, another owner's contract, or
sinking an agency with an unexplained 1; an agency replying twice; a department rating a
contract that is not its item's."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role
from contracts.models import Contract
from credit.models import Rating
from credit.services.ratings import rating_change, rating_reply, rating_review, rating_submit
from tests.accounts.factories import OrganisationFactory
from tests.contracts.factories import ContractFactory, admin_of
from tests.refusals import refused

pytestmark = pytest.mark.django_db

GOOD = {"quality": 5, "timeliness": 4, "attitude": 5, "fees": 4, "conduct": 5}


@pytest.fixture
def finished():
    return ContractFactory(status=Contract.Status.ACCEPTED, used_workdays=8)


def rate(contract, user=None, **changes):
    return rating_submit(
        actor=user or admin_of(contract.owner),
        contract=contract,
        rater=changes.pop("rater", "owner"),
        scores=changes.pop("scores", GOOD),
        **changes,
    )


def test_r12_the_owner_rates_a_finished_service_on_five_aspects(finished):
    rating = rate(finished, comment="报告质量好，按时交付")

    assert rating.status == Rating.Status.COUNTED
    assert rating.scores == GOOD and rating.agency == finished.agency
    assert rating.organisation == finished.owner


def test_r12_no_rating_before_the_work_is_accepted():
    contract = ContractFactory(status=Contract.Status.DELIVERED)

    with refused("not_finished"):
        rate(contract)
    assert not Rating.objects.exists()


def test_r12_a_second_rating_is_refused(finished):
    rate(finished)

    with refused("already_rated"):
        rate(finished, scores={**GOOD, "quality": 1}, reason="再评一次")
    assert Rating.objects.get().quality == 5


def test_r12_no_one_rates_another_owners_contract(finished):
    stranger = admin_of(OrganisationFactory(kind=Role.PROJECT_OWNER))

    with refused("not_owner_admin"):
        rate(finished, user=stranger)
    with refused("not_owner_admin"):
        rate(finished, user=admin_of(finished.agency.organisation))


def test_r12_every_score_out_of_range_is_reported_at_once_and_nothing_saved(finished):
    with refused("score_out_of_range") as caught:
        rate(finished, scores={"quality": 0, "timeliness": 6, "attitude": "五", "fees": 4.5})

    assert set(caught.value.extra) == {"quality", "timeliness", "attitude", "fees", "conduct"}
    assert not Rating.objects.exists()


def test_r12_a_poor_rating_needs_its_reason_and_counts_only_once_upheld(finished):
    poor = {**GOOD, "timeliness": 1}
    with refused("reason_required"):
        rate(finished, scores=poor)

    rating = rate(finished, scores=poor, reason="逾期十五个工作日才交付")
    assert rating.status == Rating.Status.UNDER_REVIEW

    regulator = admin_of(OrganisationFactory(kind=Role.REGULATOR))
    with refused("not_regulator"):
        rating_review(actor=admin_of(finished.owner), rating=rating, upheld=True)
    with refused("note_required"):
        rating_review(actor=regulator, rating=rating, upheld=False)
    rating_review(actor=regulator, rating=rating, upheld=True, note="经核实，确有逾期")
    rating.refresh_from_db()
    assert rating.status == Rating.Status.COUNTED
    with refused("not_under_review"):
        rating_review(actor=regulator, rating=rating, upheld=False, note="改判")


def test_r12_the_department_rates_quality_and_timeliness_of_its_items_only(finished):
    department = finished.purchase_request.service_item.approval_department
    other = admin_of(OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT))
    scores = {"quality": 4, "timeliness": 5}

    with refused("not_contract_department"):
        rate(finished, user=other, rater="department", scores=scores)
    rating = rate(finished, user=admin_of(department), rater="department", scores=scores)

    assert rating.scores == scores
    assert rating.organisation == department


def test_r12_the_agency_replies_once(finished):
    rating = rate(finished)
    agency_admin = admin_of(finished.agency.organisation)

    with refused("not_agency_admin"):
        rating_reply(actor=admin_of(finished.owner), rating=rating, text="自己回复")
    with refused("reply_required"):
        rating_reply(actor=agency_admin, rating=rating, text="  ")
    rating_reply(actor=agency_admin, rating=rating, text="感谢业主的评价")
    with refused("already_replied"):
        rating_reply(actor=agency_admin, rating=rating, text="再回复一次")
    rating.refresh_from_db()
    assert rating.reply == "感谢业主的评价"


def test_r12_a_rating_may_be_changed_for_seven_days_then_it_is_frozen(finished):
    owner_admin = admin_of(finished.owner)
    rating = rate(finished, user=owner_admin)
    changed = rating_change(
        actor=owner_admin, rating=rating, scores={**GOOD, "fees": 2}, reason="额外收取了差旅费"
    )
    # Made poor, it goes to the regulator again.
    assert changed.status == Rating.Status.UNDER_REVIEW and changed.fees == 2

    later = timezone.now() + datetime.timedelta(days=7, seconds=1)
    with time_machine.travel(later), refused("rating_frozen"):
        rating_change(actor=owner_admin, rating=rating, scores=GOOD)


# Pages ------------------------------------------------------------------------------------------


def test_r12_the_owner_rates_from_the_contract_page_and_the_agencys_page_shows_it(client, finished):
    owner_admin = admin_of(finished.owner)
    client.force_login(owner_admin)
    page = client.get(f"/my/contracts/{finished.number}/").content.decode()
    url = f"/credit/contracts/{finished.number}/rate/owner/"
    assert f'href="{url}"' in page

    # Mistakes: a missing score and a poor one without its reason, reported together.
    response = client.post(url, {"quality": "5", "timeliness": "1", "attitude": "5", "fees": "4"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"conduct", "reason"}
    assert not Rating.objects.exists()
    response = client.post(url, {**{k: str(v) for k, v in GOOD.items()}, "comment": "很好"})
    assert response.status_code == 302
    assert Rating.objects.get().comment == "很好"
    assert f'href="{url}"' not in client.get(f"/my/contracts/{finished.number}/").content.decode()

    public = client.get(f"/agencies/{finished.agency.pk}/").content.decode()
    assert "很好" in public and "4.0 / 5" in public


def test_r12_a_poor_rating_under_review_is_not_on_the_agencys_page(client, finished):
    rate(finished, scores={**GOOD, "conduct": 1}, reason="索要好处费", comment="态度恶劣")

    public = client.get(f"/agencies/{finished.agency.pk}/").content.decode()

    assert "态度恶劣" not in public


def test_r12_the_agency_replies_from_the_contract_page(client, finished):
    rating = rate(finished, comment="交付及时")
    client.force_login(admin_of(finished.agency.organisation))
    url = f"/credit/contracts/{finished.number}/ratings/{rating.pk}/reply/"
    assert f'href="{url}"' in client.get(f"/my/contracts/{finished.number}/").content.decode()

    assert client.post(url, {"text": ""}).status_code == 200
    assert client.post(url, {"text": "谢谢"}).status_code == 302
    rating.refresh_from_db()
    assert rating.reply == "谢谢"
