from django.urls import path

from market import owner_views

app_name = "owner"

# Mounted at /my/requests/. Fixed words come before <number>, which is any notice number.
urlpatterns: list = [
    path("", owner_views.request_list, name="requests"),
    path("new/", owner_views.request_new, name="request_new"),
    path("projects/", owner_views.project_list, name="projects"),
    path("projects/new/", owner_views.project_new, name="project_new"),
    path(
        "projects/<int:pk>/classification/",
        owner_views.project_classify,
        name="project_classify",
    ),
    path("<str:number>/", owner_views.request_detail, name="request_detail"),
    path("<str:number>/edit/", owner_views.request_edit, name="request_edit"),
    path("<str:number>/publish/", owner_views.request_publish, name="request_publish"),
    path("<str:number>/cancel/", owner_views.request_cancel, name="request_cancel"),
    path("<str:number>/republish/", owner_views.request_republish, name="request_republish"),
    path("<str:number>/choose/", owner_views.request_choose, name="request_choose"),
    path("<str:number>/scores/", owner_views.request_scores, name="request_scores"),
    path("<str:number>/objection/", owner_views.request_objection, name="request_objection"),
]
