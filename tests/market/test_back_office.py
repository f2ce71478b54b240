import pytest

from market.models import RegionalAssessment
from tests.catalogue.factories import ServiceItemFactory
from tests.core.factories import RegionFactory

pytestmark = pytest.mark.django_db


def test_r1_regulators_keep_the_catalogue_in_the_back_office(client, regulator_user):
    item = ServiceItemFactory(name="地质灾害危险性评估")
    client.force_login(regulator_user)

    listing = client.get("/admin/service_items/")
    assert listing.status_code == 200
    assert item.name in listing.content.decode()
    assert client.get(f"/admin/service_items/edit/{item.pk}/").status_code == 200


@pytest.mark.parametrize("user_fixture", ["owner_user", "agency_user", "approval_user"])
def test_only_regulators_reach_the_back_office(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get("/admin/service_items/")
    assert response.status_code in (302, 403)
    assert "地质灾害" not in response.content.decode()


def test_r8_regulators_record_regional_assessments(client, regulator_user):
    client.force_login(regulator_user)
    response = client.post(
        "/admin/regional_assessments/new/",
        {
            "title": "彭山经济开发区区域评估",
            "areas": [RegionFactory(name="彭山经济开发区").pk],
            "kinds": ["environmental_impact", "energy_saving"],
            "valid_from": "2026-01-01",
            "valid_to": "2028-12-31",
            "summary": "区域内一般项目共享评估结果",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assessment = RegionalAssessment.objects.get()
    assert assessment.kinds == ["environmental_impact", "energy_saving"]
    assert client.get(f"/regional-assessments/{assessment.pk}/").status_code == 200
