from django.urls import path

from market import views

app_name = "market"

urlpatterns = [
    path("notices/", views.notice_list, name="notices"),
    path("notices/<str:number>/", views.notice_detail, name="notice_detail"),
    path("verify/draw/zjcs-verify.zip", views.draw_verifier, name="draw_verifier"),
    path("verify/draw/<str:number>/", views.verify_draw, name="verify_draw"),
    path("verify/draw/<str:number>.json", views.verify_draw_json, name="verify_draw_json"),
    path(
        "regional-assessments/<int:pk>/",
        views.regional_assessment_detail,
        name="regional_assessment",
    ),
    path(
        "regional-assessments/<int:pk>/document/",
        views.regional_assessment_document,
        name="regional_assessment_document",
    ),
    path("proposals/<int:pk>/", views.quote_proposal, name="proposal"),
]
