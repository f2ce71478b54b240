from django.urls import path

from credit import complaint_views as views

# Included by credit/urls.py under /credit/, in the "credit" namespace.
urlpatterns = [
    path("complaints/", views.complaints_mine, name="complaints_mine"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/received/", views.complaint_received, name="complaint_received"),
    path("complaints/track/", views.complaint_track, name="complaint_track"),
    path("complaints/<str:number>/", views.complaint_detail, name="complaint_detail"),
]
