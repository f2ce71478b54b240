import datetime

import pytest
from django.utils import timezone

from agencies.models import Agency, AgencyServiceScope
from catalogue.models import FeeMode, ServiceItem
from catalogue.services import (
    service_item_publish,
    service_item_retire,
    service_item_update,
    service_item_values,
)
from tests.agencies.factories import AgencyFactory
from tests.catalogue.factories import (
    PublishableServiceItemFactory,
    QualificationRequirementFactory,
    ServiceItemFactory,
)
from tests.pages import queries_for

pytestmark = pytest.mark.django_db


def _published(user, **kwargs) -> ServiceItem:
    item = PublishableServiceItemFactory(**kwargs)
    service_item_publish(user=user, service_item=item)
    item.refresh_from_db()
    return item


def test_r1_only_published_items_are_listed(client, regulator_user):
    _published(regulator_user, name="房产测绘")
    PublishableServiceItemFactory(name="草稿事项")
    retired = _published(regulator_user, name="已停用事项")
    service_item_retire(user=regulator_user, service_item=retired, reason="取消")

    page = client.get("/catalogue/").content.decode()
    assert "房产测绘" in page
    assert "草稿事项" not in page
    assert "已停用事项" not in page


def test_drafts_have_no_public_page_and_retired_items_say_so(client, regulator_user):
    draft = PublishableServiceItemFactory()
    assert client.get(f"/catalogue/{draft.code}/").status_code == 404

    retired = _published(regulator_user, name="已停用事项")
    service_item_retire(user=regulator_user, service_item=retired, reason="取消")
    response = client.get(f"/catalogue/{retired.code}/")
    assert response.status_code == 200
    assert response.context["is_retired"] is True
    assert "已停用事项" in response.content.decode()


def test_the_list_filters_by_fee_mode(client):
    ServiceItemFactory(name="市场价事项", fee_mode=FeeMode.MARKET)
    ServiceItemFactory(name="政府定价事项", fee_mode=FeeMode.GOVERNMENT_SET)
    page = client.get("/catalogue/", {"fee_mode": FeeMode.GOVERNMENT_SET}).content.decode()
    assert "政府定价事项" in page
    assert "市场价事项" not in page


def test_the_detail_page_tells_everything_at_once(client, regulator_user):
    item = PublishableServiceItemFactory(
        name="地质灾害危险性评估",
        owner_may_self_prepare=True,
        regional_assessment_kind="geological_hazard",
    )
    QualificationRequirementFactory(
        service_item=item, alternative=1, qualification_type__name="地质灾害评估资质"
    )
    QualificationRequirementFactory(
        service_item=item, alternative=2, qualification_type__name="工程勘察资质"
    )
    service_item_publish(user=regulator_user, service_item=item)

    response = client.get(f"/catalogue/{item.code}/")
    page = response.content.decode()
    for text in ("用地红线图", "签订合同", "评估报告", "第十二条", "3000.00", "8000.00"):
        assert text in page
    assert [
        [r.qualification_type.name for r in group] for group in response.context["alternatives"]
    ] == [["地质灾害评估资质"], ["工程勘察资质"]]
    assert len(response.context["versions"]) == 1


def test_the_detail_page_counts_qualifying_active_agencies(client, regulator_user):
    item = _published(regulator_user)
    active = AgencyFactory(status=Agency.Status.ACTIVE)
    pending = AgencyFactory(status=Agency.Status.PENDING)
    out_of_scope = AgencyFactory(status=Agency.Status.ACTIVE)
    AgencyServiceScope.objects.create(agency=active, service_item=item, in_scope=True)
    AgencyServiceScope.objects.create(agency=pending, service_item=item, in_scope=True)
    AgencyServiceScope.objects.create(agency=out_of_scope, service_item=item, in_scope=False)

    response = client.get(f"/catalogue/{item.code}/")
    assert response.context["qualifying_agency_count"] == 1


def test_r1_adjustment_log_is_public(client, regulator_user):
    item = _published(regulator_user, name="房产测绘")
    values = service_item_values(item)
    values["statutory_time_limit_days"] = 12
    service_item_update(
        user=regulator_user,
        service_item=item,
        values=values,
        requirements=[],
        effective_date=timezone.localdate() + datetime.timedelta(days=7),
        reason="压缩服务时限至12个工作日",
    )

    response = client.get("/catalogue/adjustments/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "压缩服务时限至12个工作日" in page
    assert f'href="/catalogue/{item.code}/"' in page
    versions = list(response.context["page"])
    assert [version.number for version in versions] == [2, 1]  # newest first
    assert versions[0].is_scheduled
    assert versions[0].changed_field_labels == [
        str(ServiceItem._meta.get_field("statutory_time_limit_days").verbose_name)
    ]


@pytest.mark.parametrize("url", ["/catalogue/", "/catalogue/adjustments/"])
def test_catalogue_pages_keep_a_constant_query_count(client, regulator_user, url):
    for _ in range(2):
        _published(regulator_user)
    small = queries_for(client, url)
    for _ in range(15):
        _published(regulator_user)
    assert queries_for(client, url) == small


def test_the_detail_page_keeps_a_constant_query_count(client, regulator_user):
    item = _published(regulator_user)
    small = queries_for(client, f"/catalogue/{item.code}/")
    for alternative in (1, 2, 3):
        QualificationRequirementFactory(service_item=item, alternative=alternative)
    for _ in range(5):
        AgencyServiceScope.objects.create(agency=AgencyFactory(), service_item=item)
    assert queries_for(client, f"/catalogue/{item.code}/") == small
