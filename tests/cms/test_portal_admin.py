"""The back office: the site's colours, the regulator's dashboard, and the purchase requests
list and page for regulators — never a quote's amount before opening."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from agencies.models import Agency
from cms.models import PortalSettings
from market.models import Objection, PurchaseRequest
from tests.accounts.factories import UserFactory
from tests.agencies.factories import AgencyFactory
from tests.market.factories import PurchaseRequestFactory
from tests.market.scenario import NOW, Market, close_and_draw

pytestmark = pytest.mark.django_db

AMOUNT = "87654.32"


def _pending_agency(**fields):
    return AgencyFactory(
        status=Agency.Status.PENDING,
        submitted_at=NOW,
        review_due=datetime.date(2026, 11, 20),
        **fields,
    )


def test_admin_carries_the_site_colours_and_name(client, regulator_user):
    client.force_login(regulator_user)
    html = client.get("/admin/").content.decode()
    assert "css/admin-brand.css" in html
    assert "<title>控制面板 - 行政审批中介服务网上超市</title>" in html
    # No version for anyone to look up, no guides on an English site outside.
    assert "Wagtail v" not in html
    assert "whats-new-in-wagtail" not in html and "editor-guide" not in html
    assert "keyboard-shortcuts" in html


def test_regulator_dashboard_shows_the_queues(client, regulator_user):
    agency = _pending_agency()
    objection = Objection.objects.create(
        purchase_request=PurchaseRequestFactory(status=PurchaseRequest.Status.AWARDED),
        filed_by=regulator_user,
        text="评审有误",
    )
    client.force_login(regulator_user)
    response = client.get("/admin/")
    html = response.content.decode()
    assert 'id="regulator-queues' in html
    assert reverse("agency_review:agency", args=(agency.pk,)) in html
    assert "2026-11-20" in html  # the review's working-day deadline
    assert reverse("market_objections:answer", args=(objection.pk,)) in html


def test_dashboard_panel_is_for_regulators_only(client, approval_user):
    _pending_agency()
    client.force_login(approval_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert 'id="regulator-queues' not in response.content.decode()


def _admin_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/").status_code == 200
    return len(queries)


def test_dashboard_query_count_is_constant(client, regulator_user):
    _pending_agency()
    client.force_login(regulator_user)
    client.get("/admin/")
    small = _admin_queries(client)
    for _ in range(8):
        _pending_agency()
        Objection.objects.create(
            purchase_request=PurchaseRequestFactory(status=PurchaseRequest.Status.AWARDED),
            filed_by=regulator_user,
            text="评审有误",
        )
    assert _admin_queries(client) == small


# Purchase requests -------------------------------------------------------------------------


@pytest.fixture
def sealed(db):
    with time_machine.travel(NOW, tick=False):
        market = Market()
        purchase_request = market.published()
        market.quote(purchase_request, 0, AMOUNT)
        market.quote(purchase_request, 1, "99000")
        yield purchase_request


def test_purchase_requests_list_never_shows_an_amount_before_opening(
    client, sealed, regulator_user
):
    purchase_request = sealed
    client.force_login(regulator_user)
    with time_machine.travel(NOW, tick=False):
        listing = client.get(reverse("market_purchase_requests"))
        detail = client.get(reverse("market_purchase_request", args=(purchase_request.pk,)))
    for response in (listing, detail):
        assert response.status_code == 200
        html = response.content.decode()
        assert AMOUNT not in html and "87654" not in html and "99000" not in html
        assert purchase_request.number in html
    assert listing.context["rows"][0][0].quote_count == 2
    assert detail.context["purchase_request"].quote_count == 2


def test_purchase_request_page_after_opening_links_to_the_notice(client, sealed, regulator_user):
    purchase_request = sealed
    with time_machine.travel(NOW, tick=False) as clock:
        close_and_draw(clock, purchase_request)
        client.force_login(regulator_user)
        html = client.get(
            reverse("market_purchase_request", args=(purchase_request.pk,))
        ).content.decode()
    assert f'href="/notices/{purchase_request.number}/"' in html
    assert "87654" not in html  # the notice has it; this page does not copy it
    events = [line for line in html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>") if line]
    assert len(events) >= 3  # published, quoting, closed … each a row of the history


def test_purchase_requests_list_filters_by_status(client, regulator_user):
    draft = PurchaseRequestFactory(status=PurchaseRequest.Status.DRAFT)
    awarded = PurchaseRequestFactory(status=PurchaseRequest.Status.AWARDED)
    client.force_login(regulator_user)
    response = client.get(reverse("market_purchase_requests"), {"status": "draft"})
    listed = [row[0].pk for row in response.context["rows"]]
    assert listed == [draft.pk]
    response = client.get(reverse("market_purchase_requests"), {"owner": awarded.project.owner.pk})
    assert [row[0].pk for row in response.context["rows"]] == [awarded.pk]


def test_purchase_requests_list_query_count_is_constant(client, regulator_user):
    PurchaseRequestFactory.create_batch(2)
    client.force_login(regulator_user)
    url = reverse("market_purchase_requests")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    PurchaseRequestFactory.create_batch(15)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_purchase_requests_are_for_regulators_only(client, approval_user, owner_user):
    purchase_request = PurchaseRequestFactory()
    for user in (approval_user, owner_user):
        client.force_login(user)
        for url in (
            reverse("market_purchase_requests"),
            reverse("market_purchase_request", args=(purchase_request.pk,)),
        ):
            assert client.get(url).status_code in (302, 403), (user, url)


def test_platform_administrator_edits_the_footer_settings(client):
    admin = UserFactory(organisation=None, is_organisation_admin=False, is_superuser=True)
    site = Site.objects.get(is_default_site=True)
    client.force_login(admin)
    url = reverse("wagtailsettings:edit", args=("cms", "portalsettings", site.pk))
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "organiser": "眉山市彭山区行政审批局",
            "address": "彭祖大道二段",
            "phone": "028-37600000",
            "email": "zjcs@example.org",
            "icp_number": "蜀ICP备00000000号-1",
            "public_security_number": "",
        },
    )
    assert response.status_code == 302
    assert PortalSettings.objects.get(site=site).icp_number == "蜀ICP备00000000号-1"
