"""Bad input is never a server error (issue 9): every form the site has — on the public
pages, in each role's own pages and in the regulators' back office, the GET filter forms of
the lists included — is sent random and hostile values by Hypothesis, and no answer is a 500.

Each form is one parametrised case. Its world (the users, the request in the right status,
the certificate awaiting verification…) is built once per case with the project's factories
and scenario, on the scenario's fixed clock; a GET first proves the signed-in user reaches
the form (a redirect to sign in or to the second factor would make every example pass
vacuously). Every example then runs inside a savepoint that is rolled back, with the session
cookies put back, so no example depends on another, even when a POST succeeds; work queued
for after the commit runs inside the example too, as it would in the request.

What an example sends: every field of the form, most of them with a value the form accepts
(so that the services behind it are reached) and one to three, or all, with a hostile one —
arbitrary unicode with NUL, RTL marks and SQL or HTML snippets, strings up to 5000
characters, numbers as text (huge, negative, NaN, 1e309, many decimals), impossible or
out-of-range dates, a list where a scalar is expected, a missing field, a value meant for
another user, and for a file random bytes under a random name, or a damaged CSV or Excel
table. An exception the view lets out, or any answer of 500 or more, fails the case with the
(shrunk) input that caused it. On SQLite a text parameter holding NUL is refused the way
PostgreSQL (CI, production) refuses it, so such a 500 is found on a laptop too.

Hypothesis runs derandomised and keeps no example database, so every run — on a laptop or
in CI — tries the same inputs; the number run per form is printed at the end of the module
(and recorded as the `hypothesis_examples` property of each case in a JUnit report). A form
that fails takes longer: Hypothesis shrinks each distinct failure to a minimal input.
"""

import contextlib
import copy
import csv
import datetime
import io
import logging
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, TestCase
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from accounts.models import Role, User
from accounts.validators import credit_code_derive
from agencies.models import Affiliation, Agency, AgencyServiceScope, Practitioner, Qualification
from agencies.services import agency_scope_recompute
from agencies.services.affiliations import affiliation_record
from catalogue.models import FeeMode, RegionalAssessmentKind, ServiceItem
from core.models import CalendarDay, Region
from core.tabular import write_xlsx
from market.models import (
    Objection,
    Project,
    PurchaseRequest,
    PurchasingRules,
    RegionalAssessment,
    SelectionMethod,
)
from market.services.projects import project_classification_request
from market.services.requests import PRICE_CRITERION
from market.services.selection import objection_file
from tests.accounts.factories import TEST_PASSWORD, OrganisationFactory, UserFactory
from tests.agencies.factories import (
    PDF_BYTES,
    PNG_BYTES,
    AgencyFactory,
    PractitionerFactory,
    QualificationFactory,
    id_number_with_check,
)
from tests.catalogue.factories import (
    PublishableServiceItemFactory,
    QualificationRequirementFactory,
    QualificationTypeFactory,
    ServiceItemFactory,
)
from tests.core.factories import RegionFactory
from tests.market.factories import ProjectFactory
from tests.market.scenario import NOW, Market, sweeps_after_deadline

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

Status = PurchaseRequest.Status

# How many inputs each form is tried with: a form with many fields or a file gets more, a bare
# button fewer. When every form passes, the module takes two to three minutes in one process
# on two cores and half that under `make test` (pytest -n auto); a failing form takes longer,
# while Hypothesis shrinks its input.
FEW, SOME, MANY = 10, 40, 80
LISTS = 150  # the public and owner lists' GET filters: the cheapest pages of all
TABLES = 250  # register and catalogue uploads: cheap pages, and the file is where bugs hide
SLOW_PAGE = 40  # the catalogue item's back-office editor takes ~0.4 s a submission

