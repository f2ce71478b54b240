from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agency roster")

    def ready(self) -> None:
        from agencies import receivers, signals
        from agencies.models import Agency
        from catalogue.signals import service_item_requirements_changed
        from core.signals import calendar_year_confirmed
        from core.status import status_changed

        service_item_requirements_changed.connect(
            receivers.service_item_requirements_changed,
            dispatch_uid="agencies.scope_for_changed_item",
        )
        status_changed.connect(
            receivers.agency_status_changed,
            sender=Agency,
            dispatch_uid="agencies.agency_status_changed",
        )
        signals.qualification_expiring.connect(
            receivers.qualification_expiring, dispatch_uid="agencies.qualification_expiring"
        )
        calendar_year_confirmed.connect(
            receivers.calendar_year_confirmed, dispatch_uid="agencies.calendar_year_confirmed"
        )
