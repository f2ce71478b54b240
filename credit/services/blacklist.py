"""The blacklist and market bans (黑名单、市场禁入, R11).

A regulator puts an agency on the blacklist for a serious or grave violation in force, for a
set period, and bans with it the people who ran it — its legal representative, senior
managers and technical leads. While an entry is current (credit.selectors.blacklist_current)
the agency is eligible for nothing, and neither is any agency a banned person now works for:
credit/hooks/sanctions.py tells the roster and the marketplace so through
agencies/restrictions.py. The banned people are matched by the keyed hash of their ID number,
copied from the practitioner record; the number itself is never known here.

An entry ends by the calendar on `ends_on`; credit repair, or an appeal annulling its
violation, lifts it early. Every change announces, on commit, that the agencies concerned
must be checked again (`agency_eligibility_changed`: the market invalidates their open
quotes) and that the listed agency's score inputs changed.

Locks: the violation first (so it cannot be annulled or repaired while being listed), then
the entries.
"""

import datetime
from collections.abc import Iterable
from typing import cast

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.permissions import require
from agencies.models import Agency, Practitioner
from agencies.signals import agency_eligibility_changed
from core.exceptions import ApplicationError
from core.status import lock_for_update
from credit.models import BannedPerson, BlacklistEntry, Violation
from credit.selectors import blacklist_current
from credit.services.violations import inputs_changed

# Who may be banned with the agency: those who answer for what it does.
BANNABLE_ROLES = (
    Practitioner.Role.LEGAL_REPRESENTATIVE,
    Practitioner.Role.SENIOR_MANAGER,
    Practitioner.Role.TECHNICAL_LEAD,
)
LISTABLE_SEVERITIES = (Violation.Severity.SERIOUS, Violation.Severity.GRAVE)
# How many days back the daily run looks for entries that ended: a run or two missed (a
# worker down over a weekend) is still caught, and a repeated announcement is harmless, since
# every receiver asks the current state again.
ENDED_LOOKBACK_DAYS = 3


def _local_today() -> datetime.date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def agencies_employing(hashes: Iterable[str]) -> set[int]:
    """The agencies where one of these people is an active practitioner now."""
    return set(
        Practitioner.objects.filter(id_number_hash__in=list(hashes), active=True).values_list(
            "agency_id", flat=True
        )
    )


def _recheck(agency_ids: Iterable[int]) -> None:
    for agency_id in sorted(set(agency_ids)):
        agency_eligibility_changed.send_after_commit(Agency, agency_id=agency_id)


def _entries_announce(entries: Iterable[BlacklistEntry]) -> None:
    """Once this commits: the listed agencies and those employing their banned people are
    checked again, and the listed agencies' scores recomputed."""
    entries = list(entries)
    hashes = BannedPerson.objects.filter(entry__in=entries).values_list("id_number_hash", flat=True)
    listed = {entry.agency_id for entry in entries}
    _recheck(listed | agencies_employing(hashes))
    for agency_id in sorted(listed):
        inputs_changed(agency_id)


@transaction.atomic
def blacklist_add(
    *,
    actor: User,
    violation: Violation,
    reason: str,
    authority: Organisation | None,
    legal_basis: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    persons: Iterable[Practitioner] = (),
) -> BlacklistEntry:
    """Put the violation's agency on the blacklist from `starts_on` until `ends_on` (the day
    it is no longer listed), banning `persons` from the market with it.

    Raises ApplicationError: "not_regulator"; "violation_not_serious" (a violation that is
    not serious or grave, or not in force); "invalid" with every field's problem at once — no
    reason, authority or legal basis, a date missing, the end not after the start, a person
    who is not the agency's legal representative, senior manager or technical lead."""
    require("accounts.regulate", actor)
    violation = lock_for_update(violation, "agency")
    if (
        violation.severity not in LISTABLE_SEVERITIES
        or violation.status != Violation.Status.IN_FORCE
    ):
        raise ApplicationError(
            _("Only a serious or grave violation in force puts an agency on the blacklist."),
            code="violation_not_serious",
        )
    persons = list(persons)
    errors: dict[str, list[str]] = {}
    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    if not reason:
        errors["reason"] = [_("Give the reason: it is published.")]
    if not legal_basis:
        errors["legal_basis"] = [_("Give the rule the decision rests on.")]
    if authority is None or not authority.is_government:
        errors["authority"] = [_("Choose the regulator or approval department that decides.")]
    if starts_on is None:
        errors["starts_on"] = [_("Give the first day on the blacklist.")]
    if ends_on is None:
        errors["ends_on"] = [_("Give the day the entry ends: a blacklisting is for a set period.")]
    elif starts_on is not None and ends_on <= starts_on:
        errors["ends_on"] = [_("The end must come after the start.")]
    strangers = [
        person
        for person in persons
        if person.agency_id != violation.agency_id or person.role not in BANNABLE_ROLES
    ]
    if strangers:
        errors["persons"] = [
            _(
                "Only the agency's legal representative, senior managers and technical leads "
                "can be banned with it: %(names)s."
            )
            % {"names": "、".join(person.name for person in strangers)}
        ]
    if errors:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)
    entry = BlacklistEntry.objects.create(
        agency=violation.agency,
        violation=violation,
        reason=reason,
        # Not None: the checks above raised otherwise.
        authority=cast(Organisation, authority),
        legal_basis=legal_basis,
        starts_on=cast(datetime.date, starts_on),
        ends_on=cast(datetime.date, ends_on),
        listed_by=actor,
        listed_at=timezone.now(),
    )
    BannedPerson.objects.bulk_create(
        BannedPerson(
            entry=entry,
            name=person.name,
            role=person.role,
            id_number_hash=person.id_number_hash,
            id_number_last4=person.id_number_last4,
        )
        for person in persons
    )
    _entries_announce([entry])
    return entry


