from django.urls import path

from credit import sanction_views

# Included by credit/urls.py under /credit/, in the "credit" namespace.
urlpatterns = [
    path("blacklist/", sanction_views.blacklist_page, name="blacklist"),
    path("violations/", sanction_views.violations_mine, name="violations_mine"),
    path(
        "violations/<int:pk>/appeal/",
        sanction_views.violation_appeal_page,
        name="violation_appeal",
    ),
    path(
        "violations/<int:pk>/repair/",
        sanction_views.violation_repair_page,
        name="violation_repair",
    ),
]