HYPOTHESIS_SETTINGS = settings(
    derandomize=True,  # the same inputs on every run: a CI failure is reproducible
    database=None,  # nothing written to .hypothesis/ in the work tree
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


# Hostile values -------------------------------------------------------------------------------


class _Missing:
    """The field is left out of the submission altogether."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@dataclass(frozen=True)
class Upload:
    """A file to send; made into a fresh SimpleUploadedFile for each submission."""

    name: str
    content: bytes
    content_type: str = "application/octet-stream"

    def file(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.content, content_type=self.content_type)


NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 20,
    "\u202eRTL\u202c \u200fمرحبا\u200f",
    "\u200b\u200c\u200d\ufeff",
    "'; DROP TABLE market_purchaserequest; --",
    '" OR 1=1 --',
    "' OR ''='",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7|add:7 }}{% debug %}",
    "%(name)s %s %d %n {0} {}",
    "../../../../etc/passwd",
    "\r\n\r\nSet-Cookie: x=1",
    "\t\v\f\x1b[31m",
    "null",
    "None",
    "undefined",
    "[]",
    '{"a": 1}',
    "😀𝕏𝔘𠀋",
    "Ｚ１２３",
    "\u2028\u2029",
    "\x7f\x80\x9f",
    "测绘资质:乙级+工程勘察资质:丙级|",
    "价格:40\n价格:60",
    "91511403MA00000000 | 回避",
]
LONG_UNITS = ["a", "测", "\u202e", "'", "<", "9", " ", "\x00", "😀", "\n"]
NASTY_NUMBERS = [
    "0",
    "-0",
    "-1",
    "1",
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-inf",
    "1E+2",
    "0.005",
    "0.1",
    "1.999999999999999999999999999999",
    "99999999999999.99",
    "999999999999999999",
    "9" * 40,
    "-" + "9" * 40,
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "32767",
    "32768",
    "65536",
    "1_000",
    " 7 ",
    "+5",
    "0x1A",
    "１２",
    "٣",
    "1,000",
    "1.",
    ".5",
    "5e2",
    "00012",
    "100.000",
    "1" + "0" * 400,
]
NASTY_DATES = [
    "0000-00-00",
    "0001-01-01",
    "0001-01-01T00:00",
    "0001-01-01 00:00:00",
    "9999-12-31",
    "9999-12-31T23:59",
    "9999-12-31 23:59:59",
    "10000-01-01",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "2026-11-05T25:61",
    "2026-11-05T17:00:00+25:00",
    "2026-11-05T17:00Z",
    "2026/11/05",
    "05.11.2026",
    "11/05/2026",
    "2026-1-1",
    "26-11-05",
    "1970-01-01",
    "1969-12-31T23:59",
    "2038-01-19T03:14:08",
    "now",
    "today",
    "-2026-11-05",
    "２０２６-１１-０５",
]


def repeated(unit: str, times: int) -> str:
    return unit * times


def around_nul(text: str) -> str:
    return f"{text}\x00{text}"


def magic_then(head: bytes, tail: bytes) -> bytes:
    return head + tail


def long_name(extension: str) -> str:
    return "x" * 300 + extension


hostile_text = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=40),
    st.builds(around_nul, st.text(min_size=1, max_size=20)),
    st.builds(repeated, st.sampled_from(LONG_UNITS), st.integers(200, 5000)),
)
# Just past what a 64-bit column or a datetime holds: the edges most often left unchecked.
OVERFLOWING = [str(2**63), str(-(2**63) - 1), "9" * 19, "9" * 40, "1" + "0" * 400]
EDGE_DATES = ["0001-01-01", "0001-01-01T00:00", "9999-12-31", "9999-12-31T23:59"]

hostile_number = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.sampled_from(OVERFLOWING),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
)
hostile_date = st.one_of(
    st.sampled_from(NASTY_DATES),
    st.sampled_from(EDGE_DATES),
    st.dates().map(datetime.date.isoformat),
    st.datetimes().map(lambda moment: moment.isoformat(timespec="minutes")),
)
hostile_scalar = st.one_of(hostile_text, hostile_number, hostile_date)

# Names a browser could send (no quote, slash or line break: those the test client would put
# into the multipart header unescaped, which no browser does).
_file_name_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\/\r\n\x00')
FILE_EXTENSIONS = [".pdf", ".PDF", ".png", ".jpg", ".jpeg", ".csv", ".xlsx", ".exe", "", ".pdf.exe"]
random_file_name = st.one_of(
    st.tuples(
        st.text(alphabet=_file_name_chars, min_size=1, max_size=30),
        st.sampled_from(FILE_EXTENSIONS),
    ).map("".join),
    st.builds(long_name, st.sampled_from(FILE_EXTENSIONS)),
    st.just(".pdf"),
)
MAGIC = [b"", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04"]
random_content = st.one_of(
    st.binary(max_size=200),
    st.builds(magic_then, st.sampled_from(MAGIC), st.binary(max_size=200)),
)
random_upload = st.builds(
    Upload,
    name=random_file_name,
    content=random_content,
    content_type=st.sampled_from(
        ["application/octet-stream", "application/pdf", "text/csv", "image/png", "x/\x7f"]
    ),
)


@dataclass(frozen=True)
class Field:
    """What a form field accepts (`valid`) and what is thrown at it (`hostile`)."""

    valid: st.SearchStrategy
    hostile: st.SearchStrategy


def _field(valid: st.SearchStrategy, specific: st.SearchStrategy) -> Field:
    scalar = st.one_of(specific, hostile_scalar)
    return Field(
        valid=valid,
        hostile=st.one_of(
            specific,
            hostile_scalar,
            st.lists(st.one_of(valid, scalar), min_size=2, max_size=3),
            st.just(MISSING),
        ),
    )


def _valid(values) -> st.SearchStrategy:
    values = [str(value) if isinstance(value, int | Decimal) else value for value in values]
    return st.sampled_from(values) if values else st.just(MISSING)


def text(*valid: str, generated: bool = True) -> Field:
    """A text box; besides the values given, any printable text is valid."""
    accepted = _valid(valid)
    if generated:
        accepted = st.one_of(
            accepted,
            st.text(st.characters(categories=("L", "N", "Zs", "P")), min_size=1, max_size=30),
        )
    return _field(accepted, hostile_text)


def number(*valid, low: int | None = None, high: int | None = None) -> Field:
    accepted = _valid(valid)
    if low is not None and high is not None:
        accepted = st.one_of(accepted, st.integers(low, high).map(str))
    return _field(accepted, hostile_number)


def decimal(*valid, high: int = 10**9) -> Field:
    accepted = st.one_of(
        _valid(valid),
        st.decimals(min_value=0, max_value=high, places=2).map(str),
    )
    return _field(accepted, hostile_number)


def date(
    *valid: str, around: datetime.date | None = None, after: datetime.date | None = None
) -> Field:
    """A date box; besides the values given, any date ten years either side of `around`, or
    in the ten years from `after` (for a date the form takes only from today on)."""
    accepted = _valid(valid)
    if around is not None or after is not None:
        start = after or around - datetime.timedelta(days=3650)
        end = (after or around) + datetime.timedelta(days=3650)
        accepted = st.one_of(accepted, st.dates(start, end).map(datetime.date.isoformat))
    return _field(accepted, hostile_date)


def datetime_local(*valid: str, after: datetime.datetime | None = None) -> Field:
    """A `datetime-local` box (YYYY-MM-DDTHH:MM)."""
    accepted = _valid(valid)
    if after is not None:
        start = after.replace(tzinfo=None)
        accepted = st.one_of(
            accepted,
            st.datetimes(start, start + datetime.timedelta(days=800)).map(
                lambda moment: moment.isoformat(timespec="minutes")
            ),
        )
    # The edges of the calendar parse, then overflow once moved from Beijing time to UTC.
    return _field(accepted, st.one_of(st.sampled_from(EDGE_DATES), hostile_date))


def choice(*valid, foreign=()) -> Field:
    """A choice or an object's primary key; `foreign` are values valid for someone else."""
    specific = st.one_of(hostile_number, hostile_text)
    if foreign:
        specific = st.one_of(_valid(foreign), specific)
    return _field(_valid(valid), specific)


def choices(*valid, foreign=()) -> Field:
    """A multiple choice: a list of values."""
    options = [str(value) for value in valid]
    accepted = (
        st.lists(st.sampled_from(options), unique=True, max_size=len(options))
        if options
        else st.just([])
    )
    specific = st.lists(
        st.one_of(_valid(list(valid) + list(foreign)), hostile_number, hostile_text),
        min_size=1,
        max_size=4,
    )
    return _field(accepted, specific)


def boolean() -> Field:
    return _field(st.sampled_from(["on", ""]), st.sampled_from(["true", "false", "0", "1", "no"]))


def upload(*valid: Upload) -> Field:
    accepted = st.sampled_from(valid) if valid else st.just(MISSING)
    return _field(
        accepted, st.one_of(random_upload, st.lists(random_upload, min_size=2, max_size=2))
    )


def table_upload(columns: list[str], good_row: list[str], cell_values=()) -> Field:
    """A CSV or Excel register: the right header or a damaged one, rows of good and hostile
    cells, in several encodings and line endings — or a truncated or random file."""
    # A good value with a NUL in it reads as valid everywhere but in the database.
    with_nul = [around_nul(value) for value in good_row if value]
    cell = st.one_of(
        st.sampled_from(list(good_row) + list(cell_values) + with_nul),
        hostile_text,
        hostile_number,
        hostile_date,
    )
    header = st.one_of(
        st.just(columns),
        st.permutations(columns),
        st.lists(st.one_of(st.sampled_from(columns), hostile_text), max_size=len(columns) + 2),
    )
    rows = st.lists(
        st.one_of(
            st.just(good_row),
            damaged_row(good_row, cell),  # a good row with one or two bad cells gets furthest
            st.just([around_nul(value) if value else "" for value in good_row]),  # NUL in each
            st.lists(cell, max_size=len(columns) + 2),
        ),
        max_size=4,
    )
    table = st.builds(
        _table_file,
        header=header,
        rows=rows,
        kind=st.sampled_from(
            ["csv", "csv", "xlsx", "truncated-xlsx", "corrupted-xlsx", "zip-not-xlsx"]
        ),
        encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "big5"]),
        newline=st.sampled_from(["\n", "\r\n", "\r"]),
        cut=st.integers(0, 2000),
        damage=st.binary(min_size=1, max_size=16),
        name=st.sampled_from(["register.csv", "register.xlsx", "REGISTER.CSV", "register.txt"]),
    )
    good = Upload("register.csv", _csv_bytes([columns, good_row]), "text/csv")
    return _field(st.one_of(st.just(good), table), st.one_of(table, random_upload))


@st.composite
def damaged_row(draw, good_row: list[str], cell: st.SearchStrategy) -> list[str]:
    row = list(good_row)
    for index in draw(st.sets(st.sampled_from(range(len(row))), min_size=1, max_size=2)):
        row[index] = draw(st.one_of(st.just(around_nul(row[index])), cell))
    return row


def _csv_bytes(rows, *, encoding="utf-8", newline="\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _table_file(*, header, rows, kind, encoding, newline, cut, damage, name) -> Upload:
    if kind == "csv":
        return Upload(name, _csv_bytes([header, *rows], encoding=encoding, newline=newline))
    xlsx_name = name.rsplit(".", 1)[0] + ".xlsx"
    if kind == "zip-not-xlsx":  # a zip archive, so it passes for Excel, of anything else
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            # A member named after the header, as far as zipfile accepts the name.
            member = re.sub(r"[^\w.-]", "_", header[0] if header else "")[:60].strip("._")
            archive.writestr(member or "x", damage)
            archive.writestr("xl/worksheets/sheet1.xml", _csv_bytes([header, *rows]))
        return Upload(xlsx_name, buffer.getvalue())
    clean = [[_XLSX_ILLEGAL.sub("", value) for value in row] for row in [header, *rows]]
    content = write_xlsx(clean[0], clean[1:], title="sheet")
    if kind == "truncated-xlsx":
        content = content[: min(cut, len(content) - 1)]
    elif kind == "corrupted-xlsx":  # the archive's directory intact, a member's bytes not
        at = 30 + cut % (len(content) - 200)
        content = content[:at] + damage + content[at + len(damage) :]
    return Upload(xlsx_name, content)


@st.composite
def submissions(draw, fields: dict[str, Field]) -> dict[str, Any]:
    """Every field valid except one to three of them hostile; or all of them hostile; or none
    (then the strangeness is inside accepted values: far dates, long texts, a table whose
    rows carry the bad cells), so that the service behind the form is reached."""
    names = list(fields)
    if not names:
        return {}
    mode = draw(st.sampled_from(["some", "some", "none", "all"]))
    few = max(1, min(3, len(names) - 1))  # some field stays valid, so the form gets further
    if mode == "some":
        hostile = set(draw(st.lists(st.sampled_from(names), min_size=1, max_size=few, unique=True)))
    else:
        hostile = set(names) if mode == "all" else set()
    return {
        name: draw(fields[name].hostile if name in hostile else fields[name].valid)
        for name in names
    }


JUNK = {"confirm": text("1"), "reason": text(), "next": text("/")}  # for bare buttons

PDF = Upload("scan.pdf", PDF_BYTES, "application/pdf")
PNG = Upload("scan.png", PNG_BYTES, "image/png")


# The forms ------------------------------------------------------------------------------------


@dataclass
class Form:
    url: str
    user: User | None
    fields: dict[str, Field]
    method: str = "POST"
    # Run once after signing in (outside the examples), e.g. a first step that fills the
    # session; and before each example, e.g. to put back a cache entry an example consumed.
    prepare: Callable[[Client], None] | None = None
    each: Callable[[], None] | None = None
    # What a GET of the form's address answers once signed in: the page (200), or 405 for an
    # address that takes only POST. Anything else (a redirect to sign in or to the second
    # factor, 403, 404) means the examples would never reach the form.
    reachable: tuple[int, ...] = (200, 405)
    # A second step sent in the same example when the first one allows it (the confirmation
    # of an import's preview): given the first response, the data to POST, or None.
    then: Callable[[Any], dict | None] | None = None


@dataclass(frozen=True)
class Target:
    id: str
    role: str
    build: Callable[[Any], Form]
    examples: int


TARGETS: list[Target] = []


def form(target_id: str, role: str, examples: int = SOME):
    def register(build: Callable[[Any], Form]) -> Callable[[Any], Form]:
        TARGETS.append(Target(target_id, role, build, examples))
        return build

    return register


def _user(kind: Role, **kwargs) -> User:
    return UserFactory(organisation=OrganisationFactory(kind=kind), **kwargs)


def _regulator() -> User:
    return _user(Role.REGULATOR)


def _department_org():
    return OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)


