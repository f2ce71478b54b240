"""The portal's hooks into the back office and into lower apps' pages: the admin's colours,
the regulator's dashboard, and the link from a catalogue item to its service guide (the
catalogue does not know the portal exists; it asks its hook)."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import SubmenuMenuItem
from wagtail.admin.ui.components import Component

from accounts.permissions import allowed
from catalogue.views import ITEM_PAGE_HOOK
from cms.models import ServiceGuidePage
from cms.selectors import regulator_dashboard


@hooks.register(ITEM_PAGE_HOOK)
def service_guide_link(service_item):
    """The catalogue page of an item links to its service guide, if one is published."""
    return {
        "service_guide": ServiceGuidePage.objects.live().filter(service_item=service_item).first()
    }


@hooks.register("construct_help_menu")
def help_menu_without_external_guides(request, menu_items):
    """Wagtail's "What's new" and editor's guide open wagtail.org, in English; the keyboard
    shortcuts stay."""
    menu_items[:] = [
        item
        for item in menu_items
        if item.name != "editor-guide" and not item.name.startswith("whats-new-in-wagtail")
    ]


@hooks.register("construct_main_menu")
def settings_menu_without_version(request, menu_items):
    """The settings menu as Wagtail draws it, less the footer naming the software's exact
    version to everyone signed in: an attacker's first question, and no help to anyone else."""
    for index, item in enumerate(menu_items):
        if item.name == "settings":
            menu_items[index] = SubmenuMenuItem(
                item.label,
                item.menu,
                name=item.name,
                icon_name=item.icon_name,
                classname=item.classname,
                order=item.order,
            )


@hooks.register("insert_global_admin_css")
def brand_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin-brand.css"))


class RegulatorDashboardPanel(Component):
    """What waits for a regulator, at the top of the back office's home page."""

    name = "regulator_dashboard"
    template_name = "cms/admin/regulator_dashboard.html"
    order = 50

    def get_context_data(self, parent_context):
        return {"dashboard": regulator_dashboard()}


@hooks.register("construct_homepage_panels")
def regulator_panels(request, panels):
    if allowed("accounts.regulate", request.user):
        panels.append(RegulatorDashboardPanel())
