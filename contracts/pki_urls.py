from django.urls import path

from contracts import pki_views as views

app_name = "pki"
urlpatterns = [
    path("ca.pem", views.ca_pem, name="ca"),
    path("crl.der", views.crl_der, name="crl"),
]
