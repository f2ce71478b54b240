"""Gates for views and menu items, asking accounts/permissions.py."""

from django.core.exceptions import PermissionDenied
from wagtail.admin.menu import MenuItem

from accounts.permissions import allowed


class RegulatorRequiredMixin:
    """A back-office view for regulators only: an approval department never reviews, chooses
    or recommends agencies (R4). The services the view calls check again."""

    def dispatch(self, request, *args, **kwargs):
        if not allowed("accounts.regulate", request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RegulatorMenuItem(MenuItem):
    """A back-office menu entry shown to regulators only."""

    def is_shown(self, request):
        return allowed("accounts.regulate", request.user)
