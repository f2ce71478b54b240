import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Agency, AgencyStatusEvent
from agencies.services.scope import agency_scope_recompute
from tests.agencies.factories import (
    AgencyFactory,
    PractitionerFactory,
    QualificationFactory,
)
from tests.catalogue.factories import (
    QualificationRequirementFactory,
    QualificationTypeFactory,
    ServiceItemFactory,
)
from tests.pages import page_link, queries_for

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [agency.organisation.name for agency in response.context["page"]]


def _agency(name: str, **kwargs) -> Agency:
    return AgencyFactory(organisation__name=name, **kwargs)


def test_r3_the_roster_lists_only_active_agencies(client):
    _agency("甲-在册")
    for status in ("pending", "rejected", "suspended", "exited"):
        _agency(f"乙-{status}", status=status)
    assert _names(client.get("/agencies/")) == ["甲-在册"]


def test_roster_filters_by_item_in_scope_qualification_and_region(client):
    survey = QualificationTypeFactory(name="测绘资质")
    item = ServiceItemFactory()
    QualificationRequirementFactory(service_item=item, qualification_type=survey)
    surveyor = QualificationFactory(
        qualification_type=survey,
        agency__organisation__name="测绘院",
        agency__organisation__region="乐山市",
    ).agency
    other = _agency("咨询公司", organisation__region="成都市")
    expired = QualificationFactory(
        qualification_type=survey,
        agency__organisation__name="过期公司",
        valid_from=timezone.localdate() - datetime.timedelta(days=400),
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
    ).agency
    for agency in (surveyor, other, expired):
        agency_scope_recompute(agency=agency)

    assert _names(client.get(f"/agencies/?item={item.pk}")) == ["测绘院"]
    assert _names(client.get(f"/agencies/?qualification={survey.pk}")) == ["测绘院"]
    response = client.get("/agencies/?region=成都市")
    assert _names(response) == ["咨询公司"]
    assert response.context["regions"] == ["乐山市", "成都市", "眉山市彭山区"]
    # Text no row could have as its id — including one past 64 bits, which SQLite refuses to
    # compare (found by Hypothesis) — is no filter at all.
    assert _names(client.get(f"/agencies/?item={2**63}&qualification=-1")) == [
        "咨询公司",
        "测绘院",
        "过期公司",
    ]
    assert _names(client.get("/agencies/?item=abc&qualification=")) == [
        "咨询公司",
        "测绘院",
        "过期公司",
    ]


def test_roster_sorts_by_name_or_recent_activity(client):
    with time_machine.travel(datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC), tick=False):
        old = _agency("A 早入驻", activated_at=timezone.now())
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        new = _agency("B 新入驻", activated_at=timezone.now())
    with time_machine.travel(datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC), tick=False):
        middle = _agency("C 中间", activated_at=timezone.now())
    assert _names(client.get("/agencies/")) == [
        old.organisation.name,
        new.organisation.name,
        middle.organisation.name,
    ]
    assert _names(client.get("/agencies/?sort=activity")) == [
        new.organisation.name,
        middle.organisation.name,
        old.organisation.name,
    ]
    # An update by the agency (here: a saved change) counts as activity.
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.UTC), tick=False):
        old.legal_representative = "新代表"
        old.save()
    assert _names(client.get("/agencies/?sort=activity"))[0] == old.organisation.name


def test_the_roster_filter_form_is_drawn_once_for_all_visitors_and_each_time_when_filtered(
    client,
):
    survey = QualificationTypeFactory(name="测绘资质")
    _agency("测绘院", organisation__region="乐山市")

    def choices_read(queries) -> bool:
        return any(
            'FROM "catalogue_qualificationtype"' in query["sql"]
            for query in queries.captured_queries
        )

    with CaptureQueriesContext(connection) as first:
        client.get("/agencies/")
    # Unfiltered, the form is the same for everyone: its choices are not read again.
    with CaptureQueriesContext(connection) as again:
        page = client.get("/agencies/").content.decode()
    assert choices_read(first) and not choices_read(again)
    assert f'<option value="{survey.pk}">测绘资质</option>' in page
    # Filtered, the form shows the visitor's choices.
    filtered = client.get(f"/agencies/?qualification={survey.pk}&region=乐山市").content.decode()
    assert f'<option value="{survey.pk}" selected>' in filtered
    assert '<option value="乐山市" selected>' in filtered
    # And in the visitor's language.
    english = client.get("/en/agencies/").content.decode()
    assert "All qualifications" in english and "All qualifications" not in page


def test_roster_pagination_keeps_the_filters(client):
    region = "乐山市"
    for number in range(25):
        _agency(f"机构{number:02d}", organisation__region=region)
    following = page_link(client.get(f"/agencies/?region={region}&sort=activity"), "next")
    assert following.startswith("?region=%E4%B9%90%E5%B1%B1%E5%B8%82&sort=activity&after=")


