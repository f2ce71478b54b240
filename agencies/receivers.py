"""The roster's answers to what happens below it, connected in AgenciesConfig.ready()."""

from agencies.services.scope import scopes_recompute_for_item


def service_item_requirements_changed(sender, *, service_item, **kwargs) -> None:
    """Who may serve an item follows from its requirements and department (R3, R4)."""
    scopes_recompute_for_item(service_item=service_item)
