from catalogue.models import ServiceItem
from contracts.models import ContractTemplateVersion


def template_in_force(service_item: ServiceItem) -> ContractTemplateVersion | None:
    """The version contracts are made from: the item's latest approved one."""
    return (
        ContractTemplateVersion.objects.filter(
            template__service_item=service_item, status=ContractTemplateVersion.Status.APPROVED
        )
        .order_by("-number")
        .first()
    )
