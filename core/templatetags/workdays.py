import datetime

from django import template

from core.workdays import year_is_provisional

register = template.Library()


@register.filter
def provisional(day: datetime.date | None) -> bool:
    """Whether a deadline falls in a year whose official schedule is not yet entered, so it
    is shown as provisional (暂定) and may move when it is."""
    return day is not None and year_is_provisional(day.year)
