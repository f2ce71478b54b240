"""Finding 8: a request that was never published — a draft, or a draft cancelled before
publishing — is on no public path (notice list and page, the draw verification page and its
JSON, the home page), and cancelling a draft does not publish it. A request cancelled after
publication stays a public notice. One selector decides: market.selectors
.purchase_requests_ever_published."""

import pytest
import time_machine
from django.urls import reverse

from market.models import PurchaseRequest
from market.selectors import purchase_requests_ever_published
from market.services.requests import purchase_request_cancel
from tests.market.scenario import NOW, Market

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def market():
    return Market()


def _public_paths(number: str) -> list[str]:
    return [
        f"/notices/{number}/",
        f"/verify/draw/{number}/",
        f"/verify/draw/{number}/?format=json",
    ]


def _listed(client, number: str) -> bool:
    return any(number in client.get(url).content.decode() for url in ("/notices/", "/"))


def test_finding_8_a_draft_is_on_no_public_path(market, client):
    draft = market.draft()
    for url in _public_paths(draft.number):
        assert client.get(url).status_code == 404, url
    assert not _listed(client, draft.number)


def test_finding_8_cancelling_a_draft_does_not_publish_it(market, client):
    draft = purchase_request_cancel(
        actor=market.owner, purchase_request=market.draft(), reason="项目取消"
    )
    assert draft.status == Status.CANCELLED and draft.published_at is None

    for url in _public_paths(draft.number):
        assert client.get(url).status_code == 404, url
    assert not _listed(client, draft.number)
    # Nor do the agencies' pages show it, nor does the owner's page link to a notice.
    client.force_login(market.admins[0])
    assert client.get(f"/my/quotes/{draft.number}/").status_code == 404
    client.force_login(market.owner)
    owner_page = client.get(reverse("owner:request_detail", args=[draft.number]))
    assert owner_page.status_code == 200
    assert f"/notices/{draft.number}/" not in owner_page.content.decode()


def test_finding_8_a_request_cancelled_after_publication_stays_a_public_notice(market, client):
    published = purchase_request_cancel(
        actor=market.owner, purchase_request=market.published(), reason="项目调整"
    )
    assert published.status == Status.CANCELLED
    page = client.get(f"/notices/{published.number}/")
    assert page.status_code == 200 and "项目调整" in page.content.decode()
    assert client.get(f"/verify/draw/{published.number}/").status_code == 200
    assert _listed(client, published.number)


def test_finding_8_the_selector_follows_the_status_history(market):
    never = [market.draft(), market.draft()]
    purchase_request_cancel(actor=market.owner, purchase_request=never[1], reason="取消")
    ever = [market.published(), market.published()]
    purchase_request_cancel(actor=market.owner, purchase_request=ever[1], reason="取消")

    public = set(purchase_requests_ever_published().values_list("pk", flat=True))
    for purchase_request in never + ever:
        was_published = purchase_request.status_events.filter(to_status=Status.PUBLISHED).exists()
        assert (purchase_request.pk in public) == was_published
    assert public == {purchase_request.pk for purchase_request in ever}
