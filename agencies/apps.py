from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agency roster")

    def ready(self) -> None:
        from agencies import receivers
        from catalogue.signals import service_item_requirements_changed

        service_item_requirements_changed.connect(
            receivers.service_item_requirements_changed,
            dispatch_uid="agencies.scope_for_changed_item",
        )
