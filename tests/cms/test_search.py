import itertools
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from accounts.models import Role
from agencies.models import Agency, AgencyServiceScope
from cms.models import PolicyIndexPage, PolicyPage
from market.models import PurchaseRequest, SelectionMethod
from tests.accounts.factories import OrganisationFactory
from tests.agencies.factories import AgencyFactory
from tests.catalogue.factories import ServiceItemFactory
from tests.market.factories import PurchaseRequestFactory

ENVIRONMENT = "环境影响评价文件编制"

# Elasticsearch at a port nothing listens on, beside the database's own index: what the
# settings hold when a cluster is configured and down.
ELASTICSEARCH_DOWN = {
    "default": {
        "BACKEND": "core.search_backends",
        "URLS": ["http://127.0.0.1:1"],
        "INDEX_PREFIX": "test_down_",
        "TIMEOUT": 1,
    },
    "database": {"BACKEND": "wagtail.search.backends.database"},
}


def _serve(agency: Agency, item) -> None:
    AgencyServiceScope.objects.create(agency=agency, service_item=item, in_scope=True)


@pytest.fixture
def market(search_index, django_capture_on_commit_callbacks):
    """An environmental-impact item and a survey item, agencies serving each, notices."""
    with django_capture_on_commit_callbacks(execute=True):  # the index is updated on commit
        environment_department = OrganisationFactory(
            kind=Role.APPROVAL_DEPARTMENT, name="眉山市彭山生态环境局"
        )
        environment = ServiceItemFactory(
            name=ENVIRONMENT, code="PS-ZJ-001", approval_department=environment_department
        )
        survey = ServiceItemFactory(name="房产测绘", code="PS-ZJ-002")
        green = AgencyFactory(
            organisation__name="四川绿源咨询有限公司",
            organisation__region="成都市",
            credit_grade="A",
        )
        blue = AgencyFactory(organisation__name="四川蓝天技术服务有限公司", credit_grade="C")
        surveyor = AgencyFactory(organisation__name="眉山精准测绘有限公司", credit_grade="A")
        _serve(green, environment)
        _serve(blue, environment)
        _serve(surveyor, survey)
        hidden = AgencyFactory(organisation__name="四川待审环境咨询有限公司")
        hidden.status = Agency.Status.PENDING
        hidden.save()
        _serve(hidden, environment)
        quoting = PurchaseRequestFactory(
            service_item=environment,
            project__name="彭山产业园污水处理厂",
            status=PurchaseRequest.Status.QUOTING,
        )
        failed = PurchaseRequestFactory(
            service_item=environment,
            project__name="彭山物流园道路",
            status=PurchaseRequest.Status.FAILED,
            selection_method=SelectionMethod.LOWEST_PRICE,
        )
        draft = PurchaseRequestFactory(
            service_item=environment,
            project__name="彭山未发布项目",
            status=PurchaseRequest.Status.DRAFT,
        )
    search_index.refresh()
    return {
        "environment": environment,
        "survey": survey,
        "department": environment_department,
        "green": green,
        "blue": blue,
        "surveyor": surveyor,
        "hidden": hidden,
        "quoting": quoting,
        "failed": failed,
        "draft": draft,
    }


