"""A page that reads never writes: every GET route of the site, crawled as the public and as
each role over the demo data, runs no INSERT, UPDATE or DELETE and takes no row lock.

The crawler starts from each role's entry pages and follows every link it is shown (a bounded
number per route), so it sees the pages a person would; at the end every named route of the
project's own apps must have been visited by someone, except the few that only take POST."""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.db import connection
from django.db.models.query import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from wagtail.users.models import UserProfile

from accounts.models import User
from agencies.models import Affiliation, Agency
from credit.models import Complaint, Rating, RepairRequest, Violation
from market.models import Objection, PurchaseRequest, Quote, RegionalAssessment
from market.services.selection import objection_file

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# agency09 is a demo agency with certificates; "agency" has none.
ROLES = [None, "owner", "agency", "agency09", "regulator", "approval", "admin"]
ENTRY_PAGES = [
    "/",
    "/catalogue/",
    "/catalogue/adjustments/",
    "/notices/",
    "/agencies/",
    "/agencies/register/",
    "/accounts/",
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/workspace/",
    "/my/requests/",
    "/my/quotes/",
    "/agencies/me/",
    "/admin/",
    "/admin/agency-review/",
    "/admin/agency-review/staff-register/",
    "/admin/agency-review/certificates/",
    "/admin/objections/",
    "/admin/service_items/",
    "/admin/service_items/import/",
    "/admin/qualification_types/",
    "/admin/regional_assessments/",
    "/admin/calendar_days/",
    "/admin/calendar_years/",
    "/admin/regions/",
    "/admin/agency-review/certificates/register/",
    "/my/classifications/",
    "/my/contracts/",
    "/contracts/",
    "/verify/contract/",
    "/pki/ca.pem",
    "/pki/crl.der",
    "/admin/model-contracts/",
    "/credit/blacklist/",
    "/credit/blacklist/?tab=past",
    "/credit/complaints/",
    "/credit/complaints/new/",
    "/credit/complaints/track/",
    "/credit/complaints/received/",
    "/credit/violations/",
    "/admin/poor-ratings/",
    "/admin/complaints/",
    "/admin/violations/",
    "/admin/violations/record/",
    "/admin/repairs/",
    "/admin/inspections/",
    "/admin/inspections/new/",
    "/accounts/two-factor/",
    "/accounts/two-factor/setup/",
    "/accounts/password/change/",
    "/accounts/password/change/done/",
    "/accounts/password/reset/sent/",
    "/accounts/password/reset/complete/",
    "/en/",
    "/healthz",
    "/readyz",
]
# The back office is Wagtail's; the crawl follows only the parts this project adds to it.
OWN_ADMIN_PREFIXES = (
    "/admin/agency-review/",
    "/admin/objections/",
    "/admin/service_items/",
    "/admin/qualification_types/",
    "/admin/regional_assessments/",
    "/admin/calendar_days/",
    "/admin/calendar_years/",
    "/admin/regions/",
    "/admin/model-contracts/",
    "/admin/poor-ratings/",
    "/admin/complaints/",
    "/admin/violations/",
    "/admin/repairs/",
    "/admin/inspections/",
)
OWN_NAMESPACES = {
    "accounts",
    "cms",
    "catalogue",
    "agencies",
    "market",
    "owner",
    "agency",
    "agency_review",
    "market_objections",
    "department",
    "contracts",
    "contract_party",
    "contract_templates",
    "pki",
    "credit",
    "agency_credit",
    "rating_reviews",
    "complaints_admin",
    "violations",
    "repairs",
    "credit_inspections",
}
# Routes that answer POST only (their pages are the forms that post to them).
POST_ONLY = {
    "accounts:logout",
    "accounts:two_factor_begin",
    "agencies:me_resubmit",
    "agency:invitation_open",
    "owner:request_choose",
    "owner:request_scores",
    "owner:request_objection",
    "contract_party:sign",
    "contract_party:deliverable_add",
    "contract_party:deliver",
    "contract_party:accept",
    "contract_party:return",
    "contract_party:close",
    "contract_templates:submit",
    "complaints_admin:acknowledge",
    "complaints_admin:note",
    "complaints_admin:answer",
}
PER_ROUTE = 2  # distinct URLs of one route visited per role
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# Django's password-reset link moves its token from the URL into the session before showing
# the form (so the token never leaks through a Referer header); that is the session's
# bookkeeping, not the site's data.
SESSION_TABLE = "django_session"
HREF = re.compile(r'href="([^"]+)"')


def _route_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def _followable(path: str) -> bool:
    if not path.startswith("/") or path.startswith("//"):
        return False
    bare = urlsplit(path).path
    if bare.startswith(("/static/", "/media/", "/documents/")):
        return False
    if bare.startswith("/admin/") and not bare.startswith(OWN_ADMIN_PREFIXES):
        return bare == "/admin/"
    return True


def _own_routes() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and namespace in OWN_NAMESPACES:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return names


