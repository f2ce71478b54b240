from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        # Imported for their side effect: the rules register themselves (django-rules).
        from accounts import permissions  # noqa: F401
        from accounts.roles import roles_sync_after_migrate

        # Permissions exist only after migrate has run, so the role groups are (re)granted
        # theirs at the end of every migrate — idempotently.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="accounts.roles_sync")
