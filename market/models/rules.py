"""Purchasing rules regulators set in the back office (Wagtail's settings)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="time")
class PurchasingRules(BaseGenericSetting):
    """One row, made by the migration that made the table, so reading it never writes."""

    min_quoting_workdays = models.PositiveSmallIntegerField(
        _("minimum quoting period (working days)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "A quote deadline falls at least this many working days after quoting opens, "
            "at the same time of day; weekends and holidays do not count."
        ),
    )

    class Meta:
        verbose_name = _("purchasing rules")
        verbose_name_plural = _("purchasing rules")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
