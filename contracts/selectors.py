from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce

from accounts.permissions import allowed
from catalogue.models import ServiceItem
from contracts.models import (
    Contract,
    ContractSignature,
    ContractTemplateVersion,
    ContractVersion,
    Deliverable,
)

Status = ContractTemplateVersion.Status


def template_in_force(service_item: ServiceItem) -> ContractTemplateVersion | None:
    """The version contracts are made from: the item's latest approved one."""
    return (
        ContractTemplateVersion.objects.filter(
            template__service_item=service_item, status=ContractTemplateVersion.Status.APPROVED
        )
        .order_by("-number")
        .first()
    )


def template_item_list(*, user: Any, waiting_only: bool = False) -> QuerySet[ServiceItem]:
    """The catalogue items whose model contracts `user` keeps (R5) — every item for a
    regulator, its own items for an approval department, none for anyone else — each with
    its version in force (`in_force_number`, `in_force_since`), its latest version
    (`latest_number`, `latest_status`) and how many versions wait for approval
    (`waiting_count`), all in the one query. `waiting_only` keeps the items with a version
    waiting."""
    items = ServiceItem.objects.select_related("approval_department").order_by("code")
    if not allowed("accounts.regulate", user):
        if not allowed("contracts.keep_templates", user):
            return items.none()
        # The object rule `contracts.keep_template`, as a filter: the item's department.
        items = items.filter(approval_department_id=user.organisation_id)
    versions = ContractTemplateVersion.objects.filter(template__service_item=OuterRef("pk"))
    in_force = versions.filter(status=Status.APPROVED).order_by("-number")
    latest = versions.order_by("-number")
    waiting = (
        versions.filter(status=Status.SUBMITTED)
        .order_by()
        .values("template")
        .annotate(count=Count("pk"))
        .values("count")
    )
    items = items.annotate(
        in_force_number=Subquery(in_force.values("number")[:1]),
        in_force_since=Subquery(in_force.values("decided_at")[:1]),
        latest_number=Subquery(latest.values("number")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
        waiting_count=Coalesce(Subquery(waiting, output_field=IntegerField()), 0),
    )
    return items.filter(waiting_count__gt=0) if waiting_only else items


def template_version_list(*, service_item: ServiceItem) -> QuerySet[ContractTemplateVersion]:
    """An item's model-contract versions, newest first, with who wrote and who decided."""
    return (
        ContractTemplateVersion.objects.filter(template__service_item=service_item)
        .select_related("written_by", "decided_by")
        .order_by("-number")
    )


def template_version_detail(*, service_item: ServiceItem, number: int) -> ContractTemplateVersion:
    """One version of an item's model contract. Raises ContractTemplateVersion.DoesNotExist."""
    return ContractTemplateVersion.objects.select_related(
        "template__service_item__approval_department", "written_by", "decided_by"
    ).get(template__service_item=service_item, number=number)


# Delivery record (R10) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryMetrics:
    """An agency's (or a department's items') record of delivering on time. A rate is None
    where there is nothing yet to divide by."""

    finished: int  # accepted, or accepted and then closed
    on_time: int  # of those, used no more working days than committed
    terminated: int  # ended without acceptance, after coming into force
    on_time_rate: float | None  # on_time / finished
    fulfilment_rate: float | None  # finished / (finished + terminated)
    # Mean of used working days / statutory time limit, over finished contracts whose item
    # has a statutory limit: below 1 means faster than the law allows on average.
    average_time_ratio: float | None


def delivery_metrics(*, agency: Any = None, department: Any = None) -> DeliveryMetrics:
    """The delivery record of `agency`'s contracts, or of the contracts for the items whose
    approval department is `department`; with neither, of every contract. One query,
    whatever the number of contracts.

    A contract is finished once its delivery is accepted (its working days used are fixed
    then; a closed contract was accepted first). A contract terminated before it came into
    force was never the agency's to fulfil and does not count against it."""
    contracts = Contract.objects.all()
    if agency is not None:
        contracts = contracts.filter(agency=agency)
    if department is not None:
        contracts = contracts.filter(purchase_request__service_item__approval_department=department)
    finished = Q(used_workdays__isnull=False)
    with_statutory = finished & Q(statutory_time_limit_days__gt=0)
    figures = contracts.aggregate(
        finished=Count("pk", filter=finished),
        on_time=Count("pk", filter=finished & Q(used_workdays__lte=F("time_limit_days"))),
        terminated=Count(
            "pk", filter=Q(status=Contract.Status.TERMINATED, in_force_at__isnull=False)
        ),
        average_time_ratio=Avg(
            Cast("used_workdays", FloatField()) / Cast("statutory_time_limit_days", FloatField()),
            filter=with_statutory,
        ),
    )
    done, on_time, terminated = figures["finished"], figures["on_time"], figures["terminated"]
    return DeliveryMetrics(
        finished=done,
        on_time=on_time,
        terminated=terminated,
        on_time_rate=on_time / done if done else None,
        fulfilment_rate=done / (done + terminated) if done + terminated else None,
        average_time_ratio=figures["average_time_ratio"],
    )


# Contracts, as their parties and overseers see them ----------------------------------------


def contract_list_for(*, user: Any) -> QuerySet[Contract]:
    """The contracts `user` may read (the rule contracts.view_contract, as a query): its
    organisation's as owner or agency, its items' for an approval department, all for a
    regulator; none for anyone else. Newest first, with what a list row shows."""
    from accounts.permissions import is_approval_department, regulates

    contracts = Contract.objects.select_related(
        "owner",
        "agency__organisation",
        "purchase_request__project",
        "purchase_request__service_item",
    ).order_by("-created_at", "-pk")
    if regulates(user):
        return contracts
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None or getattr(user, "role", None) is None:
        return contracts.none()
    if is_approval_department(user):
        return contracts.filter(
            purchase_request__service_item__approval_department_id=organisation_id
        )
    return contracts.filter(Q(owner_id=organisation_id) | Q(agency_id=organisation_id))


def contract_detail(*, user: Any, number: str) -> Contract:
    """One contract `user` may read, with its versions, their signatures and milestones.
    Raises Contract.DoesNotExist for any other (its existence is not disclosed)."""
    signatures = ContractSignature.objects.select_related(
        "organisation", "signed_by", "certificate"
    ).order_by("signed_at", "pk")
    versions = ContractVersion.objects.order_by("number").prefetch_related(
        Prefetch("signatures", queryset=signatures)
    )
    contract = (
        contract_list_for(user=user)
        .select_related("template_version")
        .prefetch_related(Prefetch("versions", queryset=versions), "milestones")
        .get(number=number)
    )
    if not allowed("contracts.view_contract", user, contract):
        raise Contract.DoesNotExist
    return contract


# Contracts, as the public sees them (R11) -------------------------------------------------------

# A contract is public once both parties have signed it, and stays so whatever follows; one
# terminated before that never bound anyone and stays as private as one awaiting signatures.
PUBLIC_CONTRACT_STATUSES = (
    Contract.Status.IN_FORCE,
    Contract.Status.DELIVERED,
    Contract.Status.RETURNED,
    Contract.Status.ACCEPTED,
    Contract.Status.CLOSED,
    Contract.Status.TERMINATED,
)


def contract_public_list() -> QuerySet[Contract]:
    """The contracts in force or later, the latest in force first, with what a list row
    shows. Never a contract that has not come into force."""
    return (
        Contract.objects.filter(status__in=PUBLIC_CONTRACT_STATUSES, in_force_at__isnull=False)
        .select_related(
            "owner",
            "agency__organisation",
            "purchase_request__project",
            "purchase_request__service_item",
        )
        .order_by("-in_force_at", "-pk")
    )


def contract_public_search(contracts: QuerySet[Contract], query: str) -> QuerySet[Contract]:
    """`contracts` whose number is `query`, or whose project or agency name contains it."""
    query = query.strip()
    if not query:
        return contracts
    return contracts.filter(
        Q(number__iexact=query)
        | Q(purchase_request__project__name__icontains=query)
        | Q(agency__organisation__name__icontains=query)
    )


def _public_versions() -> Prefetch:
    """A contract's versions in force (an amendment still awaiting signatures is not public),
    as `public_versions`, each with its signatures in order: never their text."""
    signatures = ContractSignature.objects.select_related("organisation", "certificate").order_by(
        "signed_at", "pk"
    )
    versions = (
        ContractVersion.objects.filter(in_force_at__isnull=False)
        .defer("text", "reason")
        .order_by("number")
        .prefetch_related(Prefetch("signatures", queryset=signatures))
    )
    return Prefetch("versions", queryset=versions, to_attr="public_versions")


def contract_public_detail(*, number: str) -> Contract:
    """One public contract with its versions in force and their signatures. Raises
    Contract.DoesNotExist for an unknown number and for a contract not (yet) in force."""
    return contract_public_list().prefetch_related(_public_versions()).get(number=number)


@dataclass(frozen=True)
class PlatformRevision:
    """A file the platform made of a contract in force: its version as it stood after
    `signature` (the final file when `final`)."""

    contract: Contract
    version: ContractVersion
    signature: ContractSignature | None
    final: bool


def contract_public_revision(*, sha256: str) -> PlatformRevision | None:
    """The revision of a contract in force whose file has this SHA-256, if the platform made
    one: each signature records the digest of the file it produced, and a version the digest
    of its file as it stands. None for any other file, including a revision of a contract not
    in force (its existence is not disclosed)."""
    public = Q(
        version__in_force_at__isnull=False,
        version__contract__status__in=PUBLIC_CONTRACT_STATUSES,
        version__contract__in_force_at__isnull=False,
    )
    signature = (
        ContractSignature.objects.filter(public, pdf_sha256=sha256)
        .select_related("version__contract", "organisation")
        .defer("version__text", "version__reason")
        .order_by("version__contract__pk", "version__number", "signed_at")
        .first()
    )
    if signature is not None:
        return PlatformRevision(
            contract=signature.version.contract,
            version=signature.version,
            signature=signature,
            final=signature.version.pdf_sha256 == sha256,
        )
    version = (
        ContractVersion.objects.filter(
            in_force_at__isnull=False,
            contract__status__in=PUBLIC_CONTRACT_STATUSES,
            contract__in_force_at__isnull=False,
            pdf_sha256=sha256,
        )
        .select_related("contract")
        .defer("text", "reason")
        .first()
    )
    if version is None:
        return None
    return PlatformRevision(contract=version.contract, version=version, signature=None, final=True)


def contract_log_index(*, contract: Contract) -> int | None:
    """The index of the transparency-log entry that recorded `contract` coming into force
    (with its signed file's SHA-256), if there is one."""
    from contracts.services.lifecycle import CONTRACT_IN_FORCE
    from core.models import LogEntry

    return (
        LogEntry.objects.filter(kind=CONTRACT_IN_FORCE, subject=contract.purchase_request.number)
        .order_by("index")
        .values_list("index", flat=True)
        .first()
    )


def contract_public_numbers(purchase_requests) -> dict[int, str]:
    """The public contract's number of each of `purchase_requests` that has one, in one
    query: {purchase request id: contract number}."""
    return dict(
        Contract.objects.filter(
            purchase_request__in=purchase_requests,
            status__in=PUBLIC_CONTRACT_STATUSES,
            in_force_at__isnull=False,
        ).values_list("purchase_request_id", "number")
    )


def contract_public_number(*, purchase_request: Any) -> str | None:
    """The number of `purchase_request`'s contract if it is public (in force or later)."""
    return (
        Contract.objects.filter(
            purchase_request=purchase_request,
            status__in=PUBLIC_CONTRACT_STATUSES,
            in_force_at__isnull=False,
        )
        .values_list("number", flat=True)
        .first()
    )


def deliverables_waiting(*, contract: Contract) -> QuerySet[Deliverable]:
    """The files uploaded since the owner's last answer: what a delivery would hand over."""
    return Deliverable.objects.filter(
        milestone__contract=contract,
        status=Deliverable.Status.SUBMITTED,
        answered_at__isnull=True,
    )
