from django.urls import include, path

from credit import complaint_urls, sanction_urls, score_urls, views

app_name = "credit"

# Mounted at /credit/.
urlpatterns = [
    path("contracts/<str:number>/rate/<str:rater>/", views.rating_new, name="rate"),
    path(
        "contracts/<str:number>/ratings/<int:pk>/change/", views.rating_change_page, name="change"
    ),
    path("contracts/<str:number>/ratings/<int:pk>/reply/", views.rating_reply_page, name="reply"),
    path("", include(complaint_urls)),
    path("", include(sanction_urls)),
    path("", include(score_urls)),
]
