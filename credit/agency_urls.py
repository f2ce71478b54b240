from django.urls import URLPattern

# Mounted at /agencies/ before the roster's own addresses (config/urls.py), in the
# "agency_credit" namespace: the agency's credit page and its credit report.
app_name = "agency_credit"
urlpatterns: list[URLPattern] = []
