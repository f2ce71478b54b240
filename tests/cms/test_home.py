from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from agencies.models import Agency
from catalogue.models import ServiceItem
from tests.accounts.factories import OrganisationFactory
from tests.agencies.factories import AgencyFactory
from tests.catalogue.factories import ServiceItemFactory
from tests.market.factories import PurchaseRequestFactory
from tests.pages import queries_for

pytestmark = pytest.mark.django_db


def test_home_page_is_chinese_by_default(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "行政审批中介服务网上超市" in page


def test_english_is_one_click_away_on_every_page(client):
    page = client.get("/catalogue/").content.decode()
    assert 'name="language" value="en"' in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/catalogue/"})
    assert response["Location"] == "/en/catalogue/"
    english = client.get("/en/catalogue/").content.decode()
    assert '<html lang="en">' in english
    assert "Service catalogue" in english


def test_home_page_shows_the_figures(client):
    ServiceItemFactory.create_batch(3)
    AgencyFactory.create_batch(4)
    AgencyFactory(status=Agency.Status.PENDING)  # not on the roster yet
    page = client.get("/").content.decode()
    assert "<strong>3</strong>" in page
    assert "<strong>4</strong>" in page


def test_home_page_gives_each_department_its_published_items(client):
    department = OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT, name="彭山区水务局")
    ServiceItemFactory.create_batch(2, approval_department=department)
    ServiceItemFactory(approval_department=department, status=ServiceItem.Status.DRAFT)
    page = client.get("/en/").content.decode()
    assert (
        f'?department={department.pk}">彭山区水务局</a> <span class="muted">2 items</span>' in page
    )


@pytest.mark.parametrize("url", ["/", "/catalogue/", "/agencies/"])
def test_public_pages_keep_a_constant_query_count_as_data_grows(client, url):
    PurchaseRequestFactory.create_batch(2)
    OrganisationFactory.create_batch(2, kind=Role.AGENCY)
    small = queries_for(client, url)

    PurchaseRequestFactory.create_batch(20)
    OrganisationFactory.create_batch(20, kind=Role.AGENCY)
    assert queries_for(client, url) == small


def test_times_are_shown_in_beijing_time(client, settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    purchase_request = PurchaseRequestFactory()
    local = purchase_request.created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d %H:%M") in client.get("/").content.decode()
