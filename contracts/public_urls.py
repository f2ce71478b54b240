from django.urls import path

from contracts import public_views as views

app_name = "contracts"

# Mounted at the site's root, beside the marketplace's notices and its draw verification.
urlpatterns = [
    path("contracts/", views.contract_list, name="list"),
    path("contracts/<str:number>/", views.contract_detail, name="detail"),
    path("verify/contract/", views.verify_contract, name="verify"),
]