def _credit_code(agency: Agency) -> str:
    return agency.organisation.credit_code


# --- the project owner (/my/requests/) --------------------------------------------------------


def _owner_market(**item_fields) -> Market:
    market = Market(**item_fields)
    market.department = _department_org()
    market.project.approval_department = market.department
    market.project.save()
    market.other_project = ProjectFactory()  # another owner's project
    return market


def _past_deadline(clock, purchase_request: PurchaseRequest) -> PurchaseRequest:
    return sweeps_after_deadline(clock, purchase_request)


def _awarded(clock) -> tuple[Market, PurchaseRequest]:
    market = _owner_market()
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    purchase_request = _past_deadline(clock, purchase_request)
    assert purchase_request.status == Status.AWARDED and purchase_request.publicity_open
    return market, purchase_request


def _owner_url(name: str, purchase_request: PurchaseRequest) -> str:
    return reverse(f"owner:{name}", args=[purchase_request.number])


@form("owner:project_new", "project owner")
def _project_new(clock) -> Form:
    market = _owner_market()
    child = RegionFactory(name="青龙工业园", kind=Region.Kind.ZONE, parent=market.project.region)
    return Form(
        reverse("owner:project_new"),
        market.owner,
        {
            "name": text("彭山区新材料产业园标准厂房"),
            "investment_code": text("2026-511403-30-01-000777", "2026-1"),
            "region": choice(market.project.region.pk, child.pk),
            "funding": choice(*Project.Funding.values),
            "approval_department": choice(
                market.department.pk, "", foreign=[market.agencies[0].pk, market.owner.pk]
            ),
            "special_or_major_reason": text("", "省重点项目"),
        },
    )


@form("owner:project_classify", "project owner")
def _project_classify(clock) -> Form:
    market = _owner_market()
    return Form(
        reverse("owner:project_classify", args=[market.project.pk]),
        market.owner,
        {"reason": text("列入省重点项目")},
    )


def _request_fields(market: Market) -> dict:
    """The purchase request form's boxes: its fields, the formsets' rows (scoring factors,
    excluded agencies) and the counts the browser sends with them — a count is hostile too
    (huge, negative, text, missing)."""
    draft_item = ServiceItemFactory(status=ServiceItem.Status.DRAFT)
    codes = [_credit_code(agency) for agency in market.agencies]
    rows = {
        "criteria-TOTAL_FORMS": number("3", "0", low=0, high=12),
        "criteria-INITIAL_FORMS": number("0", "1", low=0, high=3),
        "exclusions-TOTAL_FORMS": number("2", "0", low=0, high=22),
        "exclusions-INITIAL_FORMS": number("0", low=0, high=2),
    }
    for index, (name, weight) in enumerate(
        [("价格", "40"), ("技术方案", "40"), ("服务承诺", "20")]
    ):
        rows[f"criteria-{index}-name"] = text("", name, "price", "技术方案")
        rows[f"criteria-{index}-weight"] = number("", weight, "100", "0", low=1, high=100)
    for index in range(2):
        rows[f"exclusions-{index}-agency"] = text(
            "", codes[index], codes[0].lower(), market.agencies[index].organisation.name
        )
        rows[f"exclusions-{index}-reason"] = text("", "关联单位")
    return {
        "project": choice(market.project.pk, foreign=[market.other_project.pk]),
        "service_item": choice(market.item.pk, foreign=[draft_item.pk]),
        "budget": decimal("200000", "0.01", "999999999999.99"),
        # Direct selection is another project's: this one is state-funded.
        "selection_method": choice(
            *[m for m in SelectionMethod.values if m != SelectionMethod.DIRECT],
            foreign=[SelectionMethod.DIRECT],
        ),
        "quote_opens_at": datetime_local("", "2026-11-03T09:00", after=NOW),
        "quote_deadline": datetime_local("2026-11-05T17:00", after=NOW),
        "wanted_time_limit_days": number("", "20", low=1, high=30),
        "requirements_note": text("", "编制环境影响报告书"),
        **rows,
    }


@form("owner:request_new", "project owner", MANY * 2)
def _request_new(clock) -> Form:
    market = _owner_market()
    return Form(reverse("owner:request_new"), market.owner, _request_fields(market))


@form("owner:request_edit", "project owner", MANY)
def _request_edit(clock) -> Form:
    market = _owner_market()
    draft = market.draft(
        selection_method=SelectionMethod.SCORED,
        scoring_criteria=((PRICE_CRITERION, 40), ("技术方案", 60)),
        exclusions=((market.agencies[3], "关联单位"),),
    )
    return Form(_owner_url("request_edit", draft), market.owner, _request_fields(market))


@form("owner:request_publish", "project owner", FEW)
def _request_publish(clock) -> Form:
    market = _owner_market()
    return Form(_owner_url("request_publish", market.draft()), market.owner, JUNK)


@form("owner:request_cancel", "project owner")
def _request_cancel(clock) -> Form:
    market = _owner_market()
    return Form(
        _owner_url("request_cancel", market.published()),
        market.owner,
        {"reason": text("项目方案调整")},
    )


@form("owner:request_republish", "project owner")
def _request_republish(clock) -> Form:
    market = _owner_market()
    purchase_request = market.published()  # random draw on a state project: needs 3 quotes
    market.quote(purchase_request, 0, "91234.56")
    purchase_request = _past_deadline(clock, purchase_request)
    assert purchase_request.status == Status.FAILED
    return Form(
        _owner_url("request_republish", purchase_request),
        market.owner,
        {"quote_deadline": datetime_local("2026-11-20T17:00", after=NOW + datetime.timedelta(7))},
    )


@form("owner:request_choose", "project owner")
def _request_choose(clock) -> Form:
    market = _owner_market()
    purchase_request = market.published(selection_method=SelectionMethod.CREDIT_MERIT)
    quotes = [market.quote(purchase_request, index, str(91000 + index)) for index in range(4)]
    purchase_request = _past_deadline(clock, purchase_request)
    assert purchase_request.status == Status.SELECTING
    shortlist = purchase_request.draw_record["result"]["shortlist"]
    on_list = [q.pk for q in quotes if q.agency.organisation.credit_code in shortlist]
    off_list = [q.pk for q in quotes if q.pk not in on_list]
    return Form(
        _owner_url("request_choose", purchase_request),
        market.owner,
        {"quote": choice(*on_list, foreign=off_list)},
    )


@form("owner:request_scores", "project owner", MANY)
def _request_scores(clock) -> Form:
    market = _owner_market()
    purchase_request = market.published(
        selection_method=SelectionMethod.SCORED,
        scoring_criteria=((PRICE_CRITERION, 40), ("技术方案", 40), ("服务承诺", 20)),
    )
    quotes = [market.quote(purchase_request, index, "100000") for index in range(3)]
    purchase_request = _past_deadline(clock, purchase_request)
    assert purchase_request.status == Status.SELECTING
    return Form(
        _owner_url("request_scores", purchase_request),
        market.owner,
        {
            f"mark_{quote.pk}_{index}": decimal("60", "95", "100", "0", high=100)
            for quote in quotes
            for index in range(2)
        }
        | {"mark_0_0": text(""), f"mark_{quotes[0].pk}_9": text("")},
    )


