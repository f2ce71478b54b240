"""Forms for the project owner's pages under /my/requests/. They parse what the owner typed;
whether it is allowed (budget, deadline, methods, criteria, exclusions) is decided by
market/services and comes back as ApplicationError, placed at the field it names."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from agencies.models import Agency
from catalogue.models import ServiceItem
from core.forms import RegionChoiceField
from market.models import Project, PurchaseRequest, Quote, SelectionMethod
from market.services.requests import PRICE_CRITERION, RequestTerms, direct_selection_allowed

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
        label=_("Funding"), choices=Project.Funding.choices, widget=forms.RadioSelect
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

_CRITERION_LINE = re.compile(r"^(?P<name>.+?)\s*[:：=]\s*(?P<weight>\d+)\s*%?$")
# What owners write for the price criterion; the services know it as PRICE_CRITERION.
PRICE_ALIASES = {PRICE_CRITERION, "价格", "报价", "价格分"}
_EXCLUSION_SPLIT = re.compile(r"[|｜]")


def _lines(text: str) -> list[tuple[int, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate((text or "").splitlines(), start=1)
        if line.strip()
    ]


def criterion_label(name: str) -> str:
    return str(_("Price")) if name == PRICE_CRITERION else name


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
        label=_("Budget or ceiling (yuan)"), max_digits=14, decimal_places=2
    )
    selection_method = forms.ChoiceField(
        label=_("Selection method"),
        choices=SelectionMethod.choices,
        widget=forms.RadioSelect,
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
    scoring_criteria = forms.CharField(
        label=_("Scoring criteria"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "价格:40\n技术方案:40\n服务承诺:20"}
        ),
        help_text=_(
            "Scored evaluation only: one criterion per line as name:weight; the weights add "
            "up to 100 and one criterion is the price (价格), which is scored from the quotes."
        ),
    )
    exclusions = forms.CharField(
        label=_("Agencies to exclude (回避)"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "91511403MA00000000 | 与本单位存在关联关系"}
        ),
        help_text=_(
            "Optional: one agency per line as its unified social credit code | the reason. "
            "The reasons are kept with the request."
        ),
    )

    def __init__(self, *args, owner: Organisation, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        projects = Project.objects.filter(owner=owner).order_by("-created_at")
        self.fields["project"].queryset = projects
        if project is not None:
            self.fields["project"].initial = project.pk
        # Offer only the methods the project in play allows: the one submitted, else the one
        # asked for; with none yet, those any of the owner's projects allows.
        in_play = self._project_in_play(projects) or project
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
        except (TypeError, ValueError):
            return None

    def clean_scoring_criteria(self) -> tuple[tuple[str, int], ...]:
        criteria = []
        for number, line in _lines(self.cleaned_data["scoring_criteria"]):
            match = _CRITERION_LINE.match(line)
            if match is None:
                raise forms.ValidationError(
                    _("Line %(number)d: write name:weight, the weight a whole number."),
                    params={"number": number},
                )
            name = match["name"].strip()
            if name.lower() in PRICE_ALIASES:
                name = PRICE_CRITERION
            criteria.append((name, int(match["weight"])))
        return tuple(criteria)

    def clean_exclusions(self) -> tuple[tuple[Agency, str], ...]:
        parsed: list[tuple[str, str, int]] = []
        for number, line in _lines(self.cleaned_data["exclusions"]):
            code, *rest = _EXCLUSION_SPLIT.split(line, maxsplit=1)
            parsed.append((code.strip().upper(), rest[0].strip() if rest else "", number))
        agencies = {
            agency.organisation.credit_code: agency
            for agency in Agency.objects.select_related("organisation").filter(
                organisation__credit_code__in=[code for code, _reason, _number in parsed]
            )
        }
        exclusions, seen = [], set()
        for code, reason, number in parsed:
            if code not in agencies:
                raise forms.ValidationError(
                    _("Line %(number)d: no agency on the roster has the credit code %(code)s."),
                    params={"number": number, "code": code},
                )
            if code in seen:
                raise forms.ValidationError(
                    _("Line %(number)d: this agency is listed twice."), params={"number": number}
                )
            seen.add(code)
            exclusions.append((agencies[code], reason))
        return tuple(exclusions)

    def terms(self) -> RequestTerms:
        data = self.cleaned_data
        scored = data["selection_method"] == SelectionMethod.SCORED
        return RequestTerms(
            service_item=data["service_item"],
            budget=data["budget"],
            selection_method=data["selection_method"],
            quote_deadline=data["quote_deadline"],
            quote_opens_at=data["quote_opens_at"],
            wanted_time_limit_days=data["wanted_time_limit_days"],
            requirements_note=data["requirements_note"].strip(),
            # Criteria mean something only for scored evaluation; elsewhere they are not kept.
            scoring_criteria=data["scoring_criteria"] if scored else (),
            exclusions=data["exclusions"],
        )


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
