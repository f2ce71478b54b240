from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.catalogue_list, name="list"),
    path("adjustments/", views.catalogue_adjustments, name="adjustments"),
    path("<str:code>/", views.catalogue_detail, name="detail"),
]