@form("owner:request_objection", "project owner")
def _owner_objection(clock) -> Form:
    market, purchase_request = _awarded(clock)
    return Form(
        _owner_url("request_objection", purchase_request),
        market.owner,
        {"text": text("中选机构资质存疑")},
    )


@form("owner:requests (list filter, GET)", "project owner", LISTS)
def _owner_list(clock) -> Form:
    market = _owner_market()
    market.published()
    return Form(
        reverse("owner:requests"),
        market.owner,
        {"status": choice(*Status.values), "page": number("1", "2")},
        method="GET",
    )


# --- the agency (/my/quotes/) -----------------------------------------------------------------


def _quote_fields(market: Market, *, price: Field) -> dict[str, Field]:
    agency = market.agencies[0]
    mine = [PractitionerFactory(agency=agency).pk for _ in range(2)]
    theirs = PractitionerFactory(agency=market.agencies[1]).pk
    outsider = AgencyFactory()  # on the roster, not in the item's scope
    others = [other.pk for other in market.agencies[1:]]
    fields = {
        **price,
        "committed_time_limit_days": number("20", "1", "30", low=1, high=30),
        "practitioners": choices(*mine, foreign=[theirs]),
        "proposal": upload(PDF),
        "idempotency_key": text("0123456789abcdef0123456789abcdef"),
        "nonce": text("fedcba9876543210fedcba9876543210"),
    }
    for slot in (1, 2, 3):
        fields[f"member_{slot}"] = choice("", *others, foreign=[agency.pk, outsider.pk])
        fields[f"member_{slot}_share"] = text("", "测绘")
    return fields


@form("agency:quote (amount)", "agency admin", MANY * 2)
def _quote_amount(clock) -> Form:
    market = _owner_market()
    purchase_request = market.published()
    fields = _quote_fields(
        market,
        price={
            "amount": decimal("123457.89", "50000", "150000", "0.01"),
            "justification": text("", "工作量大"),
        },
    )
    return Form(reverse("agency:quote", args=[purchase_request.number]), market.admins[0], fields)


@form("agency:quote (discount rate)", "agency admin", MANY)
def _quote_discount(clock) -> Form:
    market = _owner_market()
    ServiceItem.objects.filter(pk=market.item.pk).update(
        fee_mode=FeeMode.GOVERNMENT_SET,
        fee_amount=Decimal("36000"),
        reference_price_low=None,
        reference_price_high=None,
    )
    purchase_request = market.published(budget=Decimal("36000"))
    fields = _quote_fields(market, price={"discount_rate": decimal("90", "100", "0.5", high=100)})
    return Form(reverse("agency:quote", args=[purchase_request.number]), market.admins[0], fields)


@form("agency:quote (consortium search, GET)", "agency admin", LISTS)
def _quote_consortium_search(clock) -> Form:
    market = _owner_market()
    purchase_request = market.published()
    others = [other.pk for other in market.agencies[1:]]
    return Form(
        reverse("agency:quote", args=[purchase_request.number]),
        market.admins[0],
        {
            "member_search": text("", "测试机构", "测"),
            "member": choices(*others, foreign=[market.agencies[0].pk, AgencyFactory().pk]),
        },
        method="GET",
    )


@form("agency:quote_withdraw", "agency admin", FEW)
def _quote_withdraw(clock) -> Form:
    market = _owner_market()
    purchase_request = market.published()
    market.quote(purchase_request, 0, "100000")
    return Form(
        reverse("agency:quote_withdraw", args=[purchase_request.number]), market.admins[0], JUNK
    )


@form("agency:invitation_open", "agency admin", FEW)
def _invitation_open(clock) -> Form:
    market = _owner_market()
    purchase_request = market.published()
    return Form(
        reverse("agency:invitation_open", args=[purchase_request.number]), market.admins[0], JUNK
    )


@form("agency:award_decline", "agency admin (winner)")
def _award_decline(clock) -> Form:
    market, purchase_request = _awarded(clock)
    winner = market.admins[market.agencies.index(purchase_request.winner)]
    return Form(
        reverse("agency:award_decline", args=[purchase_request.number]),
        winner,
        {"reason": text("人员不足")},
    )


@form("agency:objection", "agency admin (quoted, not the winner)")
def _agency_objection(clock) -> Form:
    market, purchase_request = _awarded(clock)
    loser = next(i for i in range(3) if market.agencies[i] != purchase_request.winner)
    return Form(
        reverse("agency:objection", args=[purchase_request.number]),
        market.admins[loser],
        {"text": text("中选机构资质存疑")},
    )


# --- the approval department (/my/classifications/) -------------------------------------------


@form("department:classification_decide", "approval department")
def _classification_decide(clock) -> Form:
    market = _owner_market()
    department_user = UserFactory(organisation=market.department)
    classification = project_classification_request(
        actor=market.owner, project=market.project, reason="重大工程"
    )
    return Form(
        reverse("department:classification_decide", args=[classification.pk]),
        department_user,
        {"confirmed": choice("yes", "no"), "note": text("", "经核实属省重点项目")},
    )


# --- the agency's own pages (/agencies/me/) ---------------------------------------------------


@dataclass
class AgencyWorld:
    agency: Agency
    admin: User
    qualification: Qualification
    practitioner: Practitioner
    scope: AgencyServiceScope
    qualification_type: Any
    department: Any
    regulator_org: Any
    other: Agency


def _agency_world(**agency_fields) -> AgencyWorld:
    agency = AgencyFactory(**agency_fields)
    admin = UserFactory(organisation=agency.organisation)
    qualification_type = QualificationTypeFactory()
    qualification = QualificationFactory(agency=agency, qualification_type=qualification_type)
    practitioner = PractitionerFactory(agency=agency)
    ServiceItemFactory()  # needs no qualification: in everyone's scope
    needs = ServiceItemFactory()
    QualificationRequirementFactory(service_item=needs, qualification_type=qualification_type)
    agency_scope_recompute(agency=agency)
    other = AgencyFactory()
    return AgencyWorld(
        agency=agency,
        admin=admin,
        qualification=qualification,
        practitioner=practitioner,
        scope=agency.scope.filter(in_scope=True).first(),
        qualification_type=qualification_type,
        department=_department_org(),
        regulator_org=OrganisationFactory(kind=Role.REGULATOR),
        other=other,
    )


def _qualification_fields(world: AgencyWorld, scan: Field) -> dict[str, Field]:
    today = NOW.date()
    other_type = QualificationTypeFactory(grades=[])
    return {
        "qualification_type": choice(world.qualification_type.pk, other_type.pk),
        "grade": choice("甲级", "乙级", "丙级", ""),
        "number": text("GC-0001", "ZZ-00000001"),
        "issuer": text("四川省住房和城乡建设厅"),
        "valid_from": date((today - datetime.timedelta(days=30)).isoformat(), around=today),
        "valid_to": date((today + datetime.timedelta(days=700)).isoformat(), around=today),
        "scan": scan,
    }


@form("agencies:me_profile", "agency admin")
def _me_profile(clock) -> Form:
    world = _agency_world()
    return Form(
        reverse("agencies:me_profile"),
        world.admin,
        {
            "legal_representative": text("张三"),
            "region": text("", "眉山市彭山区"),
            "address": text("四川省眉山市彭山区某路1号"),
            "contact_name": text("李四"),
            "contact_phone": text("028-12345678"),
            "business_licence": upload(PDF, PNG),
        },
    )


@form("agencies:me_qualification_add", "agency admin", MANY)
def _me_qualification_add(clock) -> Form:
    world = _agency_world()
    return Form(
        reverse("agencies:me_qualification_add"),
        world.admin,
        _qualification_fields(world, upload(PDF, PNG)),
    )


@form("agencies:me_qualification_edit", "agency admin", MANY)
def _me_qualification_edit(clock) -> Form:
    world = _agency_world()
    return Form(
        reverse("agencies:me_qualification_edit", args=[world.qualification.pk]),
        world.admin,
        _qualification_fields(world, upload(PDF)),
    )


