from django.urls import URLPattern

# Included by credit/urls.py under /credit/, in the "credit" namespace.
urlpatterns: list[URLPattern] = []
