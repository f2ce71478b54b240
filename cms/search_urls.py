from django.urls import path

from cms import search_views

app_name = "search"

urlpatterns = [
    path("", search_views.search, name="results"),
    path("suggest/", search_views.suggest, name="suggest"),
]