@form("agencies:me_qualification_remove", "agency admin", FEW)
def _me_qualification_remove(clock) -> Form:
    world = _agency_world()
    return Form(
        reverse("agencies:me_qualification_remove", args=[world.qualification.pk]),
        world.admin,
        JUNK,
    )


@form("agencies:me_practitioners", "agency admin")
def _me_practitioners(clock) -> Form:
    world = _agency_world()
    return Form(
        reverse("agencies:me_practitioners"),
        world.admin,
        {
            "name": text("王五"),
            "id_number": text(
                id_number_with_check("51140319900101123"),
                id_number_with_check("51140319900101123")[:-1] + "x",
                generated=False,
            ),
            "role": choice(*Practitioner.Role.values),
            "certificates": text("", "注册测绘师 12345"),
        },
    )


@form("agencies:me_practitioner_remove", "agency admin", FEW)
def _me_practitioner_remove(clock) -> Form:
    world = _agency_world()
    return Form(
        reverse("agencies:me_practitioner_remove", args=[world.practitioner.pk]),
        world.admin,
        JUNK,
    )


@form("agencies:me_affiliations", "agency admin")
def _me_affiliations(clock) -> Form:
    world = _agency_world()
    return Form(
        reverse("agencies:me_affiliations"),
        world.admin,
        {
            "kind": choice(*Affiliation.Kind.values),
            "department": choice(
                world.department.pk, world.regulator_org.pk, foreign=[world.other.pk]
            ),
            "parent_name": text("", "某某国有资产经营公司"),
        },
    )


@form("agencies:me_scope_edit", "agency admin")
def _me_scope_edit(clock) -> Form:
    world = _agency_world()
    return Form(
        reverse("agencies:me_scope_edit", args=[world.scope.pk]),
        world.admin,
        {
            "committed_time_limit_days": number("", "10", "1", low=1, high=20),
            "fee_policy": text("", "按国家收费标准下浮10%"),
        },
    )


@form("agencies:me_resubmit", "agency admin (returned agency)", FEW)
def _me_resubmit(clock) -> Form:
    world = _agency_world(status=Agency.Status.REJECTED)
    return Form(reverse("agencies:me_resubmit"), world.admin, JUNK)


# --- anyone: registration, signing in, the language ----------------------------------------------


@form("agencies:register", "anonymous", MANY)
def _register(clock) -> Form:
    qualification_type = QualificationTypeFactory()
    taken = AgencyFactory()
    today = NOW.date()
    fields = {
        "name": text("乐山工程咨询有限公司"),
        "credit_code": text(
            credit_code_derive("91511100", "乐山工程咨询"),
            credit_code_derive("91511100", "乐山工程咨询").lower(),
            _credit_code(taken),
            generated=False,
        ),
        "legal_representative": text("赵六"),
        "region": text("", "乐山市"),
        "address": text("四川省乐山市市中区某路2号"),
        "contact_name": text("钱七"),
        "contact_phone": text("0833-1234567"),
        "business_licence": upload(PDF, PNG),
        "username": text("leshan-admin", "user1"),
        "display_name": text("", "钱七"),
        "email": text("", "admin@leshan.example", generated=False),
        "password": text(TEST_PASSWORD, generated=False),
        "password_again": text(TEST_PASSWORD, generated=False),
        "certificates-TOTAL_FORMS": number("3", "1", low=0, high=25),
        "certificates-INITIAL_FORMS": number("0"),
        "certificates-MIN_NUM_FORMS": number("0"),
        "certificates-MAX_NUM_FORMS": number("20"),
    }
    row = {
        "qualification_type": choice(qualification_type.pk),
        "grade": choice("乙级", "甲级", ""),
        "number": text("GC-0001"),
        "issuer": text("四川省住房和城乡建设厅"),
        "valid_from": date((today - datetime.timedelta(days=30)).isoformat(), around=today),
        "valid_to": date((today + datetime.timedelta(days=700)).isoformat(), around=today),
        "scan": upload(PDF),
    }
    fields |= {f"certificates-0-{name}": value for name, value in row.items()}
    fields |= {f"certificates-1-{name}": value for name, value in row.items()}
    return Form(reverse("agencies:register"), None, fields)


@form("accounts:login", "anonymous")
def _login(clock) -> Form:
    user = _user(Role.PROJECT_OWNER)
    return Form(
        reverse("accounts:login"),
        None,
        {
            "username": text(user.username, generated=False),
            "password": text(TEST_PASSWORD, "wrong", generated=False),
            "next": text("", "/my/requests/", "//evil.example/", generated=False),
        },
    )


@form("accounts:password_reset", "anonymous")
def _password_reset(clock) -> Form:
    user = _user(Role.PROJECT_OWNER)
    return Form(
        reverse("accounts:password_reset"),
        None,
        {"email": text(user.email, "nobody@example.test", generated=False)},
    )


@form("accounts:password_reset_confirm", "anonymous (with a reset link)")
def _password_reset_confirm(clock) -> Form:
    user = _user(Role.PROJECT_OWNER)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)

    def open_the_link(client: Client) -> None:
        # The link moves the token into the session and redirects to the form.
        response = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]))
        assert response.status_code == 302

    return Form(
        reverse("accounts:password_reset_confirm", args=[uid, "set-password"]),
        None,
        {
            "new_password1": text("Another-Horse-Battery-7", generated=False),
            "new_password2": text("Another-Horse-Battery-7", generated=False),
        },
        prepare=open_the_link,
    )


@form("set_language", "anyone")
def _set_language(clock) -> Form:
    return Form(
        reverse("set_language"),
        None,
        {
            "language": choice("zh-hans", "en"),
            "next": text("/", "/catalogue/", "//evil.example/", "javascript:alert(1)"),
        },
        reachable=(302,),  # a GET only sends the reader back where they came from
    )


