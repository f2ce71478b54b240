from django import template
from wagtail.models import Page

from cms.models import NewsIndexPage, NoticeCentrePage, PolicyIndexPage, ServiceGuideIndexPage

register = template.Library()

# The portal's sections, in the order the header lists them: editors can retitle or unpublish
# a section in the back office and the header follows.
SECTION_TYPES = (NoticeCentrePage, PolicyIndexPage, NewsIndexPage, ServiceGuideIndexPage)


@register.simple_tag(takes_context=True)
def portal_sections(context: template.Context) -> list[tuple[str, str]]:
    """(title, url) of each live section page, one query for all of them."""
    request = context.get("request")
    pages = Page.objects.live().public().type(*SECTION_TYPES).select_related("content_type")
    order = {model: position for position, model in enumerate(SECTION_TYPES)}
    ranked = sorted(pages, key=lambda page: order[page.content_type.model_class()])
    return [(page.title, page.get_url(request)) for page in ranked]
