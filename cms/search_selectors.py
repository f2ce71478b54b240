"""The one search box: catalogue items, agencies, notices and the portal's pages, each kind
searched through Wagtail's search framework (core.search) with the same query and synonyms.

Facets narrow the search: a facet applies to the kinds that have it (a credit grade to
agencies, a notice status to notices), and a kind a chosen facet does not apply to is left
out rather than shown unfiltered."""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Page

from accounts.models import Organisation
from accounts.selectors import organisation_list
from agencies.models import Agency, AgencyServiceScope
from agencies.selectors import LISTED_STATUSES
from catalogue.models import ServiceItem
from catalogue.selectors import service_item_published
from core.search import ParsedQuery, SearchResults, parse_query, search
from market.filters import PUBLIC_STATUSES
from market.models import SelectionMethod
from market.selectors import notice_public_list

ITEMS, AGENCIES, NOTICES, PAGES = "items", "agencies", "notices", "pages"
KINDS = (ITEMS, AGENCIES, NOTICES, PAGES)
KIND_LABELS = {
    ITEMS: _("Catalogue items"),
    AGENCIES: _("Agencies"),
    NOTICES: _("Notices"),
    PAGES: pgettext_lazy("kind of search result", "Pages"),
}
# Which kinds each facet applies to.
FACET_KINDS = {
    "department": {ITEMS, NOTICES},
    "item": {AGENCIES, NOTICES},
    "grade": {AGENCIES},
    "status": {NOTICES},
    "method": {NOTICES},
}
FACETS = tuple(FACET_KINDS)


class ServiceItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name}"


class SiteSearchForm(forms.Form):
    """The search box and its facets, all optional; a value that is not a valid choice is
    ignored, as if it had not been given."""

    q = forms.CharField(label=_("Search for"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Everything")), *KIND_LABELS.items()],
    )
    department = forms.ModelChoiceField(
        label=_("Approval department"),
        required=False,
        queryset=organisation_list(kind=Organisation.Kind.APPROVAL_DEPARTMENT),
        empty_label=_("All departments"),
    )
    item = ServiceItemChoiceField(
        label=_("Service"),
        required=False,
        queryset=service_item_published().select_related(None),
        empty_label=_("All services"),
    )
    grade = forms.ChoiceField(label=_("Credit grade"), required=False)
    status = forms.ChoiceField(
        label=_("Notice status"), required=False, choices=[("", _("All")), *PUBLIC_STATUSES]
    )
    method = forms.ChoiceField(
        label=_("Selection method"),
        required=False,
        choices=[("", _("All methods")), *SelectionMethod.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["grade"].choices = [
            ("", _("All grades")),
            *((grade, grade) for grade, _threshold in settings.CREDIT_GRADE_THRESHOLDS),
        ]


@dataclass(frozen=True)
class SearchRequest:
    """What was asked, read from the search form: the query and the facets chosen."""

    text: str = ""
    kind: str = ""
    facets: dict = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: SiteSearchForm) -> "SearchRequest":
        form.is_valid()
        values = {
            name: value
            for name, value in form.cleaned_data.items()
            if value not in (None, "") and name not in form.errors
        }
        return cls(
            text=values.pop("q", ""),
            kind=values.pop("kind", ""),
            facets={name: values[name] for name in FACETS if name in values},
        )

    @property
    def kinds(self) -> list[str]:
        """The kinds every chosen facet applies to."""
        return [kind for kind in KINDS if all(kind in FACET_KINDS[name] for name in self.facets)]


def _items(facets: dict) -> QuerySet[ServiceItem]:
    items = service_item_published()
    if "department" in facets:
        items = items.filter(approval_department_id=facets["department"].pk)
    return items


def searchable_agencies(facets: dict) -> QuerySet[Agency]:
    """The agencies the search page searches: the roster, in its order, narrowed by the
    facets chosen."""
    agencies = (
        Agency.objects.filter(status__in=LISTED_STATUSES)
        .select_related("organisation")
        .order_by("-credit_score", "organisation_id")
    )
    if "grade" in facets:
        agencies = agencies.filter(credit_grade=facets["grade"])
    if "item" in facets:
        # A list, not a subquery: Elasticsearch filters on the ids themselves.
        serving = AgencyServiceScope.objects.filter(
            service_item=facets["item"], in_scope=True
        ).values_list("agency_id", flat=True)
        agencies = agencies.filter(pk__in=list(serving))
    return agencies


def _notices(facets: dict):
    # Newest first by the indexed publication time only: the search backends sort on index
    # fields, and the primary key is not one.
    notices = notice_public_list().order_by("-published_at")
    if "status" in facets:
        notices = notices.filter(status=facets["status"])
    if "method" in facets:
        notices = notices.filter(selection_method=facets["method"])
    if "item" in facets:
        notices = notices.filter(service_item_id=facets["item"].pk)
    if "department" in facets:
        in_department = ServiceItem.objects.filter(
            approval_department_id=facets["department"].pk
        ).values_list("pk", flat=True)
        notices = notices.filter(service_item_id__in=list(in_department))
    return notices


def _pages(facets: dict) -> QuerySet[Page]:
    return Page.objects.live().public().filter(depth__gt=1)


SOURCES = {ITEMS: _items, AGENCIES: searchable_agencies, NOTICES: _notices, PAGES: _pages}
# Only pages are ranked by relevance. Every match of the other kinds has the words asked
# for, and each kind has an order of its own: items by code, agencies by credit (best
# first), notices newest first. Ranking on the database backend also costs a score computed
# for every match, which grows with the roster (scripts/benchmark_search.py).
RANKED = {PAGES}


def site_search(
    *, request: SearchRequest, query: ParsedQuery | None = None
) -> dict[str, SearchResults]:
    """The search results of each kind the request's facets apply to, by kind; nothing when
    the query is empty or too short. Each runs when first counted or sliced."""
    query = query if query is not None else parse_query(request.text)
    if query.is_empty or query.is_too_short:
        return {}
    found = {}
    for kind in request.kinds:
        queryset = SOURCES[kind](request.facets)
        # Pages have no Chinese search tokens of their own; their words are searched too.
        search_query = query.search_query(words_too=kind == PAGES)
        found[kind] = search(queryset, search_query, order_by_relevance=kind in RANKED)
    return found


SUGGESTIONS_PER_KIND = 5


def search_suggestions(*, text: str) -> list[dict]:
    """A few names of catalogue items and agencies matching what is being typed, for the
    search box's suggestions: [{"kind", "label", "code" or "pk"}]."""
    query = parse_query(text)
    if query.is_empty or query.is_too_short:
        return []
    search_query = query.search_query()
    items = search(service_item_published(), search_query, order_by_relevance=False)
    agencies = search(searchable_agencies({}), search_query, order_by_relevance=False)
    return [
        *(
            {"kind": ITEMS, "label": item.name, "code": item.code}
            for item in items[:SUGGESTIONS_PER_KIND]
        ),
        *(
            {"kind": AGENCIES, "label": agency.organisation.name, "pk": agency.pk}
            for agency in agencies[:SUGGESTIONS_PER_KIND]
        ),
    ]
