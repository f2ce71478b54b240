"""What templates/includes/form.html needs beyond Django's own field rendering: the error
summary at the top of a form, and inputs that say they are required or carry a kept upload."""

import copy
from dataclasses import dataclass

from django import forms, template
from django.utils.translation import gettext as _

from core.kept_uploads import KeptUpload, kept_uploads_of

register = template.Library()


@dataclass(frozen=True)
class SummaryItem:
    text: str
    anchor: str


def field_anchor(field: forms.BoundField) -> str:
    """The id to link to for a field: its input, or a group's first choice."""
    if field.id_for_label:
        return field.id_for_label
    return f"{field.auto_id}_0" if field.auto_id else ""


def _form_items(form: forms.BaseForm, row: int | None = None) -> list[SummaryItem]:
    def text(label: str, message: str) -> str:
        if row is not None:
            label = _("Entry %(number)s, %(label)s") % {"number": row, "label": label}
        return _("%(label)s: %(message)s") % {"label": label, "message": message}

    items = []
    for message in form.non_field_errors():
        items.append(
            SummaryItem(text(_("whole entry"), message) if row is not None else message, "")
        )
    for field in form:
        for message in field.errors:
            items.append(
                SummaryItem(text(str(field.label or field.name), message), field_anchor(field))
            )
    return items


@register.inclusion_tag("includes/form_error_summary.html")
def error_summary(*forms_or_formsets) -> dict:
    """Every error of the given forms and formsets, in page order, each linked to its field:
    shown once, at the top, so nobody has to scroll to find what is left to fix."""
    items: list[SummaryItem] = []
    for each in forms_or_formsets:
        if isinstance(each, forms.BaseFormSet):
            if not each.is_bound:
                continue
            items.extend(SummaryItem(message, "") for message in each.non_form_errors())
            for number, form in enumerate(each.forms, start=1):
                items.extend(_form_items(form, row=number))
        elif each is not None and each.is_bound:
            items.extend(_form_items(each))
    return {"items": items}


@register.filter
def marked_required(field: forms.BoundField) -> bool:
    """Whether the field is shown as required: the form requires it, or a service does
    (a field the form leaves optional so that the service reports it beside every other
    problem says so with `show_required = True`)."""
    return field.field.required or getattr(field.field, "show_required", False)


@register.simple_tag
def kept_upload(form: forms.BaseForm, field: forms.BoundField) -> KeptUpload | None:
    return kept_uploads_of(form).get(field.name)


@register.simple_tag
def field_widget(field: forms.BoundField, kept: KeptUpload | None = None) -> str:
    """The field's input as Django draws it (with `required`, `aria-invalid` and
    `aria-describedby` for its help and errors), plus `aria-required` where Django leaves
    `required` out (a select whose first option has a value), and, for a kept upload, the
    note about it and no `required`: the kept file answers it."""
    widget = field.field.widget
    attrs: dict[str, str] = {}
    # A group of choices is described on its fieldset (form.html), not on each choice.
    described = "" if field.use_fieldset else field.aria_describedby
    if kept is not None:
        widget = copy.copy(widget)
        widget.use_required_attribute = lambda initial: False
        described = " ".join(filter(None, [described, f"{field.auto_id}_kept"]))
    if described:
        attrs["aria-describedby"] = described
    if (
        kept is None
        and marked_required(field)
        and field.form.use_required_attribute
        and not field.use_fieldset
        and not widget.is_hidden
        and "required" not in field.build_widget_attrs({}, widget)
    ):
        attrs["aria-required"] = "true"
    return field.as_widget(widget=widget, attrs=attrs)
