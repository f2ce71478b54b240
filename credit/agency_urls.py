from django.urls import path

from credit import score_views

# Mounted at /agencies/ before the roster's own addresses (config/urls.py), in the
# "agency_credit" namespace: the agency's credit page and its credit report.
app_name = "agency_credit"
urlpatterns = [
    path("<int:pk>/credit/", score_views.credit_page, name="page"),
    path("<int:pk>/credit/report.pdf", score_views.credit_report, name="report"),
]
