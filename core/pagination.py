import base64
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import HttpRequest

PAGE_SIZE = 20
# How long a list's total is reused: counting a long list is the one part of a page that
# grows with the table.
COUNT_SECONDS = 60


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of a list; a page number out of range gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@dataclass
class KeysetPage:
    """One page of a list read from where the last one ended (keyset pagination): page 2,000
    costs what page 1 does, because the database seeks to the row instead of counting its way
    there with OFFSET. Links carry the edge row's sort key (`after`/`before`)."""

    object_list: list
    count: int
    has_next: bool = False
    has_previous: bool = False
    next_cursor: str = ""
    previous_cursor: str = ""
    keyset: bool = field(default=True, init=False)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def paginate_keyset(
    request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE
) -> KeysetPage:
    """The page of `queryset` after (or before) the row named by the request's `after` (or
    `before`) cursor; the first page without one. The queryset's ordering must end in a
    unique field (the primary key) and name no nullable field, so that it is a total order.
    A cursor that cannot be read gives the first page."""
    ordering = [str(key) for key in queryset.query.order_by]
    if not ordering:
        raise ValueError("keyset pagination needs an explicit order_by()")
    before = _decode(request.GET.get("before", ""), len(ordering))
    after = None if before else _decode(request.GET.get("after", ""), len(ordering))
    try:
        seek = (
            queryset.filter(_beyond(ordering, before, backwards=True)).order_by(
                *(_reversed(key) for key in ordering)
            )
            if before
            else queryset.filter(_beyond(ordering, after))
            if after
            else queryset
        )
        # A row comparison converts its values only here, as the query is written.
        rows = list(seek[: per_page + 1])
    except (ValidationError, ValueError, TypeError):
        # A cursor edited by hand into something that is no value of its field.
        before = after = None
        rows = list(queryset[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if before:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = after is not None, more
    page = KeysetPage(rows, _count(queryset), has_next=has_next, has_previous=has_previous)
    if rows:
        page.next_cursor = keyset_cursor(queryset, rows[-1]) if has_next else ""
        page.previous_cursor = keyset_cursor(queryset, rows[0]) if has_previous else ""
    return page


def keyset_cursor(queryset: QuerySet, row) -> str:
    """The cursor naming `row`'s place in `queryset`'s order (`?after=` it gives the rows
    that follow)."""
    values = [_value(row, str(key)) for key in queryset.query.order_by]
    text = json.dumps(values, default=str, ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _count(queryset: QuerySet) -> int:
    count = cache.get_or_set(_count_key(queryset), queryset.count, COUNT_SECONDS)
    # A cache that is down answers nothing (core settings: it misses rather than fails).
    return queryset.count() if count is None else count


def _count_key(queryset: QuerySet) -> str:
    """The list's rows as the database is asked for them: its tables, conditions and
    parameters, without the columns, joins for display and order, which do not change how many
    rows there are and cost most of writing the query out (0.9 of the notices' 1 ms)."""
    query = queryset.query.chain()
    query.clear_ordering(force=True)
    query.clear_select_clause()
    query.select_related = False
    sql, params = query.sql_with_params()
    return "list-count:" + hashlib.sha256(f"{sql}{params!r}".encode()).hexdigest()


def _reversed(key: str) -> str:
    return key[1:] if key.startswith("-") else f"-{key}"


def _beyond(ordering: list[str], values: list, *, backwards: bool = False) -> Q:
    """Rows after `values` in `ordering` (before them, `backwards`).

    When every key runs the same way this is one row comparison, (a, b) > (x, y), which the
    database answers by seeking the list's index to the cursor. The same condition spelled
    (a > x) or (a = x and b > y) cannot seek: PostgreSQL read and threw away the 40 000 rows
    before the cursor on the notices' page 2 000. Django writes its row comparisons
    (`tuple_lookups`, made for composite primary keys) as that OR where a database has none.
    Keys running both ways are spelled out so, each comparison turned for descending keys."""
    names = [key.lstrip("-") for key in ordering]
    descending = [key.startswith("-") for key in ordering]
    if len(set(descending)) == 1:
        comparison = TupleLessThan if descending[0] != backwards else TupleGreaterThan
        from_here = "lte" if descending[0] != backwards else "gte"
        # The first key's bound repeats part of the comparison for when the keys lie in
        # different tables (the roster: the organisation's name, then the agency's key):
        # no index holds the whole row then, but one on the first key can still seek.
        return Q(**{f"{names[0]}__{from_here}": values[0]}) & Q(
            comparison(Tuple(*(F(name) for name in names)), values)
        )
    condition = Q()
    equal: dict[str, Any] = {}
    for name, is_descending, value in zip(names, descending, values, strict=True):
        later = "lt" if is_descending != backwards else "gt"
        condition |= Q(**equal, **{f"{name}__{later}": value})
        equal[name] = value
    return condition


def _value(row, key: str) -> Any:
    value = row
    for part in key.lstrip("-").split("__"):
        value = getattr(value, "pk" if part == "pk" else part)
    return value


def _decode(cursor: str, length: int) -> list | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != length:
        return None
    if not all(isinstance(value, str | int | float) for value in values):
        return None
    # JSON's Infinity and NaN are floats no field can hold, nor a number past 64 bits a key.
    if not all(math.isfinite(value) for value in values if isinstance(value, float)):
        return None
    if not all(-(2**63) <= value < 2**63 for value in values if isinstance(value, int)):
        return None
    return values