def _route(name: str, *args) -> str:
    """The address of a route this tree may not have yet (two-factor sign-in is new)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        pytest.skip(f"no route {name} in this tree")


def _current_code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def _code_fields(device) -> dict[str, Field]:
    return {
        "code": text(_current_code(device), generated=False),
        "next": text("", "/my/requests/", "//evil.example/", "javascript:alert(1)"),
    }


@form("accounts:two_factor_verify", "regulator (second step of signing in)")
def _two_factor_verify(clock) -> Form:
    url = _route("accounts:two_factor_verify")
    regulator = _regulator()
    device, _ = TOTPDevice.objects.get_or_create(
        user=regulator, name="test", defaults={"confirmed": True}
    )
    return Form(url, regulator, _code_fields(device))


@form("accounts:two_factor_setup", "signed in (turning two-factor on)")
def _two_factor_setup(clock) -> Form:
    url = _route("accounts:two_factor_setup")
    owner = _user(Role.PROJECT_OWNER)
    device = TOTPDevice.objects.create(user=owner, name="authenticator", confirmed=False)
    return Form(url, owner, _code_fields(device))


@form("accounts:two_factor_begin", "signed in (turning two-factor on)", FEW)
def _two_factor_begin(clock) -> Form:
    return Form(_route("accounts:two_factor_begin"), _user(Role.PROJECT_OWNER), JUNK)


@form("accounts:logout", "signed in", FEW)
def _logout(clock) -> Form:
    return Form(reverse("accounts:logout"), _user(Role.PROJECT_OWNER), JUNK)


@form("accounts:password_change", "signed in")
def _password_change(clock) -> Form:
    return Form(
        reverse("accounts:password_change"),
        _user(Role.PROJECT_OWNER),
        {
            "old_password": text(TEST_PASSWORD, generated=False),
            "new_password1": text("Another-Horse-Battery-7", generated=False),
            "new_password2": text("Another-Horse-Battery-7", generated=False),
        },
    )


@form("accounts:organisation_edit", "organisation admin (any role)")
def _organisation_edit(clock) -> Form:
    return Form(
        reverse("accounts:organisation_edit"),
        _user(Role.PROJECT_OWNER),
        {
            "region": text("", "眉山市彭山区"),
            "address": text("四川省眉山市彭山区某路1号"),
            "contact_name": text("李四"),
            "contact_phone": text("028-12345678"),
        },
    )


# --- public lists (GET filter forms) ------------------------------------------------------------


@form("catalogue:list (filter, GET)", "anyone", LISTS)
def _catalogue_list(clock) -> Form:
    item = ServiceItemFactory()
    return Form(
        reverse("catalogue:list"),
        None,
        {
            "q": text("", "测试", item.code),
            "department": choice("", item.approval_department_id),
            "fee_mode": choice("", *FeeMode.values),
            "page": number("1", "2"),
        },
        method="GET",
    )


@form("market:notices (filter, GET)", "anyone", LISTS)
def _notices(clock) -> Form:
    market = _owner_market()
    market.published()
    return Form(
        reverse("market:notices"),
        None,
        {
            "item": choice("", market.item.pk),
            "department": choice("", market.item.approval_department_id),
            "method": choice("", *SelectionMethod.values),
            "status": choice("", *Status.values),
            "page": number("1", "2"),
        },
        method="GET",
    )


@form("agencies:list (filter, GET)", "anyone", LISTS)
def _agency_list(clock) -> Form:
    world = _agency_world()
    return Form(
        reverse("agencies:list"),
        None,
        {
            "item": choice("", world.scope.service_item_id),
            "qualification": choice("", world.qualification_type.pk),
            "region": text("", "眉山市彭山区"),
            "sort": text("", "name", generated=False),
            "page": number("1", "2"),
        },
        method="GET",
    )


# --- the regulators' back office (/admin/) --------------------------------------------------------


def _review_action(agency_status: str, action: str, fields: Callable[[], dict]) -> Callable:
    def build(clock) -> Form:
        agency = AgencyFactory(status=agency_status)
        return Form(
            reverse("agency_review:action", args=[agency.pk, action]), _regulator(), fields()
        )

    return build


def _reason_and_confirm() -> dict:
    return {"reason": text("抽查不合格"), "confirm": boolean()}


def _reject_fields() -> dict:
    required = QualificationTypeFactory()
    QualificationRequirementFactory(qualification_type=required)  # a published item needs it
    optional = QualificationTypeFactory()
    return {
        "cited_qualification_types": choices(required.pk, foreign=[optional.pk]),
        "reason": text(),
    }


for _status, _action, _fields in (
    (Agency.Status.PENDING, "approve", lambda: {"reason": text("", "材料齐全")}),
    (Agency.Status.PENDING, "reject", _reject_fields),
    (Agency.Status.ACTIVE, "suspend", _reason_and_confirm),
    (Agency.Status.SUSPENDED, "reinstate", _reason_and_confirm),
    (Agency.Status.ACTIVE, "exit", _reason_and_confirm),
):
    form(f"agency_review:action ({_action})", "regulator")(
        _review_action(_status, _action, _fields)
    )


def _staff_register_file() -> Field:
    from tests.agencies.test_staff_register import make_id_number

    return table_upload(["身份证号", "单位"], [make_id_number(101), "甲局"], [make_id_number(102)])


@form("agency_review:staff_register (upload)", "regulator", TABLES)
def _staff_register(clock) -> Form:
    return Form(
        reverse("agency_review:staff_register"),
        _regulator(),
        {"file": _staff_register_file(), "replace": boolean()},
        then=_confirm_a_preview,
    )


def _confirm_a_preview(response) -> dict | None:
    """The register imports keep a readable upload's preview in the session: confirm it."""
    context = response.context if response.status_code == 200 else None
    shown = context is not None and ("preview" in context or "plan" in context)
    return {"confirm": "1"} if shown else None


def _upload_first(url: str, data: dict) -> Callable[[Client], None]:
    """The first step of a two-step import, done once: its preview is kept in the session."""

    def upload_it(client: Client) -> None:
        response = client.post(url, {name: _materialise(value) for name, value in data.items()})
        assert response.status_code == 200, response

    return upload_it


@form("agency_review:staff_register (confirm)", "regulator", FEW)
def _staff_register_confirm(clock) -> Form:
    from tests.agencies.test_staff_register import make_id_number

    url = reverse("agency_review:staff_register")
    good = Upload("register.csv", _csv_bytes([["身份证号", "单位"], [make_id_number(101), "甲局"]]))
    return Form(
        url,
        _regulator(),
        {"confirm": text("1"), "replace": boolean()},
        prepare=_upload_first(url, {"file": good, "replace": "on"}),
    )


def _register_columns() -> list[str]:
    return ["证书编号", "统一社会信用代码", "资质等级", "有效期至", "证书状态"]


def _register_world():
    qualification = QualificationFactory(status=Qualification.Status.PENDING)
    row = [
        qualification.number,
        _credit_code(qualification.agency),
        qualification.grade,
        "2027-06-30",
        "有效",
    ]
    return qualification, row


@form("agency_review:certificate_register (upload)", "regulator", TABLES)
def _certificate_register(clock) -> Form:
    qualification, row = _register_world()
    return Form(
        reverse("agency_review:certificate_register"),
        _regulator(),
        {
            "qualification_type": choice(qualification.qualification_type_id),
            "source": text("四川省自然资源厅测绘资质单位名录（2026-12-01）"),
            "file": table_upload(
                _register_columns(), row, ["2027/06/30", "20270630", "注销", "乙级", "0001-01-01"]
            ),
        },
        then=_confirm_a_preview,
    )


@form("agency_review:certificate_register (confirm)", "regulator", FEW)
def _certificate_register_confirm(clock) -> Form:
    qualification, row = _register_world()
    url = reverse("agency_review:certificate_register")
    good = Upload("register.csv", _csv_bytes([_register_columns(), row]))
    return Form(
        url,
        _regulator(),
        {"confirm": text("1"), "source": text()},
        prepare=_upload_first(
            url,
            {
                "qualification_type": str(qualification.qualification_type_id),
                "source": "名录",
                "file": good,
            },
        ),
    )


def _tie_fields(department, regulator_org, agency_org) -> dict:
    return {
        "kind": choice(*Affiliation.Kind.values),
        "department": choice(department.pk, regulator_org.pk, foreign=[agency_org.pk]),
        "parent_name": text("", "某某国有资产经营公司"),
        "finding": text("经查该机构由该部门主管"),
    }


@form("agency_review:tie_record", "regulator")
def _tie_record(clock) -> Form:
    agency = AgencyFactory()
    regulator = _regulator()
    return Form(
        reverse("agency_review:tie_record", args=[agency.pk]),
        regulator,
        _tie_fields(_department_org(), regulator.organisation, AgencyFactory().organisation),
    )


@form("agency_review:tie_end", "regulator")
def _tie_end(clock) -> Form:
    agency = AgencyFactory()
    regulator = _regulator()
    affiliation = affiliation_record(
        actor=regulator,
        agency=agency,
        kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
        department=_department_org(),
        finding="经查",
    )
    return Form(
        reverse("agency_review:tie_end", args=[agency.pk, affiliation.pk]),
        regulator,
        {"reason": text("已脱钩")},
    )


@form("agency_review:certificate_verify", "regulator")
def _certificate_verify(clock) -> Form:
    qualification = QualificationFactory(status=Qualification.Status.PENDING)
    return Form(
        reverse("agency_review:certificate_verify", args=[qualification.pk]),
        _regulator(),
        {"note": text("", "已核对发证机关记录")},
    )


@form("agency_review:certificate_refuse", "regulator")
def _certificate_refuse(clock) -> Form:
    qualification = QualificationFactory(status=Qualification.Status.PENDING)
    return Form(
        reverse("agency_review:certificate_refuse", args=[qualification.pk]),
        _regulator(),
        {"reason": text("证书编号不存在")},
    )


@form("agency_review:queue (tabs, GET)", "regulator")
def _review_queue(clock) -> Form:
    AgencyFactory(status=Agency.Status.PENDING)
    return Form(
        reverse("agency_review:queue"),
        _regulator(),
        {"status": choice(*Agency.Status.values), "p": number("1", "2")},
        method="GET",
    )


def _service_item_fields(department, other_type) -> dict[str, Field]:
    return {
        "code": text("T-NEW-0001", "T-ZJ-0001"),
        "name": text("地质灾害危险性评估"),
        "summary": text(""),
        "approval_department": choice(department.pk, foreign=[OrganisationFactory().pk]),
        "related_approval_item": text("建设项目用地预审"),
        "legal_basis": text("《地质灾害防治条例》"),
        "legal_references": text("", "《地质灾害防治条例》第二十一条"),
        "statutory_time_limit_days": number("20", "1", low=1, high=400),
        "fee_mode": choice(*FeeMode.values),
        "fee_basis": text(""),
        "fee_amount": decimal("", "36000"),
        "fee_ceiling": decimal("", "50000"),
        "reference_price_low": decimal("", "3000"),
        "reference_price_high": decimal("", "8000"),
        "paid_by_department": boolean(),
        "guide_materials": text("", "项目批准文件\n用地红线图"),
        "guide_steps": text("", "网上选取中介机构\n签订合同"),
        "guide_deliverables": text("", "评估报告"),
        "owner_may_self_prepare": boolean(),
        "regional_assessment_kind": choice("", *RegionalAssessmentKind.values),
        "requirements_text": _field(
            st.sampled_from(
                ["", f"{other_type.name}:乙级", f"{other_type.code}|{other_type.name}:甲级"]
            ),
            st.one_of(
                hostile_text,
                st.lists(
                    st.one_of(
                        st.sampled_from(
                            [other_type.name, other_type.code, ":", "+", "|", "乙级", "\n"]
                        ),
                        hostile_text,
                    ),
                    max_size=8,
                ).map("".join),
            ),
        ),
    }


