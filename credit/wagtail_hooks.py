from django.conf import settings
from django.template.loader import render_to_string
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.permissions import allowed
from agencies.views import AGENCY_PAGE_HOOK
from contracts.party_views import CONTRACT_PAGE_HOOK
from credit.admin import ratings as rating_admin

# Each part of the credit system registers its own hooks when imported here.
from credit.hooks import complaints, sanctions, scores  # noqa: F401
from credit.models import ASPECT_LABELS
from credit.selectors import agency_rating_summary, agency_ratings_public, contract_ratings
from credit.services.ratings import rating_changeable

# How many ratings an agency's page lists under its averages.
AGENCY_PAGE_RATINGS = 10


rating_review_urls = [
    path("", rating_admin.RatingReviewListView.as_view(), name="list"),
    path("<int:pk>/", rating_admin.RatingReviewView.as_view(), name="review"),
]


@hooks.register("register_admin_urls")
def register_rating_review_urls():
    return [path("poor-ratings/", include((rating_review_urls, "rating_reviews")))]


@hooks.register("register_admin_menu_item")
def register_rating_review_menu():
    return rating_admin.RatingMenuItem(
        _("Poor ratings"),
        reverse_lazy("rating_reviews:list"),
        name="poor-ratings",
        icon_name="pick",
        order=180,
    )


@hooks.register(CONTRACT_PAGE_HOOK)
def contract_rating_section(request, contract) -> str:
    """A finished service's ratings on its contract's page, with what the user may do."""
    if contract.status not in ("accepted", "closed"):
        return ""
    ratings = contract_ratings(contract=contract)
    user = request.user
    return render_to_string(
        "credit/includes/contract_ratings.html",
        {
            "contract": contract,
            "ratings": [
                (rating, rating_changeable(actor=user, rating=rating))
                for rating in ratings.values()
            ],
            "may_rate": {
                "owner": "owner" not in ratings
                and allowed("contracts.act_for_owner", user, contract),
                "department": "department" not in ratings
                and allowed("credit.rate_as_department", user, contract),
            },
            "may_reply": allowed("contracts.act_for_agency", user, contract),
            "frozen_days": settings.RATING_FROZEN_DAYS,
        },
        request=request,
    )


@hooks.register(AGENCY_PAGE_HOOK)
def agency_rating_section(agency) -> str:
    """The agency's public page: the means of its counted ratings and the latest of them."""
    summary = agency_rating_summary(agency=agency)
    return render_to_string(
        "credit/includes/agency_ratings.html",
        {
            "summary": summary,
            "averages": [
                (label, summary.averages[aspect]) for aspect, label in ASPECT_LABELS.items()
            ],
            "ratings": agency_ratings_public(agency=agency)[:AGENCY_PAGE_RATINGS],
        },
    )
