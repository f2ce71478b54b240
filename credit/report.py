"""The credit report (信用报告): the agency's credit page as a PDF/A-3b document, made by the
contracts' PDF pipeline (contracts.pdf.html_to_pdf: fonts from fontconfig, nothing fetched
from outside, PDF/A-3b), dated, with 第 X 页 共 Y 页 on every page. It shows exactly what
the page shows: the latest record and the records it names (credit/score_selectors.py)."""

import datetime
import re

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.pdf import AUTHOR, CHINA, FONT_FAMILIES, html_to_pdf
from credit.score_selectors import CreditStatement, history_chart


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_counter_content() -> str:
    """The CSS `content` of the page footer, from one translatable sentence whose
    %(page)s and %(pages)s become the page counters ("第 %(page)s 页 共 %(pages)s 页")."""
    parts = re.split(r"%\((page|pages)\)s", _("Page %(page)s of %(pages)s"))
    return " ".join(
        f"counter({part})" if index % 2 else _css_string(part)
        for index, part in enumerate(parts)
        if part or index % 2
    )


def credit_report_pdf(*, statement: CreditStatement, made_at: datetime.datetime) -> bytes:
    made_at = made_at.astimezone(CHINA)
    context = {
        "statement": statement,
        "agency": statement.agency,
        "chart": history_chart(statement.history),
        "made_on": timezone.localdate(made_at),
        "made_at_iso": made_at.isoformat(timespec="seconds"),
        "author": AUTHOR,
        "fonts": ", ".join(FONT_FAMILIES),
        "page_counter": page_counter_content(),
    }
    return html_to_pdf(
        render_to_string("credit/report/report.html", context),
        render_to_string("credit/report/report.css", context),
    )
