"""The unfair-clause checker (霸王条款): a documented rule set run on every template version.

Each rule has a severity, an explanation and the legal point it rests on; it reads the text
the template gives with the preview's sample facts, and the item's fee standard and statutory
time limit. The model contracts name the owner 甲方 and the agency 乙方. A finding of high
severity must be answered before the version can be approved (contracts.services).

The rules read Chinese contract language with patterns, so they flag what deserves a human
look, not a verdict: a clause can be written so that no pattern sees it, and that is why every
version still needs the regulator's approval.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

HIGH = "high"
MEDIUM = "medium"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: Any
    explanation: Any
    legal_basis: Any
    find: Callable[[str, dict[str, Any]], list[str]]


def _matches(*patterns: str) -> Callable[[str, dict[str, Any]], list[str]]:
    compiled = [re.compile(pattern) for pattern in patterns]

    def find(text: str, facts: dict[str, Any]) -> list[str]:
        return [match.group(0) for pattern in compiled for match in pattern.finditer(text)]

    return find


def _agency_only_termination(text: str, facts: dict[str, Any]) -> list[str]:
    agency = re.findall(r"乙方[^。；\n]{0,10}有权[^。；\n]{0,10}(?:解除|终止)[^。；\n]*", text)
    owner = re.search(r"甲方[^。；\n]{0,10}有权[^。；\n]{0,10}(?:解除|终止)", text)
    return agency if agency and not owner else []


_AMOUNT = re.compile(r"(?:人民币|￥|¥)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*元")
_DAYS = re.compile(r"([0-9]+)\s*个?工作日")


def _fee_outside_standard(text: str, facts: dict[str, Any]) -> list[str]:
    ceiling = facts.get("fee_ceiling")
    if ceiling is None:
        return []
    found = []
    for match in _AMOUNT.finditer(text):
        try:
            amount = Decimal(match.group(1).replace(",", ""))
        except InvalidOperation:
            continue
        if amount > ceiling:
            found.append(match.group(0))
    return found


def _time_limit_too_long(text: str, facts: dict[str, Any]) -> list[str]:
    limit = facts.get("statutory_time_limit_days")
    if not limit:
        return []
    return [match.group(0) for match in _DAYS.finditer(text) if int(match.group(1)) > limit]


RULES: tuple[Rule, ...] = (
    Rule(
        "agency_only_termination",
        HIGH,
        _("Only the agency may terminate"),
        _("The agency may end the contract, the owner may not."),
        _(
            "Civil Code art. 497: a standard term that limits the other party's main rights "
            "is void."
        ),
        _agency_only_termination,
    ),
    Rule(
        "unlimited_owner_liability",
        HIGH,
        _("Unlimited liability or penalty for the owner"),
        _("The owner bears all losses or a penalty without limit."),
        _(
            "Civil Code arts. 497 and 585: a term that aggravates the other party's liability "
            "is void; an excessive penalty may be reduced."
        ),
        _matches(
            r"甲方[^。；\n]{0,20}(?:承担|赔偿)[^。；\n]{0,6}(?:全部|一切|无限)[^。；\n]*",
            r"违约金[^。；\n]{0,20}(?:不设上限|不受限制|无上限)[^。；\n]*",
        ),
    ),
    Rule(
        "fee_above_standard",
        HIGH,
        _("A fee above the item's fee standard"),
        _("An amount in the text is above the ceiling the catalogue sets for this item."),
        _("Price Law art. 12, and the fee standard the catalogue publishes for the item."),
        _fee_outside_standard,
    ),
    Rule(
        "payment_before_delivery",
        HIGH,
        _("Full payment before delivery"),
        _("The whole fee is due before the work is delivered and accepted."),
        _("Civil Code arts. 497 and 525–526: payment follows performance in a fair exchange."),
        _matches(
            r"(?:签订|签署)[^。；\n]{0,10}(?:后|之日起)[^。；\n]{0,20}(?:支付|付清)[^。；\n]{0,4}"
            r"(?:全部|全额|100%)[^。；\n]*",
            r"一次性(?:支付|付清)(?:全部|全额)[^。；\n]*",
        ),
    ),
    Rule(
        "automatic_renewal",
        MEDIUM,
        _("Automatic renewal"),
        _("The contract renews itself unless someone acts."),
        _(
            "Civil Code art. 496: a standard term that matters to the other party must be "
            "pointed out."
        ),
        _matches(r"自动(?:续约|续期|续签|延期)[^。；\n]*"),
    ),
    Rule(
        "waiver_of_statutory_rights",
        HIGH,
        _("The owner waives statutory rights"),
        _("The owner gives up a right the law gives it: to claim, to sue, to object."),
        _("Civil Code art. 497(3): a term excluding the other party's main rights is void."),
        _matches(r"甲方[^。；\n]{0,10}(?:放弃|不得行使|不得主张)[^。；\n]*"),
    ),
    Rule(
        "jurisdiction_at_agency_seat",
        MEDIUM,
        _("Courts only at the agency's seat"),
        _("Disputes go only to the court where the agency is, far from the project."),
        _("Civil Procedure Law art. 35 with Civil Code art. 496: such a choice must be fair."),
        _matches(r"(?:由|提交)?乙方所在地[^。；\n]{0,6}法院[^。；\n]*管辖[^。；\n]*"),
    ),
    Rule(
        "time_limit_above_statutory",
        HIGH,
        _("A time limit longer than the statutory one"),
        _("A period in the text is longer than the item's statutory time limit."),
        _(
            "The catalogue item's statutory time limit, which a contract may shorten, never "
            "lengthen."
        ),
        _time_limit_too_long,
    ),
)


def clause_findings(text: str, facts: dict[str, Any]) -> list[dict[str, Any]]:
    """Every rule's findings in the text: [{"code", "severity", "excerpt", "answer": ""}]."""
    return [
        {"code": rule.code, "severity": rule.severity, "excerpt": excerpt, "answer": ""}
        for rule in RULES
        for excerpt in dict.fromkeys(rule.find(text, facts))
    ]


def rule(code: str) -> Rule:
    return next(each for each in RULES if each.code == code)
