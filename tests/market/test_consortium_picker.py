"""Finding 7: the consortium (联合体, R7) picker on an agency's quote page lists nobody by
default; a search by name shows at most ten agencies active on the roster and eligible for the
request, never the agency itself; only an active agency's administrators open the page; and
the service refuses a member that is not an active eligible agency."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation
from agencies.models import Agency
from agencies.services import agency_scope_recompute
from market.models import Quote
from market.selectors import CONSORTIUM_SEARCH_LIMIT
from market.services.quotes import MemberShare
from tests.accounts.factories import UserFactory
from tests.agencies.factories import AgencyFactory
from tests.market.scenario import NOW, Market
from tests.refusals import refused

pytestmark = pytest.mark.django_db
Status = Agency.Status
PARTNER_WORD = "联合测绘"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def market():
    return Market()


def _url(purchase_request) -> str:
    return f"/my/quotes/{purchase_request.number}/"


def _named(agency: Agency, name: str) -> Agency:
    Organisation.objects.filter(pk=agency.organisation_id).update(name=name)
    agency.organisation.refresh_from_db()
    return agency


def _partner(name: str, status=Status.ACTIVE) -> Agency:
    """An agency qualified for the market's item, with `name`, in `status`."""
    agency = _named(AgencyFactory(), name)
    agency_scope_recompute(agency=agency)
    Agency.objects.filter(pk=agency.pk).update(status=status)
    agency.refresh_from_db()
    return agency


def _offered(response) -> list[int]:
    choices = response.context["form"].fields["member_1"].widget.choices
    return [value for value, _label in choices if value != ""]


def test_finding_7_the_quote_page_lists_no_agency_by_default(market, client):
    purchase_request = market.published()
    client.force_login(market.admins[0])

    page = client.get(_url(purchase_request))

    assert page.status_code == 200
    assert _offered(page) == []
    html = page.content.decode()
    for other in market.agencies[1:]:
        assert other.organisation.name not in html


def test_finding_7_a_search_shows_at_most_ten_active_eligible_agencies(market, client):
    # Given more eligible partners than are shown, and pending, suspended and exited agencies
    # (each once qualified for the item) whose names match too;
    active = [_partner(f"眉山{PARTNER_WORD}{n:02d}有限公司") for n in range(12)]
    hidden = [
        _partner(f"{status}{PARTNER_WORD}有限公司", status)
        for status in (Status.PENDING, Status.SUSPENDED, Status.EXITED)
    ]
    lead = _named(market.agencies[0], f"本机构{PARTNER_WORD}有限公司")
    purchase_request = market.published()
    client.force_login(market.admins[0])

    # when the agency searches by part of a name,
    with CaptureQueriesContext(connection) as queries:
        page = client.get(_url(purchase_request), {"member_search": PARTNER_WORD})

    # at most ten active eligible partners are shown, never itself nor an inactive agency,
    assert page.status_code == 200
    found = [row["agency"] for row in page.context["picker"]["members_found"]]
    assert len(found) == CONSORTIUM_SEARCH_LIMIT == 10
    assert {agency.pk for agency in found} <= {agency.pk for agency in active}
    assert _offered(page) == [agency.pk for agency in found]
    html = page.content.decode()
    for agency in hidden:
        assert agency.organisation.name not in html
    assert lead.pk not in _offered(page)
    # and reading the page wrote nothing.
    assert not [q for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE")]


def test_finding_7_a_one_character_search_lists_nobody(market, client):
    _partner(f"眉山{PARTNER_WORD}有限公司")
    purchase_request = market.published()
    client.force_login(market.admins[0])
    page = client.get(_url(purchase_request), {"member_search": "眉"})
    assert _offered(page) == []
    assert page.context["picker"]["member_search_too_short"]


def test_finding_7_partners_picked_in_earlier_searches_are_kept_and_nothing_else_named(
    market, client
):
    first = _partner(f"甲{PARTNER_WORD}有限公司")
    second = _partner("乙勘察设计有限公司")
    pending = _partner(f"丙{PARTNER_WORD}有限公司", Status.PENDING)
    purchase_request = market.published()
    client.force_login(market.admins[0])

    page = client.get(_url(purchase_request), {"member_search": PARTNER_WORD})
    add_url = next(
        row["add_url"]
        for row in page.context["picker"]["members_found"]
        if row["agency"].pk == first.pk
    )
    page = client.get(_url(purchase_request) + add_url.split("#")[0])
    assert page.context["form"]["member_1"].value() == first.pk

    # A later search keeps the first pick; an id that is no possible partner shows nothing.
    page = client.get(
        _url(purchase_request),
        {"member_search": "勘察", "member": [first.pk, pending.pk]},
    )
    assert [agency.pk for agency in page.context["picker"]["members_chosen"]] == [first.pk]
    assert set(_offered(page)) == {first.pk, second.pk}
    assert pending.organisation.name not in page.content.decode()


@pytest.mark.parametrize("status", [Status.PENDING, Status.SUSPENDED, Status.EXITED])
def test_finding_7_only_an_active_agencys_administrators_open_the_quote_page(
    market, client, status
):
    purchase_request = market.published()
    Agency.objects.filter(pk=market.agencies[0].pk).update(status=status)
    client.force_login(market.admins[0])
    assert client.get(_url(purchase_request)).status_code == 403
    assert client.get(_url(purchase_request), {"member_search": "测试"}).status_code == 403
    assert client.post(_url(purchase_request), {"amount": "90000"}).status_code == 403
    assert not Quote.objects.exists()


def test_finding_7_a_member_of_an_active_agency_who_does_not_administer_it_is_refused(
    market, client
):
    purchase_request = market.published()
    member = UserFactory(organisation=market.agencies[0].organisation, is_organisation_admin=False)
    client.force_login(member)
    assert client.get(_url(purchase_request)).status_code == 403


@pytest.mark.parametrize("status", [Status.PENDING, Status.SUSPENDED, Status.EXITED])
def test_finding_7_the_service_refuses_a_member_that_is_not_active(market, status):
    purchase_request = market.published()
    inactive = _partner(f"{status}{PARTNER_WORD}有限公司", status)
    with refused("member_not_eligible"):
        market.quote(
            purchase_request, 0, "90000", members=[MemberShare(agency=inactive, share="测绘")]
        )
    assert not Quote.objects.exists()


def test_finding_7_the_service_refuses_the_agency_as_its_own_member(market):
    purchase_request = market.published()
    with refused("member_not_eligible"):
        market.quote(
            purchase_request,
            0,
            "90000",
            members=[MemberShare(agency=market.agencies[0], share="测绘")],
        )


def test_finding_7_the_service_refuses_the_same_member_twice(market):
    purchase_request = market.published()
    partner = market.agencies[1]
    with refused("member_repeated"):
        market.quote(
            purchase_request,
            0,
            "90000",
            members=[
                MemberShare(agency=partner, share="测绘"),
                MemberShare(agency=partner, share="勘察"),
            ],
        )
    assert not Quote.objects.exists()