def entries_lift(*, violation: Violation, reason: str) -> list[BlacklistEntry]:
    """Lift early every entry of `violation` that is current or still to start — its
    violation no longer stands (repaired, or annulled on appeal). Call inside the caller's
    transaction, holding the violation's lock. Returns the entries lifted."""
    entries = list(
        BlacklistEntry.objects.select_for_update()
        .filter(violation=violation, lifted_at__isnull=True, ends_on__gt=_local_today())
        .order_by("pk")
    )
    now = timezone.now()
    for entry in entries:
        entry.lifted_at, entry.lifted_reason = now, reason
        entry.save(update_fields=["lifted_at", "lifted_reason"])
    if entries:
        _entries_announce(entries)
    return entries


def blacklist_ended_announce(*, today: datetime.date | None = None) -> list[int]:
    """The daily run: entries end by the calendar (nothing needs writing for that), but the
    market and the score should hear of it. Announces every entry that ended on one of the
    last ENDED_LOOKBACK_DAYS days, today included; announcing one twice does no harm.
    Returns the entries' pks."""
    today = today or _local_today()
    ended = list(
        BlacklistEntry.objects.filter(
            lifted_at__isnull=True,
            ends_on__lte=today,
            ends_on__gt=today - datetime.timedelta(days=ENDED_LOOKBACK_DAYS),
        ).order_by("pk")
    )
    with transaction.atomic():
        _entries_announce(ended)
    return [entry.pk for entry in ended]


def agency_barred_ids():
    """The pks of the agencies barred now: those with a current entry, and those where a
    person banned by a current entry is an active practitioner (a subquery, no query run)."""
    current = blacklist_current()
    banned = BannedPerson.objects.filter(entry__in=current).values("id_number_hash")
    employing = Practitioner.objects.filter(active=True, id_number_hash__in=banned).values(
        "agency_id"
    )
    return Agency.objects.filter(
        Q(pk__in=current.values("agency_id")) | Q(pk__in=employing)
    ).values("pk")


def _last_day(entry: BlacklistEntry) -> str:
    """The entry's last day in force: `ends_on` is the first day it no longer is."""
    return (entry.ends_on - datetime.timedelta(days=1)).isoformat()


def agency_bar_reasons(agency: Agency) -> list[str]:
    """Why `agency` is barred now, in sentences for the agency and the public: its own
    current entries, and each banned person working for it under another agency's entry."""
    current = blacklist_current().select_related("authority")
    reasons = [
        _(
            "The agency is on the blacklist up to and including %(last_day)s: %(reason)s "
            "(%(authority)s)."
        )
        % {
            "last_day": _last_day(entry),
            "reason": entry.reason,
            "authority": entry.authority.name,
        }
        for entry in current.filter(agency=agency).order_by("ends_on", "pk")
    ]
    working_here = Practitioner.objects.filter(agency=agency, active=True).values("id_number_hash")
    banned = (
        BannedPerson.objects.filter(entry__in=current.exclude(agency=agency))
        .filter(id_number_hash__in=working_here)
        .select_related("entry__agency__organisation")
        .order_by("entry__ends_on", "pk")
    )
    reasons.extend(
        _(
            "%(name)s (ID %(masked)s), who works for this agency, is banned from the market "
            "up to and including %(last_day)s (from %(agency)s's blacklisting)."
        )
        % {
            "name": person.name,
            "masked": person.masked_id_number,
            "last_day": _last_day(person.entry),
            "agency": person.entry.agency.organisation.name,
        }
        for person in banned
    )
    return reasons
