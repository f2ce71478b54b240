"""Model contract text (示范合同) in Jinja2's sandbox, limited to the named variables.

Why a sandbox and a whitelist: a template is written in the back office by a department's
staff, and must not reach anything but the contract's own facts. So the environment is
Jinja2's immutable sandbox with no filters, tests, globals or loaders, every variable is a plain
string or number, and a template that uses anything else — an attribute, an index, a call, an
include — is refused when it is saved, not when a contract is made.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NoReturn

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from core.exceptions import ApplicationError

# The variables a template may use, and what each is.
VARIABLES: dict[str, Any] = {
    "contract_number": gettext_lazy("contract number"),
    "owner": gettext_lazy("the project owner (甲方)"),
    "agency": gettext_lazy("the agency (乙方)"),
    "project": gettext_lazy("the project"),
    "service": gettext_lazy("the catalogue item's name"),
    "service_code": gettext_lazy("the catalogue item's code"),
    "fee": gettext_lazy("the fee in yuan, two decimals"),
    "time_limit_days": gettext_lazy("the committed time limit, in working days"),
    "statutory_time_limit_days": gettext_lazy("the item's statutory time limit, in working days"),
}

# What a preview fills them with.
SAMPLE: dict[str, Any] = {
    "contract_number": "ZJHT-2026-0001",
    "owner": "眉山市彭山区示例建设有限公司",
    "agency": "四川示例工程咨询有限公司",
    "project": "彭山区示例道路工程",
    "service": "环境影响评价文件编制",
    "service_code": "PS-ZJ-001",
    "fee": "100000.00",
    "time_limit_days": 20,
    "statutory_time_limit_days": 30,
}

_FORBIDDEN = (
    nodes.Getattr,
    nodes.Getitem,
    nodes.Call,
    nodes.Filter,
    nodes.Test,
    nodes.Include,
    nodes.Import,
    nodes.FromImport,
    nodes.Extends,
    nodes.Macro,
    nodes.Assign,
    nodes.AssignBlock,
)


def _environment() -> ImmutableSandboxedEnvironment:
    # The result is plain text, not HTML: it is escaped where it is shown (the contract page,
    # the printed PDF), so "A&B有限公司" stays itself in the contract. The sandbox and the
    # whitelist, not escaping, are what keep a template to its facts.
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    environment.filters = {}
    environment.tests = {}
    environment.globals = {}
    return environment


def template_check(body: str) -> None:
    """Refuse a template that does not parse, names a variable that does not exist, or uses
    anything beyond the variables. Raises ApplicationError ("template_invalid") with the
    field error on `body`."""
    environment = _environment()
    try:
        tree = environment.parse(body)
    except TemplateSyntaxError as error:
        _refuse(_("Line %(line)d: %(error)s") % {"line": error.lineno, "error": error.message})
    # Both problems at once, so the writer mends the text in one go.
    problems = []
    if any(True for _node in tree.find_all(_FORBIDDEN)):
        problems.append(
            _(
                "A template may only insert the named variables, as {{ fee }}, and use if and "
                "for; attributes, calls, filters, includes and assignments are not allowed."
            )
        )
    try:
        unknown = sorted(meta.find_undeclared_variables(tree) - set(VARIABLES))
    except TemplateError:
        # Compiling for the names fails on a filter or test the sandbox lacks, which the
        # message above already refuses.
        unknown = []
    if unknown:
        problems.append(
            _("Unknown variables: %(names)s. A template may use only: %(known)s.")
            % {"names": "、".join(unknown), "known": "、".join(VARIABLES)}
        )
    if problems:
        _refuse(*problems)


def _refuse(*messages: str) -> NoReturn:
    raise ApplicationError(
        " ".join(messages), code="template_invalid", extra={"body": list(messages)}
    )


def contract_text(body: str, context: Mapping[str, Any]) -> str:
    """The contract's text from a checked template and its facts. A template that parses but
    cannot be filled in — `{% if fee > 1 %}` compares the text of the fee with a number — is
    refused as an invalid one ("template_invalid"), not left to fail as a server error."""
    template_check(body)
    values = {name: _plain(context[name]) for name in VARIABLES}
    try:
        return _environment().from_string(body).render(values)
    except (TemplateError, TypeError, ValueError, ArithmeticError) as error:
        _refuse(_("The template cannot be filled in: %(error)s.") % {"error": error})


def _plain(value: Any) -> str | int:
    # Only strings and numbers reach the sandbox: nothing there has attributes worth having.
    if isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)