@form("service_items:add", "regulator", SLOW_PAGE)
def _service_item_add(clock) -> Form:
    return Form(
        reverse("service_items:add"),
        _regulator(),
        _service_item_fields(_department_org(), QualificationTypeFactory()),
    )


@form("service_items:edit (draft)", "regulator", SLOW_PAGE)
def _service_item_edit_draft(clock) -> Form:
    item = PublishableServiceItemFactory()
    return Form(
        reverse("service_items:edit", args=[item.pk]),
        _regulator(),
        _service_item_fields(item.approval_department, QualificationTypeFactory()),
    )


@form("service_items:edit (published)", "regulator", SLOW_PAGE)
def _service_item_edit_published(clock) -> Form:
    item = PublishableServiceItemFactory(status=ServiceItem.Status.PUBLISHED)
    today = NOW.date()
    fields = _service_item_fields(item.approval_department, QualificationTypeFactory())
    fields["change_effective_date"] = date(today.isoformat(), after=today)
    fields["change_reason"] = text("依据新规调整")
    return Form(reverse("service_items:edit", args=[item.pk]), _regulator(), fields)


@form("service_items:publish", "regulator")
def _service_item_publish(clock) -> Form:
    item = PublishableServiceItemFactory()
    return Form(
        reverse("service_items:publish", args=[item.pk]), _regulator(), {"reason": text("")}
    )


@form("service_items:retire", "regulator")
def _service_item_retire(clock) -> Form:
    item = PublishableServiceItemFactory(status=ServiceItem.Status.PUBLISHED)
    return Form(
        reverse("service_items:retire", args=[item.pk]), _regulator(), {"reason": text("事项取消")}
    )


CATALOGUE_HEADER = [
    "编码",
    "名称",
    "状态",
    "审批部门",
    "对应审批事项",
    "设定依据",
    "服务时限",
    "收费方式",
    "政府定价",
    "参考价下限",
    "参考价上限",
    "部门付费",
    "申请材料",
    "办理步骤",
    "服务成果",
    "区域评估类别",
    "资质要求",
]


def _catalogue_row(department, qualification_type) -> list[str]:
    return [
        "T-IMP-0001",
        "新事项",
        department.name,
        "审批",
        "依据",
        "20",
        "市场调节价",
        "",
        "3000",
        "8000",
        "否",
        "材料",
        "步骤",
        "成果",
        "",
        f"{qualification_type.name}:乙级",
    ]


@form("service_items:import (upload)", "regulator", TABLES)
def _catalogue_import(clock) -> Form:
    department = _department_org()
    qualification_type = QualificationTypeFactory()
    PublishableServiceItemFactory(
        code="T-IMP-0002", approval_department=department, status=ServiceItem.Status.PUBLISHED
    )
    today = NOW.date()
    return Form(
        reverse("service_items:import"),
        _regulator(),
        {
            "file": table_upload(
                CATALOGUE_HEADER,
                _catalogue_row(department, qualification_type),
                [
                    "T-IMP-0002",
                    "已发布",
                    "已停用",
                    "草稿",
                    "政府定价",
                    "是",
                    "环境影响评价",
                    "-5",
                    "1e309",
                ],
            ),
            "effective_date": date(today.isoformat(), after=today),
            "reason": text("Bulk import"),
        },
        then=_confirm_the_catalogue_import,
    )


def _confirm_the_catalogue_import(response) -> dict | None:
    """A preview without errors offers its confirmation form: send it."""
    if response.status_code != 200 or not response.context:
        return None
    preview, confirm = response.context.get("preview"), response.context.get("confirm_form")
    if preview is None or confirm is None or preview.has_errors:
        return None
    return {name: str(value) for name, value in confirm.initial.items()}


@form("service_items:import (confirm)", "regulator")
def _catalogue_import_confirm(clock) -> Form:
    department = _department_org()
    qualification_type = QualificationTypeFactory()
    regulator = _regulator()
    url = reverse("service_items:import")
    good = Upload(
        "catalogue.csv",
        _csv_bytes([CATALOGUE_HEADER, _catalogue_row(department, qualification_type)]),
    )
    state: dict = {}

    def upload_it(client: Client) -> None:
        response = client.post(
            url, {"file": good.file(), "effective_date": NOW.date().isoformat(), "reason": "导入"}
        )
        assert response.status_code == 200
        state["token"] = response.context["confirm_form"].initial["token"]
        state["key"] = f"catalogue:import:{regulator.pk}:{state['token']}"
        state["stored"] = cache.get(state["key"])
        assert state["stored"] is not None

    def put_back() -> None:
        cache.set(state["key"], state["stored"])  # a successful example consumes it

    fields = {
        "token": Field(valid=st.builds(lambda: state["token"]), hostile=text().hostile),
        "effective_date": date(NOW.date().isoformat(), after=NOW.date()),
        "reason": text("导入"),
    }
    return Form(url, regulator, fields, prepare=upload_it, each=put_back)


@form("service_items:index (search and filters, GET)", "regulator")
def _service_item_index(clock) -> Form:
    item = ServiceItemFactory()
    return Form(
        reverse("service_items:index"),
        _regulator(),
        {
            "q": text("", item.code),
            "status": choices(*ServiceItem.Status.values),
            "fee_mode": choices(*FeeMode.values),
            "approval_department": choices(item.approval_department_id),
            "ordering": choice("code", "-name", "status"),
            "p": number("1", "2"),
        },
        method="GET",
    )


def _qualification_type_fields() -> dict[str, Field]:
    return {
        "code": text("surveying", "qual-0"),
        "name": text("测绘资质"),
        "grades": text("", "甲级, 乙级, 丙级", "甲级\n乙级", "甲级,甲级"),
        "legal_basis": text("", "《测绘资质管理办法》"),
    }


@form("qualification_types:add", "regulator")
def _qualification_type_add(clock) -> Form:
    QualificationTypeFactory(code="qual-0")
    return Form(reverse("qualification_types:add"), _regulator(), _qualification_type_fields())


@form("qualification_types:edit", "regulator")
def _qualification_type_edit(clock) -> Form:
    qualification_type = QualificationTypeFactory()
    QualificationRequirementFactory(qualification_type=qualification_type)
    QualificationFactory(qualification_type=qualification_type)
    return Form(
        reverse("qualification_types:edit", args=[qualification_type.pk]),
        _regulator(),
        _qualification_type_fields(),
    )


def _regional_assessment_fields() -> dict[str, Field]:
    district = RegionFactory(name="彭山区")
    park = RegionFactory(name="彭山经济开发区", kind=Region.Kind.PARK, parent=district)
    today = NOW.date()
    return {
        "title": text("彭山经济开发区区域评估"),
        "areas": choices(district.pk, park.pk),
        "kinds": choices(*RegionalAssessmentKind.values),
        "valid_from": date("2026-01-01", around=today),
        "valid_to": date("2028-12-31", around=today),
        "summary": text("", "区域内一般项目共享评估结果"),
        "result_document": upload(PDF),
    }


@form("regional_assessments:add", "regulator", MANY)
def _regional_assessment_add(clock) -> Form:
    return Form(reverse("regional_assessments:add"), _regulator(), _regional_assessment_fields())


@form("regional_assessments:edit", "regulator")
def _regional_assessment_edit(clock) -> Form:
    assessment = RegionalAssessment.objects.create(
        title="区域环评",
        kinds=[RegionalAssessmentKind.ENVIRONMENTAL_IMPACT],
        valid_from=NOW.date(),
        valid_to=NOW.date() + datetime.timedelta(days=365),
    )
    return Form(
        reverse("regional_assessments:edit", args=[assessment.pk]),
        _regulator(),
        _regional_assessment_fields(),
    )


