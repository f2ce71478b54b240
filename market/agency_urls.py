from django.urls import path

from market import agency_views

app_name = "agency"

urlpatterns = [
    path("", agency_views.inbox, name="inbox"),
    path("<str:number>/", agency_views.quote, name="quote"),
    path("<str:number>/open/", agency_views.invitation_open, name="invitation_open"),
    path("<str:number>/withdraw/", agency_views.quote_withdraw_confirm, name="quote_withdraw"),
    path("<str:number>/decline/", agency_views.award_decline_confirm, name="award_decline"),
    path("<str:number>/objection/", agency_views.objection, name="objection"),
]
