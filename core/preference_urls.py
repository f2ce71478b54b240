"""A visitor's display preferences (larger text), kept in a cookie: nothing is stored."""

from django.urls import path

from core import preference_views as views

app_name = "preferences"

urlpatterns = [
    path("larger-text/", views.larger_text, name="larger_text"),
]