@form("market_objections:answer", "regulator")
def _objection_answer(clock) -> Form:
    market, purchase_request = _awarded(clock)
    objection = objection_file(actor=market.owner, purchase_request=purchase_request, text="质疑")
    assert objection.status == Objection.Status.PENDING
    return Form(
        reverse("market_objections:answer", args=[objection.pk]),
        _regulator(),
        {"upheld": choice("no", "yes"), "answer": text("经核查，质疑不成立")},
    )


@form("wagtailsettings:edit (purchasing rules)", "regulator")
def _purchasing_rules(clock) -> Form:
    rules = PurchasingRules.objects.first() or PurchasingRules.objects.create()
    return Form(
        reverse("wagtailsettings:edit", args=["market", "purchasingrules", rules.pk]),
        _regulator(),
        {"min_quoting_workdays": number("2", "1", "30", low=1, high=30)},
    )


@form("calendar_days:add", "regulator")
def _calendar_day_add(clock) -> Form:
    CalendarDay.objects.create(date=datetime.date(2027, 2, 7), is_workday=True, note="调休")
    return Form(
        reverse("calendar_days:add"),
        _regulator(),
        {
            "date": date("2027-02-06", "2027-02-07", around=NOW.date()),
            "is_workday": boolean(),
            "note": text("", "调休"),
        },
    )


@form("calendar_days:edit", "regulator")
def _calendar_day_edit(clock) -> Form:
    day = CalendarDay.objects.create(date=datetime.date(2027, 2, 6), is_workday=True, note="调休")
    CalendarDay.objects.create(date=datetime.date(2027, 2, 7), is_workday=True, note="调休")
    return Form(
        reverse("calendar_days:edit", args=[day.pk]),
        _regulator(),
        {
            "date": date("2027-02-06", "2027-02-07", around=NOW.date()),
            "is_workday": boolean(),
            "note": text("", "调休"),
        },
    )


@form("calendar_days:delete", "regulator", FEW)
def _calendar_day_delete(clock) -> Form:
    day = CalendarDay.objects.create(date=datetime.date(2027, 2, 6), is_workday=True, note="调休")
    return Form(reverse("calendar_days:delete", args=[day.pk]), _regulator(), JUNK)


@form("calendar_days:index (filter, GET)", "regulator")
def _calendar_day_index(clock) -> Form:
    CalendarDay.objects.create(date=datetime.date(2027, 2, 6), is_workday=True, note="调休")
    return Form(
        reverse("calendar_days:index"),
        _regulator(),
        {
            "is_workday": choices("true", "false"),
            "ordering": choice("date", "-date"),
            "p": number("1"),
        },
        method="GET",
    )


def _search(index: str, *known: str) -> Callable[[Any], Form]:
    def build(clock) -> Form:
        QualificationTypeFactory()
        return Form(
            reverse(index),
            _regulator(),
            {"q": text("", *known), "ordering": choice("name", "-code", "title"), "p": number("1")},
            method="GET",
        )

    return build


form("qualification_types:index (search, GET)", "regulator")(
    _search("qualification_types:index", "测绘", "qual")
)
form("regional_assessments:index (search, GET)", "regulator")(
    _search("regional_assessments:index", "区域评估")
)


@form("calendar_years:add", "regulator")
def _calendar_year_add(clock) -> Form:
    return Form(
        reverse("calendar_years:add"),
        _regulator(),
        {"year": number("2027", "2026", low=1, high=9999), "source": text("国办发明电〔2026〕7号")},
    )


def _region_fields(tree: list[Region]) -> dict[str, Field]:
    return {
        "name": text("青龙工业园"),
        "kind": choice(*Region.Kind.values),
        "code": text("", "511403", tree[0].code or "X"),
        "parent": choice("", *[region.pk for region in tree]),
    }


def _region_tree() -> list[Region]:
    district = RegionFactory(name="彭山区", code="511403")
    park = RegionFactory(name="彭山经济开发区", kind=Region.Kind.PARK, parent=district)
    zone = RegionFactory(name="青龙工业园", kind=Region.Kind.ZONE, parent=park)
    return [district, park, zone]


@form("regions:add", "regulator")
def _region_add(clock) -> Form:
    return Form(reverse("regions:add"), _regulator(), _region_fields(_region_tree()))


@form("regions:edit", "regulator")
def _region_edit(clock) -> Form:
    tree = _region_tree()
    return Form(reverse("regions:edit", args=[tree[1].pk]), _regulator(), _region_fields(tree))


@form("regions:delete", "regulator", FEW)
def _region_delete(clock) -> Form:
    tree = _region_tree()
    return Form(reverse("regions:delete", args=[tree[2].pk]), _regulator(), JUNK)


# The test ---------------------------------------------------------------------------------------

RUNS: dict[str, tuple[str, int, float]] = {}


@pytest.fixture(scope="module", autouse=True)
def _report_examples(request):
    """Print how many inputs each form was tried with, once the module is done."""
    yield
    if not RUNS:
        return
    lines = ["", "Hostile submissions per form (examples run, seconds):"]
    lines += [
        f"  {target_id:<52} {role:<40} {count:>4} {seconds:6.1f}s"
        for target_id, (role, count, seconds) in RUNS.items()
    ]
    total = sum(count for _role, count, _seconds in RUNS.values())
    lines.append(f"  {len(RUNS)} forms, {total} submissions")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


NUL_REFUSED = "A string literal cannot contain NUL (0x00) characters."


def _refuse_nul_like_postgresql(execute, sql, params, many, context):
    """PostgreSQL, which CI and production run, refuses a text parameter holding NUL (psycopg
    raises ValueError, a 500); SQLite stores it. On SQLite this wrapper refuses it the same
    way, so a NUL that gets past a form to the database is found on a laptop too."""
    for row in (params or ()) if many else [params or ()]:
        values = row.values() if isinstance(row, dict) else row
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise ValueError(NUL_REFUSED)
    return execute(sql, params, many, context)


def _database_as_in_production():
    if connection.vendor == "postgresql":
        return contextlib.nullcontext()
    return connection.execute_wrapper(_refuse_nul_like_postgresql)


def _materialise(value):
    if isinstance(value, Upload):
        return value.file()
    if isinstance(value, list):
        return [_materialise(item) for item in value]
    return value


def _submit(client: Client, form: Form, submission: dict) -> Any:
    data = {name: _materialise(value) for name, value in submission.items() if value is not MISSING}
    if form.method == "GET":
        return client.get(form.url, data)
    response = client.post(form.url, data)
    second = form.then(response) if form.then is not None else None
    if second is not None:
        assert response.status_code < 500, f"POST {form.url} answered {response.status_code}"
        note(f"then POST {form.url} {second!r}")
        response = client.post(form.url, second)
    return response


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.id)
def test_no_form_answers_hostile_input_with_a_server_error(
    target: Target, client, clock, record_property
):
    # Given the form's world, built once for all its examples,
    form = target.build(clock)
    if form.user is not None:
        client.force_login(form.user)
    if form.prepare is not None:
        form.prepare(client)
    probe = client.get(form.url)
    assert probe.status_code in form.reachable, (
        f"{target.role} does not reach {form.url}: {probe.status_code} {probe.get('Location', '')}"
    )
    signed_in = copy.deepcopy(client.cookies)
    client.raise_request_exception = True  # an exception in the view fails with its traceback
    count = 0
    started = time.perf_counter()

    # when each hostile submission is sent from the same starting point,
    @settings(HYPOTHESIS_SETTINGS, max_examples=target.examples)
    @given(submission=submissions(form.fields))
    def hostile_submission(submission):
        nonlocal count
        count += 1
        note(f"{target.role}: {form.method} {form.url}")
        client.cookies = copy.deepcopy(signed_in)
        if form.each is not None:
            form.each()
        with transaction.atomic():
            try:
                # Work queued for after the commit runs too: in production it runs in the
                # same request, so it fails the same request.
                with (
                    _database_as_in_production(),
                    TestCase.captureOnCommitCallbacks(execute=True),
                ):
                    response = _submit(client, form, submission)
            finally:
                transaction.set_rollback(True)
        # then nothing is a server error.
        assert response.status_code < 500, (
            f"{form.method} {form.url} answered {response.status_code}"
        )

    # The error log of every failing example while Hypothesis shrinks would bury the
    # report, which carries the exception and the input anyway.
    logging.disable(logging.CRITICAL)
    try:
        hostile_submission()
    finally:
        logging.disable(logging.NOTSET)
        seconds = time.perf_counter() - started
        RUNS[target.id] = (target.role, count, seconds)
        record_property("hypothesis_examples", count)
