"""The public portal's pages. What the marketplace holds (notices, awards, contracts, the
blacklist, inspections) is never copied into a page: the pages read it through each app's
selectors when they are shown, so a new award is on the notice centre without an edit."""

from django.core.paginator import Page as PaginatorPage
from django.db import models
from django.http import HttpRequest
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.selectors import NOTICE_TABS, home_page_figures, notice_centre_rows, portal_sections
from core.pagination import paginate
from core.search import index_tokens

NEWS_PAGE_SIZE = 10


# Chinese runs its words together, so the text of policy, news and guide pages goes to the
# search backends also as the tokens core.search makes of it, as catalogue items and agencies
# do: 环评 then finds a policy that says 环境影响评价. Each of those page models declares
# `search_tokens` itself: Elasticsearch maps a search field only on the model that defines it,
# so a method inherited from an abstract page would be indexed but never searched.
TEXT_PAGE_SEARCH_FIELDS = [
    *Page.search_fields,
    index.SearchField("summary"),
    index.SearchField("body"),
    index.SearchField("search_tokens"),
]


def text_page_tokens(page: "PolicyPage | NewsPage | ServiceGuidePage") -> str:
    # str() of a rich-text field or a StreamField is its HTML.
    return index_tokens(" ".join([page.title, page.summary, strip_tags(str(page.body))]))


class HomePage(Page):
    """The public front page: what the marketplace is, and what is in it now."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.NoticeCentrePage",
        "cms.PolicyIndexPage",
        "cms.NewsIndexPage",
        "cms.ServiceGuideIndexPage",
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context.update(home_page_figures())
        context["notice_centre_url"] = next(
            (
                section.url
                for section in portal_sections(request)
                if section.page_type is NoticeCentrePage
            ),
            None,
        )
        return context


class NoticeCentrePage(Page):
    """One tab per kind of public notice, each read from the marketplace as it is now."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("notice centre")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        tab = request.GET.get("type", "")
        if tab not in NOTICE_TABS:
            tab = next(iter(NOTICE_TABS))
        page: PaginatorPage = paginate(request, notice_centre_rows(tab))
        context.update(
            tab=tab,
            tabs=[(code, label) for code, (label, _rows) in NOTICE_TABS.items()],
            page_obj=page,
            query_string=f"type={tab}",
        )
        return context


class PolicyIndexPage(Page):
    """Policies and regulations (政策法规): the list of policy pages, newest first."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.PolicyPage"]

    class Meta:
        verbose_name = _("policy index")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        policies = PolicyPage.objects.child_of(self).live().order_by("-issued_on", "-pk")
        context["page_obj"] = paginate(request, policies, NEWS_PAGE_SIZE)
        return context


class PolicyPage(Page):
    """A policy document, in sections with their headings."""

    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(label=_("Heading"), form_classname="title")),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
        ],
        verbose_name=_("body"),
        blank=True,
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("issued_by"), FieldPanel("document_number"), FieldPanel("issued_on")],
            heading=_("Document"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = TEXT_PAGE_SEARCH_FIELDS
    parent_page_types = ["cms.PolicyIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("policy page")

    def search_tokens(self) -> str:
        return text_page_tokens(self)


class NewsIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).live().order_by("-date", "-pk")
        context["page_obj"] = paginate(request, news, NEWS_PAGE_SIZE)
        return context


class NewsPage(Page):
    date = models.DateField(_("date"))
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = TEXT_PAGE_SEARCH_FIELDS
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news page")

    def search_tokens(self) -> str:
        return text_page_tokens(self)


class ServiceGuideIndexPage(Page):
    """Service guides (办事指南): one page per catalogue item that has one."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ServiceGuidePage"]

    class Meta:
        verbose_name = _("service guide index")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        guides = (
            ServiceGuidePage.objects.child_of(self)
            .live()
            .select_related("service_item")
            .order_by("service_item__code")
        )
        context["page_obj"] = paginate(request, guides)
        return context


class ServiceGuidePage(Page):
    """How to obtain one catalogue item's service, in plain words. The item's own facts
    (time limit, qualifications, fees) stay on its catalogue page, which this page links to
    and which links back here."""

    service_item = models.OneToOneField(
        "catalogue.ServiceItem",
        verbose_name=_("catalogue item"),
        on_delete=models.PROTECT,
        related_name="guide_page",
    )
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("guide"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("service_item"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = TEXT_PAGE_SEARCH_FIELDS
    parent_page_types = ["cms.ServiceGuideIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("service guide page")

    def search_tokens(self) -> str:
        return text_page_tokens(self)


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """Who runs the site and how to reach them, shown in every page's footer."""

    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    icp_number = models.CharField(_("ICP licence number"), max_length=64, blank=True)
    public_security_number = models.CharField(
        _("public security record number"), max_length=64, blank=True
    )

    panels = [
        FieldPanel("organiser"),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("phone"), FieldPanel("email")],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [FieldPanel("icp_number"), FieldPanel("public_security_number")],
            heading=_("Site record numbers"),
        ),
    ]

    class Meta:
        verbose_name = _("portal settings")


# The portal's sections, in the order the header lists them (cms.selectors.portal_sections).
SECTION_TYPES = (NoticeCentrePage, PolicyIndexPage, NewsIndexPage, ServiceGuideIndexPage)
