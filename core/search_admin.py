"""The back office's table of search synonyms, kept by regulators (core.models.SearchSynonym).
Registered in core/wagtail_hooks.py; the regulator's role holds its model permissions
(accounts/roles.py)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from core.models import SearchSynonym


class SearchSynonymViewSet(ModelViewSet):
    """Abbreviations and what they stand for: a search for one also finds the other, from the
    moment a row is saved."""

    model = SearchSynonym
    icon = "search"
    menu_label = _("Search synonyms")
    menu_order = 322
    add_to_admin_menu = True
    list_display = ["term", "full_form"]
    form_fields = ["term", "full_form"]
    search_fields = ["term", "full_form"]
    # The table is small and not in the search index: a plain database search of its rows.
    search_backend_name = None
    copy_view_enabled = False
