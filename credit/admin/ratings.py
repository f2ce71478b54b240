"""The regulator's queue of poor ratings (R12): a rating with a score of RATING_POOR_AT or
less counts only once a regulator has read its reason and upheld it; setting it aside needs
a note the owner reads. Regulators only; credit/services/ratings.py asks again."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.mixins import RegulatorMenuItem, RegulatorRequiredMixin
from core.forms import ServiceActionMixin, decision_field
from credit.models import Rating
from credit.services.ratings import rating_review

LIST_PAGE_SIZE = 20


def ratings_waiting():
    return Rating.objects.filter(status=Rating.Status.UNDER_REVIEW).select_related(
        "organisation", "agency__organisation", "contract__purchase_request__service_item"
    )


class RatingMenuItem(RegulatorMenuItem):
    pass


def _crumbs() -> list[dict]:
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("rating_reviews:list"), "label": _("Poor ratings to review")},
    ]


class RatingReviewListView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Poor ratings waiting for a regulator, the oldest first: they wait on nobody else."""

    template_name = "credit/admin/ratings/list.html"
    page_title = _("Poor ratings to review")
    header_icon = "pick"

    def get_breadcrumbs_items(self):
        return [_crumbs()[0], {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(ratings_waiting().order_by("rated_at", "pk"), LIST_PAGE_SIZE).get_page(
            self.request.GET.get("p")
        )
        context.update(page_obj=page, ratings=page.object_list)
        return context


class RatingDecisionForm(forms.Form):
    decision = decision_field(
        label=_("Decision"),
        yes=_("Uphold: the rating counts"),
        no=_("Set aside: the rating does not count"),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when setting the rating aside: the owner and the agency read it."),
    )


class RatingReviewView(
    RegulatorRequiredMixin, ServiceActionMixin, WagtailAdminTemplateMixin, FormView
):
    template_name = "credit/admin/ratings/review.html"
    form_class = RatingDecisionForm
    page_title = _("Review a poor rating")
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        self.rating = ratings_waiting().filter(pk=kwargs["pk"]).first()
        if self.rating is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*_crumbs(), {"url": "", "label": str(self.rating.contract)}]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "rating": self.rating}

    def act(self, data):
        self.decided = rating_review(
            actor=self.request.user, rating=self.rating, upheld=data["decision"], note=data["note"]
        )

    def get_done_message(self):
        if self.decided.status == Rating.Status.COUNTED:
            return _("The rating is upheld and counts.")
        return _("The rating is set aside.")

    def get_success_url(self):
        return reverse("rating_reviews:list")
