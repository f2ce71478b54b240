from django.urls import path

from credit import views

app_name = "credit"

# Mounted at /credit/.
urlpatterns = [
    path("contracts/<str:number>/rate/<str:rater>/", views.rating_new, name="rate"),
    path("contracts/<str:number>/ratings/<int:pk>/reply/", views.rating_reply_page, name="reply"),
]
