"""Forms for the project owner's pages under /my/requests/. They parse what the owner typed;
whether it is allowed (budget, deadline, methods, criteria, exclusions) is decided by
market/services and comes back as ApplicationError, placed at the field it names."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from agencies.models import Agency
from catalogue.models import ServiceItem
from core.exceptions import ApplicationError
from core.forms import RegionChoiceField
from market.models import Project, PurchaseRequest, Quote, SelectionMethod
from market.services.requests import (
    PRICE_CRITERION,
    RequestTerms,
    direct_selection_allowed,
    terms_of,
)
from market.services.selection import CREDIT_LONGLIST_SIZE, CREDIT_SHORTLIST_SIZE

# Every time an owner types is Beijing time, whatever the browser's or the server's zone.
BEIJING = ZoneInfo("Asia/Shanghai")
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_LOCAL_FORMAT)


class BeijingDateTimeField(forms.DateTimeField):
    """A `datetime-local` box read and shown in Beijing time (Asia/Shanghai)."""

    widget = DateTimeLocalInput

    def to_python(self, value):
        with timezone.override(BEIJING):
            moment = super().to_python(value)
        if moment is not None:
            try:
                # Stored in UTC: a moment in the first hours of year 1 has no UTC to store.
                moment.astimezone(datetime.UTC)
            except OverflowError:
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid"
                ) from None
        return moment

    def prepare_value(self, value):
        with timezone.override(BEIJING):
            return super().prepare_value(value)


BEIJING_HELP = _("Beijing time.")


class ExplainedRadioSelect(forms.RadioSelect):
    """Radio buttons each with a one-line explanation (the option's `explanation`, shown by
    templates/includes/field.html), tied to its button by aria-describedby so a screen
    reader reads it with the choice. `explanations` is called as the buttons are drawn, so
    the sentences follow the active language and settings."""

    def __init__(self, attrs=None, choices=(), *, explanations=dict):
        super().__init__(attrs, choices)
        self.explanations = explanations

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        explanation = self.explanations().get(str(value))
        if explanation and option["attrs"].get("id"):
            option["explanation"] = explanation
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_explained"
        return option


def _funding_explanations() -> dict[str, str]:
    """What each kind of funding is, and whether it lets the owner select directly (a
    setting, so read here rather than written into the sentence)."""
    funding = Project.Funding
    described = {
        funding.STATE: _("Paid for with government or other state funds."),
        funding.SOCIAL: _("Paid for with the company's own or other private funds."),
    }
    direct = set(settings.SELECTION_DIRECT_ALLOWED_FUNDING)
    return {
        value: "{} {}".format(
            text,
            _("The owner may also select the agency directly.")
            if value in direct
            else _("Direct selection by the owner is not offered."),
        )
        for value, text in described.items()
    }


# Projects -------------------------------------------------------------------------------------


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=200)
    investment_code = forms.CharField(
        label=_("Investment project code"),
        max_length=40,
        help_text=_("The code 投资项目代码 given when the project was filed or approved."),
    )
    region = RegionChoiceField(
        label=_("Region"),
        help_text=_(
            "Where the project is built; it decides which regional assessments apply. "
            "Choose the smallest area that contains the site."
        ),
    )
    funding = forms.ChoiceField(
        label=_("Funding"),
        choices=Project.Funding.choices,
        widget=ExplainedRadioSelect(explanations=_funding_explanations),
    )
    approval_department = forms.ModelChoiceField(
        label=_("Approval department"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.APPROVAL_DEPARTMENT),
        required=False,
        help_text=_("The department that approves the project."),
    )
    special_or_major_reason = forms.CharField(
        label=_("Special or major project"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Special and major projects buy the service even inside a regional assessment. "
            "If the project is one, say why: the approval department confirms it before it "
            "counts. Leave empty otherwise."
        ),
    )


class ProjectClassificationForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the project is special or major"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# Purchase requests ----------------------------------------------------------------------------

# The rows the formsets offer: what no request comes near, and a bound on what a hostile
# submission can make the server build.
MAX_CRITERIA = 10
MAX_EXCLUSIONS = 20
# Beyond this many active agencies the picker's list would be too heavy a page; the owner
# then types the credit code or the exact name, which works the same.
AGENCY_LIST_LIMIT = 500
_CREDIT_CODE = re.compile(r"^\s*([0-9A-Za-z]{18})(?![0-9A-Za-z])")
# What owners write for the price criterion; the services know it as PRICE_CRITERION.
PRICE_ALIASES = {PRICE_CRITERION, "价格", "报价", "价格分"}


def criterion_label(name: str) -> str:
    return str(_("Price")) if name == PRICE_CRITERION else name


def _selection_method_explanations() -> dict[str, str]:
    """One line per method: what the owner does and what the system does."""
    return {
        SelectionMethod.DIRECT: _(
            "You choose the agency yourself among the valid quotes once quoting closes; "
            "nothing is drawn. Offered only where the project's funding allows it."
        ),
        SelectionMethod.RANDOM_DRAW: _(
            "You only publish. When quoting closes, the system draws the agency by lot among "
            "the valid quotes, in a draw anyone can re-check afterwards."
        ),
        SelectionMethod.LOWEST_PRICE: _(
            "You only publish. When quoting closes, the system selects the lowest valid "
            "quote; equal lowest quotes are settled by a draw."
        ),
        SelectionMethod.OPTIMAL_PRICE: _(
            "You only publish. The system sets aside the highest and the lowest quote (when "
            "there are three or more), averages the rest, multiplies the average by a "
            "coefficient drawn from 95, 96, 97 and 98 per cent, and selects the quote closest "
            "to the result."
        ),
        SelectionMethod.CREDIT_MERIT: _(
            "The system ranks the agencies with a valid quote by credit score and draws a "
            "short list of up to %(short)d from the best %(long)d; you then choose one agency "
            "from the short list."
        )
        % {"short": CREDIT_SHORTLIST_SIZE, "long": CREDIT_LONGLIST_SIZE},
        SelectionMethod.SCORED: _(
            "You set the scoring criteria and their weights below, price included. After "
            "quoting closes you mark each quote from 0 to 100 on every criterion but price; the "
            "system marks the price (the lowest scores 100), adds up the weighted marks and "
            "selects the highest total."
        ),
    }


class ServiceItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceItem) -> str:
        return f"{obj.code} {obj.name}"


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Project) -> str:
        return f"{obj.name} ({obj.investment_code}, {obj.get_funding_display()})"


class PurchaseRequestForm(forms.Form):
    project = ProjectChoiceField(label=_("Project"), queryset=Project.objects.none())
    service_item = ServiceItemChoiceField(
        label=_("Service item"),
        queryset=ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).order_by("code"),
        help_text=_("Only services published in the catalogue can be bought."),
    )
    budget = forms.DecimalField(
        label=_("Budget or ceiling (yuan)"),
        max_digits=14,
        decimal_places=2,
        help_text=_(
            "The most you will pay. Where the government sets the fee or its ceiling for this "
            "service, the budget cannot be above it."
        ),
    )
    selection_method = forms.ChoiceField(
        label=_("Selection method"),
        choices=SelectionMethod.choices,
        widget=ExplainedRadioSelect(explanations=_selection_method_explanations),
        help_text=_(
            "Fixed when the request is published. If fewer valid quotes arrive than the "
            "method needs, the request fails and can be re-published."
        ),
        error_messages={
            "invalid_choice": _("This selection method is not allowed for the chosen project.")
        },
    )
    quote_opens_at = BeijingDateTimeField(
        label=_("Quoting opens"),
        required=False,
        help_text=_("Beijing time. Leave empty to open quoting as soon as it is published."),
    )
    quote_deadline = BeijingDateTimeField(label=_("Quote deadline"), help_text=BEIJING_HELP)
    wanted_time_limit_days = forms.IntegerField(
        label=_("Time limit wanted (working days)"),
        required=False,
        help_text=_("Optional; at most the item's statutory time limit."),
    )
    requirements_note = forms.CharField(
        label=_("What is to be done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args,
        owner: Organisation,
        project: Project | None = None,
        project_fixed: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        projects = Project.objects.filter(owner=owner).order_by("-created_at")
        self.fields["project"].queryset = projects
        if project is not None:
            self.fields["project"].initial = project.pk
        # A draft keeps its project: the service changes only its terms.
        self.fields["project"].disabled = project_fixed
        # Offer only the methods the project in play allows: the one submitted, else the one
        # asked for; with none yet, those any of the owner's projects allows.
        in_play = (None if project_fixed else self._project_in_play(projects)) or project
        allowed = (
            direct_selection_allowed(in_play)
            if in_play is not None
            else any(direct_selection_allowed(p) for p in projects)
        )
        self.fields["selection_method"].choices = [
            (value, label)
            for value, label in SelectionMethod.choices
            if value != SelectionMethod.DIRECT or allowed
        ]
        self.fields["selection_method"].initial = SelectionMethod.RANDOM_DRAW

    def _project_in_play(self, projects: QuerySet[Project]) -> Project | None:
        if not self.is_bound:
            return None
        try:
            return projects.filter(pk=int(self.data.get("project") or 0)).first()
        except (TypeError, ValueError, OverflowError):
            return None


class ScoringCriterionForm(forms.Form):
    """One scoring factor. A row left empty is no factor."""

    name = forms.CharField(label=_("Criterion"), max_length=100, required=False)
    weight = forms.IntegerField(
        label=_("Weight (%)"),
        required=False,
        min_value=1,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 1, "max": 100, "inputmode": "numeric"}),
    )

    def clean(self):
        data = super().clean()
        name, weight = (data.get("name") or "").strip(), data.get("weight")
        if name and weight is None and "weight" not in self.errors:
            self.add_error("weight", _("Give this criterion a weight."))
        if weight is not None and not name:
            self.add_error("name", _("Name this criterion, or clear its weight."))
        return data

    def criterion(self) -> tuple[str, int] | None:
        name = (self.cleaned_data.get("name") or "").strip()
        weight = self.cleaned_data.get("weight")
        if not name or weight is None:
            return None
        aliases = PRICE_ALIASES | {str(_("Price")).lower()}
        return (PRICE_CRITERION if name.lower() in aliases else name), weight


class BaseScoringCriterionFormSet(forms.BaseFormSet):
    def criteria(self) -> tuple[tuple[str, int], ...]:
        """The factors of the rows that are filled in and valid; whether together they make a
        valid set (a price factor, each once, weights adding up to 100) the service says."""
        rows = (form.criterion() for form in self.forms if hasattr(form, "cleaned_data"))
        return tuple(row for row in rows if row is not None)


ScoringCriterionFormSet = forms.formset_factory(
    ScoringCriterionForm,
    formset=BaseScoringCriterionFormSet,
    extra=3,
    max_num=MAX_CRITERIA,
    absolute_max=MAX_CRITERIA,
    validate_max=True,
)


def agency_pick_value(agency: Agency) -> str:
    """How an agency is written in the picker: its credit code first, which is what is read
    back, then its name for people."""
    return f"{agency.organisation.credit_code} {agency.organisation.name}"


def agency_pick_options() -> list[str] | None:
    """The picker's suggestions: every active agency on the roster, or None when there are
    too many to send with the page."""
    agencies = list(
        Agency.objects.filter(status=Agency.Status.ACTIVE)
        .select_related("organisation")
        .order_by("organisation__name")[: AGENCY_LIST_LIMIT + 1]
    )
    if len(agencies) > AGENCY_LIST_LIMIT:
        return None
    return [agency_pick_value(agency) for agency in agencies]


def _agency_from_pick(text: str) -> Agency | None:
    """The roster's agency the owner picked or typed: by the credit code the text starts
    with, else by its exact name."""
    agencies = Agency.objects.select_related("organisation")
    if match := _CREDIT_CODE.match(text):
        found = agencies.filter(organisation__credit_code=match[1].upper()).first()
        if found is not None:
            return found
    named = list(agencies.filter(organisation__name=text.strip())[:2])
    return named[0] if len(named) == 1 else None


class ExclusionForm(forms.Form):
    """One agency the owner asks to keep out (回避), with the reason kept on record."""

    agency = forms.CharField(
        label=_("Agency"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"list": "exclusion-agencies", "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def clean_agency(self) -> Agency | None:
        text = self.cleaned_data["agency"].strip()
        if not text:
            return None
        agency = _agency_from_pick(text)
        if agency is None:
            raise forms.ValidationError(
                _(
                    "No agency on the roster matches this: choose one from the list, or type "
                    "its unified social credit code."
                ),
                code="unknown_agency",
            )
        return agency

    def clean(self):
        data = super().clean()
        agency, reason = data.get("agency"), (data.get("reason") or "").strip()
        if agency is not None and not reason and "reason" not in self.errors:
            self.add_error("reason", _("State why this agency is excluded."))
        if reason and agency is None and "agency" not in self.errors:
            self.add_error("agency", _("Choose the agency to exclude, or clear the reason."))
        return data


class BaseExclusionFormSet(forms.BaseFormSet):
    def clean(self):
        seen: set[int] = set()
        for form in self.forms:
            agency = getattr(form, "cleaned_data", {}).get("agency")
            if agency is None:
                continue
            if agency.pk in seen:
                form.add_error("agency", _("This agency is already listed above."))
            seen.add(agency.pk)

    def exclusions(self) -> tuple[tuple[Agency, str], ...]:
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data.get("agency") is not None and (data.get("reason") or "").strip():
                rows.append((data["agency"], data["reason"].strip()))
        return tuple(rows)


ExclusionFormSet = forms.formset_factory(
    ExclusionForm,
    formset=BaseExclusionFormSet,
    extra=2,
    max_num=MAX_EXCLUSIONS,
    absolute_max=MAX_EXCLUSIONS,
    validate_max=True,
)


class PurchaseRequestEntry:
    """The purchase request form with its scoring factors and exclusions, checked together so
    that every mistake in every part shows at once. A draft given as `purchase_request`
    fills all three from what it stores."""

    def __init__(
        self,
        data=None,
        *,
        owner: Organisation,
        project: Project | None = None,
        purchase_request: PurchaseRequest | None = None,
    ):
        initial, criteria, exclusions = None, [], []
        if purchase_request is not None:
            project = purchase_request.project
            stored = terms_of(purchase_request)
            initial = {
                "service_item": stored.service_item.pk,
                "budget": stored.budget,
                "selection_method": stored.selection_method,
                "quote_opens_at": stored.quote_opens_at,
                "quote_deadline": stored.quote_deadline,
                "wanted_time_limit_days": stored.wanted_time_limit_days,
                "requirements_note": stored.requirements_note,
            }
            criteria = [
                {"name": criterion_label(name), "weight": weight}
                for name, weight in stored.scoring_criteria
            ]
            exclusions = [
                {"agency": agency_pick_value(agency), "reason": reason}
                for agency, reason in stored.exclusions
            ]
        self.form = PurchaseRequestForm(
            data,
            owner=owner,
            project=project,
            project_fixed=purchase_request is not None,
            initial=initial,
        )
        # The price is a factor of every scored evaluation: its row is there to be weighted.
        self.criteria = ScoringCriterionFormSet(
            data,
            prefix="criteria",
            initial=criteria or [{"name": criterion_label(PRICE_CRITERION)}],
        )
        self.exclusions = ExclusionFormSet(data, prefix="exclusions", initial=exclusions)

    @property
    def scored(self) -> bool:
        """Whether the factors count: only for scored evaluation; elsewhere they are not kept
        (nor checked)."""
        if self.form.is_bound:
            return self.form.data.get("selection_method") == SelectionMethod.SCORED
        return self.form["selection_method"].value() == SelectionMethod.SCORED

    def is_valid(self) -> bool:
        # Every part is asked, whatever the others answer, so that all mistakes show at once.
        results = [self.form.is_valid(), self.exclusions.is_valid()]
        if self.scored:
            results.append(self.criteria.is_valid())
        return all(results)

    def can_be_checked(self) -> bool:
        """Whether the services can judge the terms though some part is wrong: they need the
        project and the service item."""
        data = getattr(self.form, "cleaned_data", {})
        return data.get("project") is not None and data.get("service_item") is not None

    def terms(self) -> RequestTerms:
        """The terms from what was valid; a part that was not is left empty, and the
        service's verdict on it is not shown (see add_service_error)."""
        data = self.form.cleaned_data
        criteria_valid = self.scored and self.criteria.is_valid()
        return RequestTerms(
            service_item=data["service_item"],
            budget=data.get("budget"),
            selection_method=data.get("selection_method", ""),
            quote_deadline=data.get("quote_deadline"),
            quote_opens_at=data.get("quote_opens_at"),
            wanted_time_limit_days=data.get("wanted_time_limit_days"),
            requirements_note=(data.get("requirements_note") or "").strip(),
            scoring_criteria=self.criteria.criteria() if criteria_valid else (),
            exclusions=self.exclusions.exclusions(),
        )

    def add_service_error(self, error: ApplicationError, *, only_where_clean: bool = False):
        """Put a service's refusal where it belongs: a field's at the field, the factors' and
        exclusions' above their rows, anything else on top. With `only_where_clean`, a part
        that already shows the form's own error keeps that one alone."""
        parts = {"scoring_criteria": self.criteria, "exclusions": self.exclusions}
        placed = False
        for name, found in error.extra.items():
            found = found if isinstance(found, list) else [found]
            if name in self.form.fields:
                if not (only_where_clean and self.form.has_error(name)):
                    for message in found:
                        self.form.add_error(name, message)
                placed = True
            elif name in parts:
                part = parts[name]
                if not (only_where_clean and not part.is_valid()):
                    part.non_form_errors().extend(found)
                placed = True
        if not placed:
            self.form.add_error(None, error.message)


