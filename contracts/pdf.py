"""The contract as a PDF/A-3b document, ready to be signed: the one module that uses WeasyPrint.

The printed contract is a Chinese legal document whatever language the reader's browser
speaks, so its labels (合同编号, 甲方, 签署页…) are written in Chinese in the print template
itself rather than translated; the site around it is translated as usual.

What the signer relies on (contracts/signing.py): the last page is always the signature page,
and on it the two areas in SIGNATURE_BOXES are left empty for the parties' seals.

Nothing is fetched from outside the machine while a contract is rendered: the stylesheet is
inline, the QR code is a data: URI, fonts come from the system's fontconfig, and the URL
fetcher refuses everything but data: URIs and files in the project's static folder.

WeasyPrint takes seconds to import, so it is imported only when a PDF is made.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string

# Where the parties' seals go on the last page: PDF points, origin at the bottom left,
# (x1, y1, x2, y2). The signing module draws the seal appearances there.
SIGNATURE_BOXES: dict[str, tuple[float, float, float, float]] = {
    "owner": (60, 430, 280, 600),
    "agency": (315, 430, 535, 600),
}

# Serif (宋体-like) reads best in a contract; WenQuanYi Zen Hei is the font every server has
# (scripts/system-deps.sh installs it), so a machine without Noto still renders in Chinese.
FONT_FAMILIES = ("Noto Serif CJK SC", "WenQuanYi Zen Hei")
AUTHOR = "中介超市"
CHINA = ZoneInfo("Asia/Shanghai")

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297  # A4
MARGIN_TOP_MM, MARGIN_RIGHT_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM = 22, 20, 22, 20
# The signature page's content block is this tall; everything on it is placed inside it.
SIGNATURE_PAGE_HEIGHT_MM = 200
_POINT_MM = 25.4 / 72


@dataclass(frozen=True)
class ContractPrint:
    number: str  # e.g. "ZJHT-2026-000123"
    version: int  # 1 for the original, 2.. for amendments
    title: str  # e.g. "环境影响评价文件编制 技术服务合同"
    owner_name: str  # 甲方
    agency_name: str  # 乙方
    project_name: str
    service_name: str
    fee: Decimal
    time_limit_days: int
    # The contract body, plain text: paragraphs separated by blank lines, single newlines
    # kept as line breaks; a line may start with an article number such as "第一条".
    text: str
    verify_url: str  # absolute URL of the public verification page for this contract
    made_at: datetime.datetime  # aware; printed in Asia/Shanghai


def contract_pdf(document: ContractPrint) -> bytes:
    """The contract as PDF/A-3b bytes, A4, with a Chinese font embedded. Raises RuntimeError
    when no Chinese font is installed (WeasyPrint would otherwise print empty boxes)."""
    return html_to_pdf(contract_html(document), contract_css(document))


def html_to_pdf(html: str, css: str) -> bytes:
    """A print page and its stylesheet as PDF/A-3b bytes, fetching nothing remote, with a
    Chinese font embedded; the one place WeasyPrint is called (the credit report uses it too).
    Raises RuntimeError when no Chinese font is installed."""
    from weasyprint import CSS, HTML

    fetcher = local_url_fetcher()
    stylesheet = CSS(string=css, url_fetcher=fetcher)
    rendered = HTML(string=html, url_fetcher=fetcher).render(stylesheets=[stylesheet])
    pdf = rendered.write_pdf(pdf_variant="pdf/a-3b")
    # The document's fonts are known once it is drawn.
    families = {font.family for font in rendered.fonts.values()}
    if not families & set(FONT_FAMILIES):
        raise RuntimeError(
            f"No Chinese font for the PDF (found {sorted(families)}); "
            "run scripts/system-deps.sh to install fonts-wqy-zenhei."
        )
    return pdf


def contract_html(document: ContractPrint) -> str:
    """The print HTML the PDF is made from. Every value is escaped by the template."""
    return render_to_string("contracts/contract_print.html", _print_context(document))


def contract_css(document: ContractPrint) -> str:
    """The print stylesheet: kept out of the page, like every page's style (the site's
    Content-Security-Policy allows no inline style), and drawn from the same facts."""
    return render_to_string("contracts/contract_print.css", _print_context(document))


def _print_context(document: ContractPrint) -> dict[str, Any]:
    if document.made_at.tzinfo is None:
        raise ValueError("made_at must be an aware datetime")
    made_at = document.made_at.astimezone(CHINA)
    return {
        "document": document,
        "fee_figures": f"¥{document.fee:,.2f}",
        "fee_capital": rmb_capital(document.fee),
        "made_at": f"{made_at.year}年{made_at.month}月{made_at.day}日 {made_at:%H:%M}",
        "made_at_iso": made_at.isoformat(timespec="seconds"),
        "paragraphs": _paragraphs(document.text),
        "qr_code": _qr_code(document.verify_url),
        "author": AUTHOR,
        # Unquoted: each family name is a run of CSS identifiers, and quotes would be escaped.
        "fonts": ", ".join(FONT_FAMILIES),
        "page": {
            "margin": f"{MARGIN_TOP_MM}mm {MARGIN_RIGHT_MM}mm {MARGIN_BOTTOM_MM}mm "
            f"{MARGIN_LEFT_MM}mm",
            "signature_height": f"{SIGNATURE_PAGE_HEIGHT_MM}mm",
        },
        "seals": {party: _seal_layout(box) for party, box in SIGNATURE_BOXES.items()},
    }


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿")


def rmb_capital(amount: Decimal) -> str:
    """The amount in Chinese capital numerals (大写金额), without the leading 人民币.

    The rules are those of the People's Bank of China for bills and settlement vouchers
    (《支付结算办法》附件《正确填写票据和结算凭证的基本规定》):

    - 整 follows 元 when the amount ends at 元 (100000 → 壹拾万元整); none follows 角, which
      the rules allow (1409.50 → 壹仟肆佰零玖元伍角), nor 分 (1234.56 → …元伍角陆分).
    - A zero, or a run of zeros, between two non-zero digits is written as one 零
      (1409 → 壹仟肆佰零玖, 6007.14 → 陆仟零柒元壹角肆分). Where 万位 or 元位 is zero and the
      next digit is not, the rules allow 零 or nothing; this writes 零 every time, the form
      that leaves least room for alteration: 107000.53 → 壹拾万零柒仟元零伍角叁分,
      1680.32 → 壹仟陆佰捌拾元零叁角贰分, 10010.5 → 壹万零壹拾元零伍角. When 角 is zero and 分
      is not, 零 after 元 is required: 325.04 → 叁佰贰拾伍元零肆分.
    - Leading and trailing zeros are not written: 0.05 → 伍分, 100000000 → 壹亿元整.
    - 壹拾 is written in full, never 拾 alone (15 → 壹拾伍元整); a group of four zeros drops
      its 万 (100000001 → 壹亿零壹元整); zero is 零元整.

    Raises ValueError for a negative amount, one of 10¹² yuan or more, or one with a fraction
    of a 分 (a contract amount is never rounded silently).
    """
    if not amount.is_finite() or amount < 0 or amount >= 10**12:
        raise ValueError(f"Cannot write {amount} in capital numerals")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has a fraction of a fen")
    if amount == 0:
        return "零元整"
    yuan, rest = divmod(int(cents), 100)
    # Each digit with its place, most significant first: 0 is 元位, -1 角, -2 分.
    integer = str(yuan) if yuan else ""
    digits = list(zip(range(len(integer) - 1, -1, -1), map(int, integer), strict=True))
    digits += [(-1, rest // 10), (-2, rest % 10)]

    words: list[str] = []
    zero_pending = False
    for place, digit in digits:
        if digit == 0:
            zero_pending = bool(words)
        else:
            if zero_pending:
                words.append("零")
                zero_pending = False
            words.append(
                _DIGITS[digit] + (_PLACES[place % 4] if place >= 0 else "角分"[-place - 1])
            )
        if place > 0 and place % 4 == 0 and (yuan // 10**place) % 10**4:
            words.append(_GROUPS[place // 4])
        if place == 0:
            words.append("元")
    if rest == 0:
        words.append("整")
    return "".join(words)


# "第一条", "第十二条", "第3条", "第二章": an article or chapter number opening a line.
_ARTICLE = re.compile(r"^(第[一二三四五六七八九十百零〇两0-9]+[条章节])\s*")
_HEADING_LENGTH = 30


def _paragraphs(text: str) -> list[dict[str, Any]]:
    """The body as paragraphs of lines, each line split into its article number, if any, and
    the rest, so the template shows the number in bold. A paragraph that is one short line
    opening with an article number and not ending a sentence is a heading."""
    paragraphs = []
    normalized = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    for block in re.split(r"\n\s*\n", normalized):
        lines = []
        for line in block.split("\n"):
            match = _ARTICLE.match(line.strip())
            if match:
                lines.append({"article": match.group(1), "text": line.strip()[match.end() :]})
            else:
                lines.append({"article": "", "text": line.rstrip()})
        heading = (
            len(lines) == 1
            and bool(lines[0]["article"])
            and len(lines[0]["text"]) <= _HEADING_LENGTH
            and not lines[0]["text"].endswith(("。", "；", "：", ".", ";", ":"))
        )
        paragraphs.append({"heading": heading, "lines": lines})
    return paragraphs


def _qr_code(url: str) -> str:
    import segno

    # Medium error correction survives a crease or a stamp on a printed copy.
    return segno.make(url, error="m", micro=False).svg_data_uri(border=0, omitsize=True)


def _seal_layout(box: tuple[float, float, float, float]) -> dict[str, str]:
    """CSS offsets in mm, relative to the signature page's content block (which starts at the
    page's top-left margin), that put a seal area exactly on `box` in PDF points."""
    x1, y1, x2, y2 = box
    left = x1 * _POINT_MM - MARGIN_LEFT_MM
    top = PAGE_HEIGHT_MM - y2 * _POINT_MM - MARGIN_TOP_MM
    height = (y2 - y1) * _POINT_MM
    return {
        "left": f"{left:.3f}mm",
        "top": f"{top:.3f}mm",
        "width": f"{(x2 - x1) * _POINT_MM:.3f}mm",
        "height": f"{height:.3f}mm",
        # The label sits on the box's top edge and grows upwards when a long name wraps.
        "label_bottom": f"{SIGNATURE_PAGE_HEIGHT_MM - top + 1.5:.3f}mm",
        "date_top": f"{top + height + 2:.3f}mm",
    }


def local_url_fetcher() -> Any:
    """WeasyPrint's URL fetcher, allowed data: URIs and files in the static folders only; any
    other URL stops the rendering (a contract must not silently lose a part)."""
    return _local_url_fetcher_class()(allowed_protocols=("data", "file"), fail_on_errors=True)


@functools.cache
def _local_url_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class LocalURLFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not (url.startswith("data:") or _is_static_file(url)):
                raise ValueError(f"Refused to fetch {url!r}: a contract loads nothing remote")
            return super().fetch(url, headers)

    return LocalURLFetcher


def _is_static_file(url: str) -> bool:
    parts = urlsplit(url)
    # A file: URL with a host is fetched by urllib over FTP.
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(url2pathname(parts.path)).resolve()
    return any(path.is_relative_to(Path(root).resolve()) for root in settings.STATICFILES_DIRS)