def _data_pages() -> list[str]:
    """Pages reached through buttons and forms rather than plain links, from the demo data."""
    pages = []
    for purchase_request in PurchaseRequest.objects.exclude(status=PurchaseRequest.Status.DRAFT):
        number = purchase_request.number
        pages += [
            reverse("market:notice_detail", args=[number]),
            reverse("market:verify_draw", args=[number]),
            reverse("owner:request_detail", args=[number]),
            reverse("owner:request_publish", args=[number]),
            reverse("owner:request_cancel", args=[number]),
            reverse("owner:request_republish", args=[number]),
            reverse("agency:quote", args=[number]),
            reverse("agency:quote_withdraw", args=[number]),
            reverse("agency:award_decline", args=[number]),
            reverse("agency:objection", args=[number]),
        ]
    # A draft's form is linked from its page, which the crawl may not reach among the others.
    pages += [
        reverse("owner:request_edit", args=[number])
        for number in PurchaseRequest.objects.filter(
            status=PurchaseRequest.Status.DRAFT
        ).values_list("number", flat=True)
    ]
    agency = Agency.objects.get(organisation__members__username="agency")
    pages += [
        reverse("agencies:me_qualification_edit", args=[q.pk]) for q in agency.qualifications.all()
    ]
    pages += [
        reverse("agencies:me_qualification_remove", args=[q.pk])
        for q in agency.qualifications.all()
    ]
    pages += [
        reverse("agency_review:tie_end", args=[a.agency_id, a.pk])
        for a in agency.affiliations.all()
    ]
    pages.append(reverse("agency_review:tie_record", args=[agency.pk]))
    pages += [
        reverse("market:regional_assessment", args=[a.pk]) for a in RegionalAssessment.objects.all()
    ]
    pages += [reverse("market_objections:answer", args=[o.pk]) for o in Objection.objects.all()]
    pages += [
        reverse("market:regional_assessment_document", args=[a.pk])
        for a in RegionalAssessment.objects.exclude(result_document="")
    ]
    pages += [reverse("market:proposal", args=[q.pk]) for q in Quote.objects.exclude(proposal="")]
    pages += _credit_pages()
    owner = User.objects.get(username="owner")
    pages.append(
        reverse(
            "accounts:password_reset_confirm",
            args=[
                urlsafe_base64_encode(force_bytes(owner.pk)),
                default_token_generator.make_token(owner),
            ],
        )
    )
    return pages


def _credit_pages() -> list[str]:
    """The credit pages reached from forms and the back office, from the demo data."""
    pages = []
    for rating in Rating.objects.select_related("contract"):
        number = rating.contract.number
        pages += [
            reverse("credit:rate", args=[number, rating.rater]),
            reverse("credit:change", args=[number, rating.pk]),
            reverse("credit:reply", args=[number, rating.pk]),
            reverse("rating_reviews:review", args=[rating.pk]),
        ]
    for violation in Violation.objects.all():
        pages += [
            reverse("credit:violation_appeal", args=[violation.pk]),
            reverse("credit:violation_repair", args=[violation.pk]),
            reverse("violations:detail", args=[violation.pk]),
        ]
    pages += [reverse("repairs:decide", args=[r.pk]) for r in RepairRequest.objects.all()]
    for complaint in Complaint.objects.all():
        pages += [
            reverse("credit:complaint_detail", args=[complaint.number]),
            reverse("complaints_admin:detail", args=[complaint.pk]),
        ]
    for agency in Agency.objects.exclude(credit_grade="B"):
        pages += [
            reverse("agency_credit:page", args=[agency.pk]),
            reverse("agency_credit:report", args=[agency.pk]),
        ]
    return pages


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    # Something for the pages that show a tie and an objection.
    agency = Agency.objects.get(organisation__members__username="agency")
    Affiliation.objects.create(
        agency=agency,
        kind=Affiliation.Kind.STATE_OWNED_PARENT,
        department=User.objects.get(username="approval").organisation,
        parent_name="示范国有公司",
    )
    awarded = PurchaseRequest.objects.filter(status=PurchaseRequest.Status.AWARDED).first()
    objection_file(
        actor=User.objects.get(username=awarded.project.owner.members.first().username),
        purchase_request=awarded,
        text="中选机构业绩存疑",
    )
    # Wagtail makes a profile the first time a user opens its admin; that is its own
    # bookkeeping, made here beforehand so the crawl sees only what the project's pages do.
    for user in User.objects.all():
        UserProfile.get_for_user(user)


def test_no_get_route_writes_or_locks(demo, monkeypatch):
    locks: list[str] = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locks.append(self.model.__name__)
        return original(self, *args, **kwargs)

    # On SQLite a lock leaves no trace in the SQL, so the call itself is watched.
    monkeypatch.setattr(QuerySet, "select_for_update", spy)

    visited_routes: set[str] = set()
    problems: list[str] = []
    pages = 0
    for username in ROLES:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        seen: set[str] = set()
        per_route: dict[str, int] = {}
        queue = deque(ENTRY_PAGES + _data_pages())
        while queue:
            path = urldefrag(queue.popleft())[0]
            route = _route_name(path)
            if path in seen or route is None or per_route.get(route, 0) >= PER_ROUTE:
                continue
            seen.add(path)
            per_route[route] = per_route.get(route, 0) + 1
            locks.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            pages += 1
            visited_routes.add(route)
            writes = [
                query["sql"][:120]
                for query in queries
                if WRITE.match(query["sql"]) and SESSION_TABLE not in query["sql"]
            ]
            writes += [
                query["sql"][:120] for query in queries if "FOR UPDATE" in query["sql"].upper()
            ]
            if writes or locks:
                problems.append(f"{username or 'public'} GET {path}: {writes} locks={locks}")
            if response.status_code >= 500:
                problems.append(f"{username or 'public'} GET {path}: {response.status_code}")
            if response.get("Content-Type", "").startswith("text/html"):
                queue.extend(
                    href.replace("&amp;", "&")
                    for href in HREF.findall(response.content.decode())
                    if _followable(href.replace("&amp;", "&"))
                )

    assert problems == []
    unvisited = _own_routes() - POST_ONLY - visited_routes
    assert unvisited == set(), f"routes no crawl reached: {sorted(unvisited)}"
    assert pages > 200