# Actions on one request -----------------------------------------------------------------------


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the notice."),
    )


class RepublishForm(forms.Form):
    quote_deadline = BeijingDateTimeField(label=_("New quote deadline"), help_text=BEIJING_HELP)


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your objection"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A regulator answers it; the award is held until then."),
    )


class QuoteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Quote) -> str:
        return str(obj.agency)


class ChooseForm(forms.Form):
    """The owner's own choice among the quotes it may choose from (direct selection: every
    valid quote; credit merit: the drawn short list)."""

    quote = QuoteChoiceField(
        label=_("Selected agency"),
        queryset=Quote.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("This agency cannot be chosen for this request.")},
    )

    def __init__(self, *args, quotes: QuerySet[Quote], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quote"].queryset = quotes


class ScoresForm(forms.Form):
    """One mark from 0 to 100 per valid quote and per criterion other than price (the price
    mark is computed from the opened amounts)."""

    def __init__(self, *args, purchase_request: PurchaseRequest, quotes: list[Quote], **kwargs):
        super().__init__(*args, **kwargs)
        self.quotes = quotes
        marked = [c for c in purchase_request.scoring_criteria if c["name"] != PRICE_CRITERION]
        self.criteria = [criterion["name"] for criterion in marked]
        self.headers = [f"{c['name']} ({c['weight']}%)" for c in marked]
        for quote in quotes:
            for index, name in enumerate(self.criteria):
                self.fields[self.field_name(quote, index)] = forms.DecimalField(
                    label=f"{quote.agency} · {name}",
                    min_value=Decimal(0),
                    max_value=Decimal(100),
                    max_digits=5,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={"step": "0.01", "min": 0, "max": 100}),
                )

    @staticmethod
    def field_name(quote: Quote, index: int) -> str:
        return f"mark_{quote.pk}_{index}"

    def rows(self) -> list[tuple[Quote, list[forms.BoundField]]]:
        return [
            (quote, [self[self.field_name(quote, i)] for i in range(len(self.criteria))])
            for quote in self.quotes
        ]

    def scores(self) -> dict[int, dict[str, Decimal]]:
        return {
            quote.pk: {
                name: self.cleaned_data[self.field_name(quote, index)]
                for index, name in enumerate(self.criteria)
            }
            for quote in self.quotes
        }


def default_republish_deadline() -> datetime.datetime:
    """A week from now, on the hour, as a starting value the owner may change."""
    soon = timezone.localtime(timezone.now(), BEIJING) + datetime.timedelta(days=7)
    return soon.replace(minute=0, second=0, microsecond=0)
