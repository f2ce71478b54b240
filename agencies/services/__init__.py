"""Writes for the agency roster, one module per concern; import from here."""

from agencies.services.scope import agency_scope_recompute, scopes_recompute_for_item

__all__ = [
    "agency_scope_recompute",
    "scopes_recompute_for_item",
]
