from django.urls import path

from contracts import party_views as views

app_name = "contract_party"

# Mounted at /my/contracts/: the pages of the contracts a user may read (its parties, the
# approval department it serves, regulators).
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("<str:number>/", views.contract_detail, name="detail"),
    path("<str:number>/sign/", views.contract_sign, name="sign"),
    path("<str:number>/amend/", views.contract_amend_page, name="amend"),
    path("<str:number>/terminate/", views.contract_terminate_page, name="terminate"),
    path("<str:number>/v<int:version>.pdf", views.contract_pdf_download, name="pdf"),
    path("<str:number>/deliverables/", views.deliverable_add, name="deliverable_add"),
    path("<str:number>/deliverables/<int:pk>/", views.deliverable_download, name="deliverable"),
    path("<str:number>/deliver/", views.contract_deliver_view, name="deliver"),
    path("<str:number>/accept/", views.delivery_accept_view, name="accept"),
    path("<str:number>/return/", views.delivery_return_view, name="return"),
    path("<str:number>/close/", views.contract_close_view, name="close"),
]
