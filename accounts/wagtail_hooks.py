"""The back office's user editor: privileged changes are recorded and the person told
(accounts/audit.py)."""

from wagtail import hooks

from accounts.audit import account_change_record, account_created_by_someone_else, account_snapshot

# Each edit's "before", between Wagtail's before and after hooks of one request.
_BEFORE = "_account_before_edit"


@hooks.register("before_edit_user")
def remember_account(request, user):
    setattr(request, _BEFORE, account_snapshot(user))


@hooks.register("after_edit_user")
def record_account_change(request, user):
    before = getattr(request, _BEFORE, None)
    if before is not None:
        account_change_record(actor=request.user, user=user, before=before)


@hooks.register("after_create_user")
def record_account_creation(request, user):
    account_created_by_someone_else(actor=request.user, user=user)
