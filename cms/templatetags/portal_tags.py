from django import template

from cms.selectors import portal_sections as sections_of

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_sections(context: template.Context) -> list[tuple[str, str]]:
    """(title, url) of each live section page."""
    return [(section.title, section.url) for section in sections_of(context.get("request"))]
