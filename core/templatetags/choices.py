import functools

from django import template
from django.db import models

register = template.Library()


@functools.cache
def _labels(field: models.Field) -> dict:
    # Keyed by the stored value; the labels stay lazy, translated as each page draws them.
    return dict(field.flatchoices)


@register.filter
def choice_label(instance: models.Model, field_name: str) -> str:
    """`instance.get_<field_name>_display()` for list pages. Django's rebuilds the field's
    choices on every call and translates each label to hash it: on the notice list that was
    a tenth of the page."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return str(_labels(field).get(value, value))
