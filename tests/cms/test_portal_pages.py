"""The portal's Wagtail pages: each renders, the notice centre reads the marketplace as it is
(never a copy), the home page's figures are the data's, and a catalogue item and its service
guide link to each other."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from accounts.models import Role
from agencies.models import Agency
from cms.models import (
    HomePage,
    NewsIndexPage,
    NewsPage,
    NoticeCentrePage,
    PolicyIndexPage,
    PolicyPage,
    PortalSettings,
    ServiceGuideIndexPage,
    ServiceGuidePage,
)
from cms.selectors import NOTICE_TABS
from contracts.models import Contract
from credit.models import BlacklistEntry, Inspection, Violation
from market.models import PurchaseRequest
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import AgencyFactory
from tests.catalogue.factories import ServiceItemFactory
from tests.contracts.factories import ContractFactory
from tests.market.factories import PurchaseRequestFactory
from tests.pages import queries_for

pytestmark = pytest.mark.django_db

Status = PurchaseRequest.Status


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def home():
    return HomePage.objects.get()


@pytest.fixture
def notice_centre(home):
    return _publish(home, NoticeCentrePage(title="公告中心", slug="notice-centre"))


def _tab(client, site_page, tab: str, **params) -> str:
    response = client.get(site_page.url, {"type": tab, **params})
    assert response.status_code == 200
    return response.content.decode()


def _listed_numbers(html: str, prefix: str) -> set[str]:
    return set(re.findall(rf">({prefix}-T-\d+)<", html))


def test_r9_notice_centre_tabs_list_each_kind_from_the_marketplace(client, notice_centre):
    quoting = PurchaseRequestFactory(status=Status.QUOTING)
    awarded = PurchaseRequestFactory(status=Status.AWARDED)
    failed = PurchaseRequestFactory(status=Status.FAILED)
    cancelled = PurchaseRequestFactory(status=Status.CANCELLED)
    PurchaseRequestFactory(status=Status.DRAFT)  # never published: on no tab

    purchase = _listed_numbers(_tab(client, notice_centre, "purchase"), "ZJCG")
    assert purchase == {quoting.number, awarded.number, failed.number, cancelled.number}
    assert _listed_numbers(_tab(client, notice_centre, "award"), "ZJCG") == {awarded.number}
    assert _listed_numbers(_tab(client, notice_centre, "failure"), "ZJCG") == {
        failed.number,
        cancelled.number,
    }

    in_force = ContractFactory()
    ContractFactory(status=Contract.Status.AWAITING_AGENCY, in_force_at=None)  # not public yet
    assert _listed_numbers(_tab(client, notice_centre, "contract"), "ZJHT") == {in_force.number}


def test_a_new_award_is_on_the_notice_centre_without_editing_the_page(client, notice_centre):
    revisions = notice_centre.revisions.count()
    assert _listed_numbers(_tab(client, notice_centre, "award"), "ZJCG") == set()

    award = PurchaseRequestFactory(status=Status.AWARDED)

    assert _listed_numbers(_tab(client, notice_centre, "award"), "ZJCG") == {award.number}
    assert notice_centre.revisions.count() == revisions  # nothing was copied into the page


def test_r11_notice_centre_blacklist_and_inspection_tabs(client, notice_centre):
    agency = AgencyFactory()
    regulator = OrganisationFactory(kind=Role.REGULATOR)
    recorder = UserFactory(organisation=regulator)
    today = timezone.localdate()
    violation = Violation.objects.create(
        agency=agency,
        kind=Violation.Kind.ABANDONED_SELECTION,
        severity="serious",
        facts="放弃中选资格",
        evidence="系统记录",
        authority=regulator,
        legal_basis="《中介超市管理办法》第二十条",
        occurred_on=today - datetime.timedelta(days=30),
        decided_at=timezone.now(),
        source=Violation.Source.REGULATOR,
        status="in_force",
    )
    entry = dict(
        agency=agency,
        violation=violation,
        authority=regulator,
        legal_basis="《中介超市管理办法》第二十二条",
        listed_by=recorder,
        listed_at=timezone.now(),
    )
    BlacklistEntry.objects.create(
        **entry,
        reason="出具虚假报告（在列）",
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=360),
    )
    BlacklistEntry.objects.create(
        **entry,
        reason="逾期未改正（已期满）",
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=10),
    )
    Inspection.objects.create(
        agency=agency,
        inspected_on=today - datetime.timedelta(days=3),
        authority=regulator,
        result=Inspection.Result.CORRECTED,
        findings="档案缺少签字页",
        recorded_by=recorder,
        recorded_at=timezone.now(),
    )

    blacklist = _tab(client, notice_centre, "blacklist")
    assert "出具虚假报告（在列）" in blacklist and "逾期未改正（已期满）" not in blacklist
    assert "档案缺少签字页" in _tab(client, notice_centre, "inspection")
    assert "档案缺少签字页" not in blacklist


def test_notice_centre_tabs_are_links_and_unknown_types_fall_back(client, notice_centre):
    html = _tab(client, notice_centre, "nonsense")
    for tab in ("purchase", "award", "failure", "contract", "blacklist", "inspection"):
        assert f'href="?type={tab}"' in html
    assert 'href="?type=purchase" aria-current="page"' in html
    assert 'href="?type=award" aria-current="page"' in _tab(client, notice_centre, "award")


def test_notice_centre_tabs_are_paginated_keeping_the_tab(client, notice_centre):
    PurchaseRequestFactory.create_batch(25, status=Status.AWARDED)
    first = _tab(client, notice_centre, "award")
    assert len(_listed_numbers(first, "ZJCG")) == 20
    assert "?type=award&amp;page=2" in first
    assert len(_listed_numbers(_tab(client, notice_centre, "award", page=2), "ZJCG")) == 5


@pytest.mark.parametrize("tab", ["purchase", "award", "contract"])
def test_notice_centre_query_count_is_constant(client, notice_centre, tab):
    PurchaseRequestFactory(status=Status.AWARDED)
    ContractFactory()
    small = queries_for(client, notice_centre.url, {"type": tab})
    PurchaseRequestFactory.create_batch(8, status=Status.AWARDED)
    ContractFactory.create_batch(5)
    assert queries_for(client, notice_centre.url, {"type": tab}) == small


def test_home_figures_are_the_data(client, home, notice_centre):
    ServiceItemFactory.create_batch(2)
    AgencyFactory.create_batch(3)
    AgencyFactory(status=Agency.Status.PENDING)
    PurchaseRequestFactory.create_batch(2, status=Status.QUOTING)
    PurchaseRequestFactory(status=Status.PUBLISHED)
    PurchaseRequestFactory(status=Status.AWARDED)  # no longer open
    # Two finished contracts: 6 of 20 and 14 of 20 statutory days used, 50% on average.
    ContractFactory(status=Contract.Status.ACCEPTED, used_workdays=6)
    ContractFactory(status=Contract.Status.ACCEPTED, used_workdays=14)

    response = client.get("/")
    context = response.context
    assert context["active_agency_count"] == Agency.objects.filter(status="active").count()
    assert context["open_notice_count"] == 3
    assert context["delivery_record"].average_time_ratio == pytest.approx(0.5)
    html = response.content.decode()
    assert "<strong>3</strong>" in html and "<strong>50%</strong>" in html
    # The latest notices end with a link to the notice centre.
    assert f'<p class="more"><a href="{notice_centre.url}">' in html


def test_home_page_offers_an_entry_for_each_role(client):
    html = client.get("/").content.decode()
    entries = html.split('class="role-entries"')[1].split("</ul>")[0]
    assert entries.count('class="role-entry"') == 4
    assert 'href="/agencies/register/"' in entries
    assert 'href="/accounts/login/?next=/accounts/workspace/"' in entries
    assert 'href="/accounts/login/?next=/admin/"' in entries
    assert 'href="/catalogue/"' in entries and 'href="/search/"' in entries


def test_signed_in_owner_goes_straight_to_the_workspace(client, owner_user):
    client.force_login(owner_user)
    entries = client.get("/").content.decode().split('class="role-entries"')[1]
    assert 'href="/accounts/workspace/"' in entries


def test_policy_and_news_pages_render_with_their_index(client, home):
    policies = _publish(home, PolicyIndexPage(title="政策法规", slug="policies"))
    policy = _publish(
        policies,
        PolicyPage(
            title="行动计划",
            slug="plan",
            issued_by="眉山市彭山区人民政府",
            issued_on=datetime.date(2020, 1, 9),
            body=[("heading", "一、总体要求"), ("paragraph", "<p>持续推进改革。</p>")],
        ),
    )
    news_index = _publish(home, NewsIndexPage(title="新闻动态", slug="news"))
    news = _publish(
        news_index,
        NewsPage(title="平台上线", slug="online", date=datetime.date(2026, 9, 1), summary="上线"),
    )
    html = client.get(policy.url).content.decode()
    assert "<h2>一、总体要求</h2>" in html and "持续推进改革。" in html and "2020-01-09" in html
    assert f'href="{policy.url}"' in client.get(policies.url).content.decode()
    assert "2026-09-01" in client.get(news.url).content.decode()
    assert f'href="{news.url}"' in client.get(news_index.url).content.decode()


def test_r10_service_guide_and_catalogue_item_link_both_ways(client, home):
    item = ServiceItemFactory(guide_steps="发布采购需求\n签订示范合同")
    other = ServiceItemFactory()
    guides = _publish(home, ServiceGuideIndexPage(title="办事指南", slug="guides"))
    guide = _publish(
        guides,
        ServiceGuidePage(title="办事指南一", slug="guide-1", service_item=item, body="<p>提示</p>"),
    )
    html = client.get(guide.url).content.decode()
    assert f'href="/catalogue/{item.code}/"' in html and "<li>签订示范合同</li>" in html
    assert f'href="{guide.url}"' in client.get(f"/catalogue/{item.code}/").content.decode()
    assert (
        'class="service-guide-link"' not in client.get(f"/catalogue/{other.code}/").content.decode()
    )
    # An unpublished guide is not linked.
    guide.unpublish()
    assert f'href="{guide.url}"' not in client.get(f"/catalogue/{item.code}/").content.decode()


def test_footer_shows_the_site_settings(client):
    settings_row = PortalSettings.objects.get(site=Site.objects.get(is_default_site=True))
    settings_row.address = "彭祖大道二段"
    settings_row.phone = "028-37600000"
    settings_row.email = "zjcs@example.org"
    settings_row.icp_number = "蜀ICP备00000000号-1"
    settings_row.public_security_number = "川公网安备51140300000000号"
    settings_row.save()
    footer = client.get("/catalogue/").content.decode().split('class="site-footer"')[1]
    for value in (
        settings_row.organiser,
        "彭祖大道二段",
        'href="tel:028-37600000"',
        'href="mailto:zjcs@example.org"',
        "蜀ICP备00000000号-1",
        "川公网安备51140300000000号",
    ):
        assert value in footer, value
    assert '<address class="site-contact">' in footer


def test_a_page_view_writes_nothing(client, notice_centre):
    PurchaseRequestFactory(status=Status.AWARDED)
    urls = ["/", "/catalogue/"] + [f"{notice_centre.url}?type={tab}" for tab in NOTICE_TABS]
    with CaptureQueriesContext(connection) as queries:
        for url in urls:
            assert client.get(url).status_code == 200, url
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_the_front_page_links_the_notice_centre_as_the_header_does_reading_sections_once(
    client, notice_centre
):
    def sections_read(queries) -> int:
        return sum(
            '"wagtailcore_page"' in query["sql"] and '"django_content_type"' in query["sql"]
            for query in queries.captured_queries
        )

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    # The header's section link, "where to start" and the latest notices' "more".
    assert page.count(f'href="{notice_centre.url}"') == 3
    assert sections_read(queries) == 1
    # Unpublished, it leaves the header and the front page alike: "more" leads to the notices.
    url = notice_centre.url
    notice_centre.unpublish()
    page = client.get("/").content.decode()
    assert f'href="{url}"' not in page
    assert 'class="more"><a href="/notices/"' in page
