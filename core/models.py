from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A regulator's word on one date: a working day or not. It overrides the official
    holiday calendar (the `chinese_calendar` package), which lags behind the State Council's
    yearly notice and knows nothing of local arrangements (core/workdays.py)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("For example the notice that set this day, or the holiday it belongs to."),
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"
