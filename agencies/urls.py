from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("", views.agency_list, name="list"),
    path("register/", views.agency_register_view, name="register"),
    path("<int:pk>/", views.agency_detail, name="detail"),
    path("<int:pk>/licence/", views.agency_licence, name="licence"),
    path("certificates/<int:pk>/scan/", views.certificate_scan, name="certificate_scan"),
    path("me/", views.me, name="me"),
    path("me/resubmit/", views.me_resubmit, name="me_resubmit"),
    path("me/profile/", views.me_profile, name="me_profile"),
    path("me/qualifications/", views.me_qualifications, name="me_qualifications"),
    path("me/qualifications/add/", views.me_qualification_add, name="me_qualification_add"),
    path(
        "me/qualifications/<int:pk>/edit/",
        views.me_qualification_edit,
        name="me_qualification_edit",
    ),
    path(
        "me/qualifications/<int:pk>/remove/",
        views.me_qualification_remove,
        name="me_qualification_remove",
    ),
    path("me/practitioners/", views.me_practitioners, name="me_practitioners"),
    path(
        "me/practitioners/<int:pk>/remove/",
        views.me_practitioner_remove,
        name="me_practitioner_remove",
    ),
    path("me/affiliations/", views.me_affiliations, name="me_affiliations"),
    path("me/scope/", views.me_scope, name="me_scope"),
    path("me/scope/<int:pk>/", views.me_scope_edit, name="me_scope_edit"),
]
