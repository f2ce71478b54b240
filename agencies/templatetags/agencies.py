from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext

from agencies.models import Agency

register = template.Library()


@register.simple_tag
def credit_grade(agency: Agency) -> str:
    """An agency's credit grade as a badge, its score on hover. A tag rather than an included
    template: the roster draws one per row, and an include cost a tenth of its page."""
    return format_html(
        '<span class="grade grade-{grade}" title="{label} {score}">{grade}</span>',
        grade=agency.credit_grade,
        label=gettext("Credit score"),
        score=localize(agency.credit_score),
    )
