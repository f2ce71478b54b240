from contracts.services.templates import (
    template_finding_answer,
    template_preview,
    template_version_decide,
    template_version_submit,
    template_version_write,
)

__all__ = [
    "template_finding_answer",
    "template_preview",
    "template_version_decide",
    "template_version_submit",
    "template_version_write",
]
