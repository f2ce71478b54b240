import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.models import CalendarYear, Region
from core.signals import calendar_year_confirmed
from core.workdays import year_is_provisional

SCHEDULER_HEARTBEAT_KEY = "core:scheduler-heartbeat"


def scheduler_heartbeat_record() -> None:
    """Remember when the beat scheduler and a worker last ran a task together, so that
    /readyz can tell a stalled scheduler from a quiet one."""
    cache.set(SCHEDULER_HEARTBEAT_KEY, timezone.localtime().isoformat(), timeout=None)


@transaction.atomic
def calendar_year_confirm(*, actor, year: int, source: str) -> CalendarYear:
    """Record that the State Council's schedule for `year` is entered (CalendarDay rows), so
    its deadlines stop being provisional; the apps recompute the deadlines they computed for
    it (core.signals.calendar_year_confirmed, after commit).

    Raises ApplicationError without the permission ("not_calendar_keeper"), without the
    notice it comes from ("source_required"), or for a year already confirmed
    ("already_confirmed")."""
    if actor is None or not actor.has_perm("core.add_calendaryear"):
        raise ApplicationError(
            _("You may not confirm the working-day calendar."), code="not_calendar_keeper"
        )
    source = (source or "").strip()
    if not source:
        message = _("Name the notice the schedule comes from.")
        raise ApplicationError(message, code="source_required", extra={"source": [message]})
    if CalendarYear.objects.filter(year=year).exists():
        raise ApplicationError(
            _("The calendar of %(year)d is already confirmed.") % {"year": year},
            code="already_confirmed",
        )
    confirmed = CalendarYear.objects.create(year=year, source=source, confirmed_by=actor)
    calendar_year_confirmed.send_after_commit(CalendarYear, year=year)
    return confirmed


def calendar_warning(*, today: datetime.date | None = None) -> int | None:
    """From 1 October, the next year whose schedule is still missing (regulators must enter
    it before deadlines reach it); None otherwise."""
    today = today or timezone.localdate()
    if today.month >= 10 and year_is_provisional(today.year + 1):
        return today.year + 1
    return None


def _region_keeper(actor, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise ApplicationError(_("You may not change the regions."), code="not_region_keeper")


def _region_fields_check(*, name: str, kind: str, code: str, exclude_pk: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("This field is required.")]
    if kind not in Region.Kind.values:
        errors["kind"] = [_("Please choose what kind of area this is.")]
    if code and Region.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        errors["code"] = [_("Another region has this code.")]
    if errors:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)


@transaction.atomic
def region_add(*, actor, name: str, kind: str, code: str = "", parent: Region | None) -> Region:
    """Add an area under `parent`, or at the top of the tree.

    Raises ApplicationError without the permission ("not_region_keeper") or for a missing
    name or kind, or a code another region has ("invalid")."""
    _region_keeper(actor, "core.add_region")
    name, code = (name or "").strip(), (code or "").strip()
    _region_fields_check(name=name, kind=kind, code=code, exclude_pk=None)
    fields = {"name": name, "kind": kind, "code": code}
    if parent is None:
        return Region.add_root(**fields)
    # treebeard computes the child's path from the parent's counters, which must be fresh.
    return Region.objects.get(pk=parent.pk).add_child(**fields)


@transaction.atomic
def region_update(
    *, actor, region: Region, name: str, kind: str, code: str = "", parent: Region | None
) -> Region:
    """Rename an area, or move it (with everything inside it) under another.

    Raises ApplicationError without the permission ("not_region_keeper"), for bad fields
    ("invalid"), or for a move into itself or an area inside it ("region_inside_itself")."""
    _region_keeper(actor, "core.change_region")
    name, code = (name or "").strip(), (code or "").strip()
    _region_fields_check(name=name, kind=kind, code=code, exclude_pk=region.pk)
    region = Region.objects.get(pk=region.pk)
    if parent is not None and parent.path.startswith(region.path):
        message = _("An area cannot be moved into itself or into an area inside it.")
        raise ApplicationError(message, code="region_inside_itself", extra={"parent": [message]})
    Region.objects.filter(pk=region.pk).update(name=name, kind=kind, code=code)
    current_parent = region.get_parent()
    if (parent and parent.pk) != (current_parent and current_parent.pk):
        if parent is None:
            region.move(Region.get_first_root_node(), "last-sibling")
        else:
            region.move(Region.objects.get(pk=parent.pk), "last-child")
    return Region.objects.get(pk=region.pk)


@transaction.atomic
def region_delete(*, actor, region: Region) -> None:
    """Remove an area nothing refers to.

    Raises ApplicationError without the permission ("not_region_keeper"), or if areas lie
    inside it or a project or regional assessment names it ("region_in_use")."""
    _region_keeper(actor, "core.delete_region")
    region = Region.objects.select_for_update().get(pk=region.pk)
    # Projects and assessments point here from the apps above core; their reverse relations
    # are counted without importing them.
    in_use = region.get_children_count() or any(
        getattr(region, relation.get_accessor_name()).exists()
        for relation in Region._meta.related_objects
    )
    if in_use:
        raise ApplicationError(
            _("%(name)s contains other areas or is named by a project or an assessment.")
            % {"name": region.name},
            code="region_in_use",
        )
    region.delete()


def next_yearly_number(numbered: QuerySet, stem: str, *, now: datetime.datetime) -> str:
    """The next number of a yearly sequence, `<stem>-<year>-<0001…>` (a notice, a contract),
    the year being Beijing's. Call inside a transaction: it locks the year's last row, so two
    records made at once wait for each other instead of both taking the same number."""
    prefix = f"{stem}-{timezone.localtime(now).year}-"
    last = (
        numbered.select_for_update()
        .filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    tail = last.removeprefix(prefix) if last else ""
    return f"{prefix}{int(tail) + 1 if tail.isdigit() else 1:04d}"