def _group(html: str, kind: str) -> str:
    match = re.search(rf'<section class="search-group" data-kind="{kind}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def _kinds(html: str) -> list[str]:
    return re.findall(r'<section class="search-group" data-kind="(\w+)"', html)


@pytest.mark.parametrize("query", ["评价", "环评", "环境影响评价"])
def test_the_item_and_the_agencies_serving_it_are_found(client, market, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    items, agencies = _group(html, "items"), _group(html, "agencies")
    assert "/catalogue/PS-ZJ-001/" in items and "/catalogue/PS-ZJ-002/" not in items
    assert f"/agencies/{market['green'].pk}/" in agencies
    assert f"/agencies/{market['blue'].pk}/" in agencies
    assert f"/agencies/{market['surveyor'].pk}/" not in agencies
    # Only agencies on the roster, only notices ever published.
    assert f"/agencies/{market['hidden'].pk}/" not in html
    notices = _group(html, "notices")
    assert market["quoting"].number in notices and market["failed"].number in notices
    assert market["draft"].number not in html
    assert "data-search-degraded" not in html


def test_the_counts_of_each_kind_are_shown(client, market):
    html = client.get("/search/", {"q": "环评"}).content.decode()
    counts = dict(re.findall(r'data-kind="(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', html))
    assert counts == {"items": "1", "agencies": "2", "notices": "2", "pages": "0"}


def test_live_public_pages_are_found_by_their_words(client, market, search_index):
    # Pages are indexed by Wagtail as they are published, without Chinese search tokens of
    # their own: a whole word of their title is found, and its synonyms are.
    home = Site.objects.get(is_default_site=True).root_page
    guide = home.add_child(instance=Page(title="环评 办事指南", slug="guide-environment"))
    draft = home.add_child(instance=Page(title="环评 草稿", slug="draft-environment", live=False))
    search_index.refresh()

    for query in ("环评", "环境影响评价"):
        pages = _group(client.get("/search/", {"q": query}).content.decode(), "pages")
        assert guide.url in pages, query
        assert draft.slug not in pages


def test_a_portal_page_is_found_by_a_part_of_its_text(client, market, search_index):
    # Policy, news and guide pages carry Chinese search tokens: a word inside their running
    # text is found, as in the catalogue, and so is its abbreviation.
    home = Site.objects.get(is_default_site=True).root_page.specific
    policies = home.add_child(instance=PolicyIndexPage(title="政策法规", slug="policies"))
    policy = policies.add_child(
        instance=PolicyPage(
            title="关于优化营商环境的通知",
            slug="business-environment",
            summary="",
            body=[("paragraph", RichText("<p>建设项目应当依法开展环境影响评价。</p>"))],
        )
    )
    search_index.refresh()

    for query in ("评价", "环评"):
        pages = _group(client.get("/search/", {"q": query}).content.decode(), "pages")
        assert policy.url in pages, query
    assert policy.url not in _group(client.get("/search/", {"q": "水保"}).content.decode(), "pages")


def test_matches_are_marked_and_the_synonym_too(client, market):
    html = client.get("/search/", {"q": "环评"}).content.decode()
    assert "<mark>环境影响评价</mark>文件编制" in _group(html, "items")


def test_marked_names_stay_escaped(client, search_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ServiceItemFactory(name="<b>环境影响评价</b>&报告", code="PS-ZJ-099")
    search_index.refresh()
    html = client.get("/search/", {"q": "环评"}).content.decode()
    assert "&lt;b&gt;<mark>环境影响评价</mark>&lt;/b&gt;&amp;报告" in html
    assert "<b>环境影响评价</b>" not in html


def test_a_credit_grade_narrows_to_agencies_of_that_grade(client, market):
    html = client.get("/search/", {"q": "评价", "grade": "A"}).content.decode()
    assert _kinds(html) == ["agencies"]
    agencies = _group(html, "agencies")
    assert f"/agencies/{market['green'].pk}/" in agencies
    assert f"/agencies/{market['blue'].pk}/" not in agencies


def test_a_service_narrows_agencies_and_notices(client, market):
    html = client.get("/search/", {"q": "彭山", "item": market["survey"].pk}).content.decode()
    assert _kinds(html) == ["agencies", "notices"]
    assert market["quoting"].number not in html

    html = client.get("/search/", {"q": "有限公司", "item": market["survey"].pk}).content.decode()
    agencies = _group(html, "agencies")
    assert f"/agencies/{market['surveyor'].pk}/" in agencies
    assert f"/agencies/{market['green'].pk}/" not in agencies


def test_a_department_narrows_items_and_notices(client, market):
    html = client.get(
        "/search/", {"q": "测绘", "department": market["department"].pk}
    ).content.decode()
    assert _kinds(html) == ["items", "notices"]
    assert "/catalogue/PS-ZJ-002/" not in html
    html = client.get(
        "/search/", {"q": "评价", "department": market["department"].pk}
    ).content.decode()
    assert "/catalogue/PS-ZJ-001/" in _group(html, "items")


def test_a_notice_status_and_method_narrow_notices(client, market):
    html = client.get("/search/", {"q": "环评", "status": "failed"}).content.decode()
    assert _kinds(html) == ["notices"]
    notices = _group(html, "notices")
    assert market["failed"].number in notices and market["quoting"].number not in notices
    html = client.get("/search/", {"q": "环评", "method": "lowest_price"}).content.decode()
    assert market["failed"].number in html and market["quoting"].number not in html


def test_an_invalid_facet_value_is_ignored(client, market):
    html = client.get("/search/", {"q": "环评", "grade": "Z", "item": "x"}).content.decode()
    assert _kinds(html) == ["items", "agencies", "notices", "pages"]


def test_the_overview_shows_a_few_of_a_kind_and_links_to_all_of_them(
    client, market, search_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            _serve(
                AgencyFactory(organisation__name=f"四川环评咨询{number}有限公司"),
                market["environment"],
            )
    search_index.refresh()

    html = client.get("/search/", {"q": "环评"}).content.decode()
    agencies = _group(html, "agencies")
    assert agencies.count('href="/agencies/') == 5
    assert 'href="?q=%E7%8E%AF%E8%AF%84&amp;kind=agencies"' in agencies

    html = client.get("/search/", {"q": "环评", "kind": "agencies"}).content.decode()
    assert _kinds(html) == ["agencies"]
    assert _group(html, "agencies").count('href="/agencies/') == 7


@pytest.mark.parametrize(
    ("query", "marker"),
    [("", "search-guidance"), ("环", "data-search-too-short"), ("！？", "search-guidance")],
)
def test_an_empty_or_too_short_query_gets_guidance(client, db, query, marker):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert marker in html
    assert "search-group" not in html


def test_suggestions_are_names_of_items_and_agencies(client, market):
    response = client.get("/search/suggest/", {"q": "环评"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "环评"
    assert {(s["kind"], s["label"], s["url"]) for s in body["suggestions"]} == {
        ("items", ENVIRONMENT, "/catalogue/PS-ZJ-001/"),
        ("agencies", "四川绿源咨询有限公司", f"/agencies/{market['green'].pk}/"),
        ("agencies", "四川蓝天技术服务有限公司", f"/agencies/{market['blue'].pk}/"),
    }
    assert client.get("/search/suggest/", {"q": "环"}).json()["suggestions"] == []


def test_the_results_page_takes_as_many_queries_whatever_the_data(
    client, search_index, django_capture_on_commit_callbacks
):
    def queries() -> int:
        cache.clear()  # lists counted afresh, not taken from the last view's count
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/", {"q": "评价"}).status_code == 200
        return len(captured)

    numbers = itertools.count()

    def add(n: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(n):
                item = ServiceItemFactory(name="安全评价报告编制")
                agency = AgencyFactory(organisation__name=f"四川安全评价有限公司{next(numbers)}")
                _serve(agency, item)
                PurchaseRequestFactory(service_item=item)
        search_index.refresh()

    add(2)
    few = queries()
    add(8)
    assert queries() == few


def test_an_index_entry_follows_the_agency_it_is_about(
    client, market, search_index, django_capture_on_commit_callbacks
):
    # Given an agency that stops serving the item
    with django_capture_on_commit_callbacks(execute=True):
        AgencyServiceScope.objects.filter(agency=market["blue"]).update(in_scope=False)
        market["blue"].save()
    search_index.refresh()
    html = client.get("/search/", {"q": "环评", "kind": "agencies"}).content.decode()
    assert f"/agencies/{market['blue'].pk}/" not in html
    # And an agency that is renamed, through its organisation
    with django_capture_on_commit_callbacks(execute=True):
        organisation = market["green"].organisation
        organisation.name = "四川青山咨询有限公司"
        organisation.save()
    search_index.refresh()
    assert (
        f"/agencies/{market['green'].pk}/" in client.get("/search/", {"q": "青山"}).content.decode()
    )


def test_elasticsearch_down_falls_back_to_the_database_and_says_so(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILSEARCH_BACKENDS = ELASTICSEARCH_DOWN
    with django_capture_on_commit_callbacks(execute=True):
        item = ServiceItemFactory(name=ENVIRONMENT, code="PS-ZJ-001")
        agency = AgencyFactory(organisation__name="四川绿源咨询有限公司")
        _serve(agency, item)

    response = client.get("/search/", {"q": "环评"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-search-degraded" in html
    assert "/catalogue/PS-ZJ-001/" in _group(html, "items")
    assert f"/agencies/{agency.pk}/" in _group(html, "agencies")
    assert client.get("/search/suggest/", {"q": "环评"}).json()["suggestions"]

    ready = client.get("/readyz")
    body = ready.json()
    assert ready.status_code == 200, body
    assert body["status"] == "degraded"
    assert body["checks"]["search"]["ok"] is True
    assert body["checks"]["search"]["degraded"] is True


def test_without_a_fallback_elasticsearch_down_is_degraded_not_unready(client, db, settings):
    # Searches fail then, in every web process alike: taking this one out would not help.
    settings.WAGTAILSEARCH_BACKENDS = {"default": ELASTICSEARCH_DOWN["default"]}
    response = client.get("/readyz")
    assert response.status_code == 200
    search = response.json()["checks"]["search"]
    assert (search["ok"], search["degraded"]) == (False, True)


@pytest.mark.elasticsearch
def test_the_index_catches_up_once_elasticsearch_is_back(
    client, search_index, settings, django_capture_on_commit_callbacks
):
    from core.tasks import search_index_update

    configured = settings.WAGTAILSEARCH_BACKENDS
    # Given an item saved while Elasticsearch was down (its task failed every try)
    settings.WAGTAILSEARCH_BACKENDS = ELASTICSEARCH_DOWN
    with django_capture_on_commit_callbacks(execute=True):
        item = ServiceItemFactory(name=ENVIRONMENT, code="PS-ZJ-001")
    # When Elasticsearch answers again and the task is retried
    settings.WAGTAILSEARCH_BACKENDS = configured
    search_index_update.apply(args=["default", "catalogue.ServiceItem", str(item.pk)])
    search_index.refresh()
    # Then the item is found there, not by the fallback
    html = client.get("/search/", {"q": "环评"}).content.decode()
    assert "/catalogue/PS-ZJ-001/" in _group(html, "items")
    assert "data-search-degraded" not in html
