from django.urls import path

from market import views

app_name = "market"

urlpatterns = [
    path("", views.catalogue_list, name="catalogue"),
    path("adjustments/", views.catalogue_adjustments, name="catalogue_adjustments"),
    path("<str:code>/", views.catalogue_detail, name="catalogue_detail"),
]
