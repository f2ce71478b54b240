import pytest

from core.models import CalendarYear

pytestmark = pytest.mark.django_db


def test_regulators_confirm_a_year_in_the_back_office_and_a_refusal_stays_on_the_form(
    client, regulator_user
):
    client.force_login(regulator_user)
    response = client.post("/admin/calendar_years/new/", {"year": "2027", "source": " "})
    assert response.status_code == 200
    assert response.context["form"].errors["source"]
    assert not CalendarYear.objects.exists()

    response = client.post(
        "/admin/calendar_years/new/", {"year": "2027", "source": "国办发明电〔2026〕7号"}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get().confirmed_by == regulator_user

    response = client.post(
        "/admin/calendar_years/new/", {"year": "2027", "source": "国办发明电〔2026〕7号"}
    )
    assert response.status_code == 200
    assert CalendarYear.objects.count() == 1
