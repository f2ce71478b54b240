import uuid
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node


class CalendarDay(models.Model):
    """A regulator's word on one date: a working day or not. It overrides the official
    holiday calendar (the `chinese_calendar` package), which lags behind the State Council's
    yearly notice and knows nothing of local arrangements (core/workdays.py)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("For example the notice that set this day, or the holiday it belongs to."),
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class CalendarYear(models.Model):
    """A regulator's word that a year's calendar is complete: the State Council's schedule of
    holidays and make-up working days for it is entered (as CalendarDay rows). Until then a
    year the holiday package does not cover is provisional (core/workdays.py)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("The notice the schedule comes from, e.g. 国办发明电〔2026〕X号."),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("confirmed calendar year")
        verbose_name_plural = _("confirmed calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Region(MP_Node):
    """An area of the jurisdiction, in a tree: a district holds towns, streets and parks, a
    park may hold zones. Regional assessments cover areas and projects are built in one, so
    an assessment made for a park covers every zone inside it (R8) — names typed by hand
    never have to match. Kept by regulators; treebeard's materialised path (Wagtail's own
    tree library) makes "this area or any area around it" one indexed lookup."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District or county")
        TOWN = "town", _("Town or street")
        PARK = "park", _("Industrial park or development zone")
        ZONE = "zone", _("Zone within a park")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(
        _("administrative division code"),
        max_length=12,
        blank=True,
        help_text=_("The statistical division code where it has one, e.g. 511403."),
    )

    class Meta:
        # Its own context: "region" alone is already a project's field, translated 所在地区.
        verbose_name = pgettext_lazy("region tree", "region")
        verbose_name_plural = pgettext_lazy("region tree", "regions")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="region_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def _tree_label(self) -> str:
        """The name indented by its depth, for lists and choices in tree order."""
        return "\u3000" * (self.depth - 1) + self.name

    _tree_label.short_description = _("name")  # type: ignore[attr-defined]
    tree_label = property(_tree_label)

    def lineage_paths(self) -> list[str]:
        """The paths of this area and of every area containing it, outermost first."""
        return [self.path[: level * self.steplen] for level in range(1, self.depth + 1)]


class StatusMachine(models.Model):
    """A model with an explicit `status` and one map of the moves it may make. Views and
    templates read the map through these methods; core.status.status_move is the only code
    that changes the status."""

    # {status: frozenset of statuses it may become}; every concrete model defines its own.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {}
    # The concrete event model recording this model's moves (a StatusEvent subclass) and
    # the name of its foreign key to this model.
    STATUS_EVENT_MODEL: ClassVar[str] = ""
    STATUS_EVENT_SUBJECT: ClassVar[str] = ""
    # Each concrete model declares the field itself, with its own choices.
    status: str

    class Meta:
        abstract = True

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())

    @property
    def next_statuses(self) -> frozenset[str]:
        return self.TRANSITIONS.get(self.status, frozenset())


def status_event_fields(choices: list) -> tuple[models.CharField, models.CharField]:
    """`from_status, to_status` for a StatusEvent subclass, with its subject's statuses as
    choices (so the history shows their labels)."""
    return (
        models.CharField(_("from"), max_length=16, choices=choices, blank=True),
        models.CharField(_("to"), max_length=16, choices=choices),
    )


class StatusEvent(models.Model):
    """One status move of a StatusMachine: from, to, who (empty when the server clock moved
    it), a note or reason, and when. Concrete subclasses add the foreign key to their subject
    (named by the subject's STATUS_EVENT_SUBJECT, related name `status_events`)."""

    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the server clock made the move."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class LogEntry(models.Model):
    """One fact appended to the public transparency log (core/transparency.py). `body` is the
    exact UTF-8 text the leaf hash covers; kind, subject and time are copies of its fields, for
    lists and lookups, and verify_log checks that they agree."""

    index = models.PositiveBigIntegerField(_("index"), unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=60, db_index=True)
    body = models.TextField(_("body"))
    leaf_hash = models.CharField(_("leaf hash"), max_length=64)
    logged_at = models.DateTimeField(_("logged at"))

    class Meta:
        ordering = ["index"]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")

    def __str__(self) -> str:
        return f"#{self.index} {self.kind} {self.subject}"


class LogCheckpoint(models.Model):
    """The log's state after an append — size, root hash, time — signed with the log key. One
    is made with every entry, so each fact has a signed checkpoint from the moment it exists."""

    size = models.PositiveBigIntegerField(_("size"), unique=True)
    root_hash = models.CharField(_("root hash"), max_length=64)
    made_at = models.DateTimeField(_("made at"))
    signature = models.CharField(_("signature"), max_length=100)

    class Meta:
        ordering = ["size"]
        verbose_name = _("log checkpoint")
        verbose_name_plural = _("log checkpoints")

    def __str__(self) -> str:
        return f"{self.size} {self.root_hash}"


class LogHead(models.Model):
    """The log's one row of state: its size and the frontier of its Merkle tree (the hashes of
    the complete subtrees on its right edge, hex), so that an append neither re-reads the log
    nor races another append — every append locks this row first."""

    size = models.PositiveBigIntegerField(default=0)
    frontier = models.JSONField(default=list)

    def __str__(self) -> str:
        return str(self.size)


# A synonym is matched against the words of a query (core/search/query.py), which are runs of Han
# characters or of letters and digits: anything else in it could never match.
_search_word = RegexValidator(
    r"^([\u3400-\u9fff\uf900-\ufaff]{2,}|[0-9A-Za-z]{2,})$",
    _("Two or more Chinese characters, or two or more letters and digits, with no spaces."),
    code="search_word",
)


class SearchSynonym(models.Model):
    """One abbreviation and one thing it stands for, kept by regulators: 环评 for 环境影响评价,
    能评 for each of 节能评估 and 节能审查. A search for either side also finds the other, on
    every backend, from the moment the row is saved — it is applied to the query, not to the
    index (core/search/query.py)."""

    term = models.CharField(
        _("abbreviation"),
        max_length=50,
        validators=[_search_word],
        help_text=_("What people type, e.g. 环评."),
    )
    full_form = models.CharField(
        _("stands for"),
        max_length=100,
        validators=[_search_word],
        help_text=_("The name used in the catalogue, e.g. 环境影响评价."),
    )

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["term", "full_form"]
        constraints = [
            models.UniqueConstraint(fields=["term", "full_form"], name="search_synonym_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.full_form}"

    def clean(self) -> None:
        if self.term and self.term == self.full_form:
            raise ValidationError(
                {
                    "full_form": ValidationError(
                        _("The full form must differ from the abbreviation."),
                        code="same_as_term",
                    )
                }
            )


class OutboxMessage(models.Model):
    """One piece of work for Celery, written in the same transaction as the change that causes
    it and relayed to the broker once that commits (core/outbox.py). Its id is the Celery task
    id, so a consumer can tell a second delivery of it from new work."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    relayed_at = models.DateTimeField(_("handed to the broker at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    relays = models.PositiveIntegerField(_("times handed to the broker"), default=0)
    relay_attempts = models.PositiveIntegerField(_("failed relay attempts"), default=0)
    last_error = models.TextField(_("last relay error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The relay reads only the few messages still waiting for the broker.
            models.Index(
                fields=["created_at"],
                condition=models.Q(relayed_at__isnull=True),
                name="outbox_waiting",
            ),
            # …and those handed over long ago and still not done (core.outbox.relay_waiting).
            models.Index(
                fields=["relayed_at"],
                condition=models.Q(done_at__isnull=True, relayed_at__isnull=False),
                name="outbox_undone",
            ),
            models.Index(fields=["done_at"], name="outbox_done"),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.id}"