@pytest.mark.parametrize("sort", ["", "activity", "credit"])
def test_the_roster_pages_by_sort_key_through_every_agency_once_both_ways(client, sort):
    # Keyset pagination: each page starts after the last row of the one before, so page
    # 2,000 costs what page 1 does. Equal sort values (same score, same time) are told
    # apart by the primary key, so no agency is skipped or shown twice.
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        for number in range(45):
            _agency(f"机构{number:02d}", credit_score=Decimal(80 + number % 3))
    response = client.get(f"/agencies/?sort={sort}")
    pages = [_names(response)]
    while following := page_link(response, "next"):
        response = client.get(f"/agencies/{following}")
        pages.append(_names(response))
    assert [len(page) for page in pages] == [20, 20, 5]
    forward = [name for page in pages for name in page]
    assert len(forward) == 45
    expected = list(
        Agency.objects.order_by(
            *{"": ["organisation__name"], "activity": [], "credit": ["-credit_score"]}[sort],
            *(["organisation__name"] if sort else []),
            "pk",
        ).values_list("organisation__name", flat=True)
    )
    if sort != "activity":  # all made at one instant: name, then key, as the roster says
        assert forward == expected
    back = []
    while preceding := page_link(response, "prev"):
        response = client.get(f"/agencies/{preceding}")
        back = _names(response) + back
    assert back == forward[:40]
    assert "约 45 条" in response.content.decode()


def test_a_cursor_edited_by_hand_gives_the_first_page(client):
    for number in range(25):
        _agency(f"机构{number:02d}")
    first = _names(client.get("/agencies/"))
    for cursor in ("not-base64!", "WyJ4Il0", "WyJub3QtYS1kYXRlIiwgIngiLCAxXQ"):
        response = client.get(f"/agencies/?sort=activity&after={cursor}")
        assert response.status_code == 200
        assert len(_names(response)) == 20
    assert _names(client.get("/agencies/?after=not-base64!")) == first


def test_agency_page_shows_public_record_but_no_scans(client):
    qualification = QualificationFactory(
        agency__organisation__name="公开机构",
        number="PUB-123",
        scan="agencies/qualifications/secret.pdf",
    )
    agency = qualification.agency
    agency.business_licence = "agencies/licences/licence-secret.pdf"
    agency.save()
    practitioner = PractitionerFactory(agency=agency, name="钱二", id_number_last4="567X")
    PractitionerFactory(agency=agency, name="已离开", active=False)
    item = ServiceItemFactory(name="公开事项", statutory_time_limit_days=30)
    agency_scope_recompute(agency=agency)
    agency.scope.filter(service_item=item).update(
        committed_time_limit_days=18, fee_policy="按工作量计费"
    )
    AgencyStatusEvent.objects.create(
        agency=agency, from_status="pending", to_status="active", note="审核通过"
    )

    response = client.get(f"/agencies/{agency.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "公开机构",
        "PUB-123",
        "钱二",
        practitioner.masked_id_number,
        "公开事项",
        "按工作量计费",
        "审核通过",
    ):
        assert text in page
    assert "已离开" not in page
    assert "secret" not in page


def test_pending_and_rejected_agencies_have_no_public_page_suspended_and_exited_do(client):
    for status, code in (
        ("pending", 404),
        ("rejected", 404),
        ("active", 200),
        ("suspended", 200),
        ("exited", 200),
    ):
        agency = _agency(f"状态-{status}", status=status)
        response = client.get(f"/agencies/{agency.pk}/")
        assert response.status_code == code, status
        if code == 200:
            assert response.context["agency"].status == status
    assert client.get("/agencies/999999/").status_code == 404


def _populate(count: int) -> None:
    for _ in range(count):
        qualification = QualificationFactory()
        QualificationFactory(agency=qualification.agency)
        ServiceItemFactory()
        agency_scope_recompute(agency=qualification.agency)


@pytest.mark.parametrize("query", ["", "?sort=activity", "?region=眉山市彭山区"])
def test_roster_keeps_a_constant_query_count(client, query):
    _populate(2)
    small = queries_for(client, f"/agencies/{query}")
    _populate(12)
    assert queries_for(client, f"/agencies/{query}") == small


def test_agency_page_keeps_a_constant_query_count(client):
    agency = AgencyFactory()

    def grow(count: int) -> None:
        for _ in range(count):
            QualificationFactory(agency=agency)
            PractitionerFactory(agency=agency)
            ServiceItemFactory()
            event = AgencyStatusEvent.objects.create(
                agency=agency, from_status="active", to_status="suspended", note="r"
            )
            event.cited_qualifications.add(QualificationTypeFactory())
        agency_scope_recompute(agency=agency)

    grow(1)
    small = queries_for(client, f"/agencies/{agency.pk}/")
    grow(10)
    assert queries_for(client, f"/agencies/{agency.pk}/") == small
