"""The contract PDF (contracts/pdf.py): PDF/A-3b with a Chinese font embedded, every page numbered
and carrying the contract number, the body escaped, a last page for the seals whose seal areas
stay empty, nothing fetched from outside the machine, and the amount in capital numerals."""

import datetime
import io
import re
import shutil
import socket
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal

import pypdf
import pytest

from contracts.pdf import (
    SIGNATURE_BOXES,
    ContractPrint,
    contract_html,
    contract_pdf,
    local_url_fetcher,
    rmb_capital,
)
from tests.contracts.factories import print_facts

A4_HEIGHT = 841.89
NUMERALS = "一二三四五六七八九十"
SCRIPT = "<script>alert('x')</script>"


def clauses(count: int) -> str:
    """A body of `count` articles: a heading paragraph, then two paragraphs, one with a line
    break in it."""
    parts = []
    for number in range(1, count + 1):
        tens, units = divmod(number, 10)
        numeral = (NUMERALS[tens - 1] if tens > 1 else "") + ("十" if tens else "")
        numeral += NUMERALS[units - 1] if units else ""
        parts.append(f"第{numeral}条　服务内容")
        parts.append(
            "乙方应当按照国家有关技术规范编制环境影响评价文件，并对成果的真实性负责。\n"
            "甲方应当及时提供编制所需的资料。"
        )
        parts.append("双方应当遵守诚实信用原则，履行通知、协助、保密等义务。" * 6)
    return "\n\n".join(parts)


def contract(**changes) -> ContractPrint:
    """A long contract whose text carries markup, to be escaped when printed."""
    return print_facts(
        **{"text": clauses(12) + f"\n\n违约条款示例：{SCRIPT} & <b>粗体</b>", **changes}
    )


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return contract_pdf(contract())


@pytest.fixture(scope="module")
def reader(pdf_bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf_bytes))


def compact(text: str) -> str:
    """Text without whitespace: line breaks fall wherever the layout puts them."""
    return re.sub(r"\s+", "", text)


def test_the_first_page_names_the_contract_the_parties_and_the_fee(reader):
    first = compact(reader.pages[0].extract_text())
    for expected in (
        "环境影响评价文件编制技术服务合同",
        "合同编号：ZJHT-2026-000123",
        "版本：第1版",
        "甲方（委托方）眉山市彭山区示例建设有限公司",
        "乙方（受托方）四川示例工程咨询有限公司",
        "项目名称彭山区示例道路工程",
        "服务事项环境影响评价文件编制",
        "人民币壹拾万元整（¥100,000.00）",
        "20个工作日",
        "2026年3月5日14:30",
        "扫码验证合同真伪",
        "https://zjcs.example.gov.cn/contracts/verify/ZJHT-2026-000123/?v=1&t=8f3a",
    ):
        assert expected in first, expected


def test_the_clauses_are_all_in_the_text_in_order(reader):
    text = compact("".join(page.extract_text() for page in reader.pages))
    positions = [text.index(f"第{numeral}条服务内容") for numeral in ("一", "二", "十", "十二")]
    assert positions == sorted(positions)
    assert "乙方应当按照国家有关技术规范编制环境影响评价文件" in text
    assert text.index("（以下无正文）") < text.index("签署页")


def test_a_chinese_font_is_embedded(reader):
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
                    embedded.add(str(descriptor["/FontName"]))
    assert any("WenQuanYi" in name or "Noto" in name for name in embedded), embedded


def test_every_page_says_which_page_of_how_many_and_the_contract_number(reader):
    count = len(reader.pages)
    assert count >= 3
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        found = re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", text)
        assert found == [(str(number), str(count))], (number, found)
        assert "合同编号：ZJHT-2026-000123" in compact(text)


def test_the_pdf_identifies_itself_as_pdf_a_3b(reader):
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    root = ET.fromstring(xmp)  # noqa: S314 (the PDF made above, not untrusted input)
    pdfaid = "{http://www.aiim.org/pdfa/ns/id/}"
    identifications = [
        (element.get(f"{pdfaid}part"), element.get(f"{pdfaid}conformance"))
        for element in root.iter()
        if element.get(f"{pdfaid}part")
    ]
    assert identifications == [("3", "B")]
    assert reader.pdf_header == "%PDF-1.7"
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_the_metadata_names_the_contract_and_the_marketplace(reader):
    metadata = reader.metadata
    assert metadata.title == "环境影响评价文件编制 技术服务合同"
    assert metadata.author == "中介超市"
    assert "ZJHT-2026-000123" in metadata.subject
    assert metadata["/Keywords"] == "ZJHT-2026-000123"
    assert metadata.creation_date == datetime.datetime(
        2026, 3, 5, 14, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )


def text_runs(page: pypdf.PageObject) -> list[tuple[str, float, float, float]]:
    """Each text run on the page with its baseline origin in PDF points and its font size."""
    runs = []

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        runs.append((text.strip(), x, y, size * abs(cm[3] * tm[3])))

    page.extract_text(visitor_text=visit)
    return runs


def test_the_last_page_is_the_signature_page_with_empty_seal_areas(reader):
    last = reader.pages[-1]
    text = compact(last.extract_text())
    assert "签署页" in text
    assert "可靠的电子签名" in text
    assert "服务内容" not in text  # no clause spills onto it
    assert text.count("签署日期：以电子签名时间戳为准") == 2

    runs = text_runs(last)
    for text_run, x, y, size in runs:
        # A generous outline of the run: full-width glyphs, descenders below the baseline.
        left, right = x, x + size * len(text_run)
        bottom, top = y - 0.3 * size, y + size
        for party, (x1, y1, x2, y2) in SIGNATURE_BOXES.items():
            overlaps = left < x2 and right > x1 and bottom < y2 and top > y1
            assert not overlaps, (party, text_run, x, y)


def test_each_seal_label_sits_on_its_seal_area(reader):
    runs = text_runs(reader.pages[-1])
    for label, party in (("甲方（盖章）：", "owner"), ("乙方（盖章）：", "agency")):
        x1, _y1, _x2, y2 = SIGNATURE_BOXES[party]
        (x, y) = next((x, y) for text, x, y, _ in runs if text.startswith(label))
        assert x == pytest.approx(x1, abs=0.5)
        assert y2 < y < y2 + 40  # just above the area (a long name wraps upwards)


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils is not installed")
def test_nothing_at_all_is_drawn_in_the_seal_areas(pdf_bytes, reader):
    from PIL import Image

    # At 72 dpi one pixel is one PDF point.
    page = str(len(reader.pages))
    command = [shutil.which("pdftoppm"), "-f", page, "-l", page, "-r", "72", "-gray", "-png"]
    png = subprocess.run(command, input=pdf_bytes, capture_output=True, check=True).stdout  # noqa: S603
    image = Image.open(io.BytesIO(png)).convert("L")
    for x1, y1, x2, y2 in SIGNATURE_BOXES.values():
        area = image.crop((x1, round(A4_HEIGHT - y2), x2, round(A4_HEIGHT - y1)))
        assert area.getextrema() == (255, 255)  # white, every pixel


def test_a_short_contract_still_puts_the_signature_page_on_a_page_of_its_own():
    reader = pypdf.PdfReader(io.BytesIO(contract_pdf(contract(text="第一条　双方协商一致。"))))
    assert len(reader.pages) == 2
    assert "第一条" in reader.pages[0].extract_text()
    assert "签署页" in reader.pages[1].extract_text()
    assert "第一条" not in reader.pages[1].extract_text()


def test_html_in_the_body_and_the_names_is_shown_as_text(reader):
    html = contract_html(contract(owner_name="<b>甲</b>公司"))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;甲&lt;/b&gt;公司" in html

    text = "".join(page.extract_text() for page in reader.pages)
    assert f"违约条款示例：{SCRIPT} & <b>粗体</b>" in text


def test_paragraphs_line_breaks_and_article_headings_are_kept():
    html = contract_html(
        contract(text="第一条　服务内容\n\n第一行\n第二行\n\n第二条　乙方应当按期交付。")
    )
    assert '<h2><span class="article">第一条</span>　服务内容</h2>' in html
    assert "<p>第一行<br>第二行</p>" in html
    # An article that is a sentence is a paragraph, its number in bold.
    assert '<p><span class="article">第二条</span>　乙方应当按期交付。</p>' in html


def test_the_same_contract_gives_the_same_bytes(pdf_bytes):
    assert contract_pdf(contract()) == pdf_bytes


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        contract_html(contract(made_at=datetime.datetime(2026, 3, 5, 14, 30)))


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/style.css",
        "ftp://example.com/font.ttf",
        "file:///etc/passwd",
        "file://example.com/static/css/site.css",
    ],
)
def test_the_url_fetcher_refuses_anything_remote_or_outside_the_static_folder(url):
    with pytest.raises(ValueError, match="Refused to fetch"):
        local_url_fetcher().fetch(url)


def test_the_url_fetcher_allows_data_uris_and_static_files(settings):
    assert local_url_fetcher().fetch("data:text/plain,ok").read() == b"ok"
    static_file = settings.STATICFILES_DIRS[0] / "css" / "site.css"
    assert local_url_fetcher().fetch(static_file.as_uri()).read() == static_file.read_bytes()


def test_a_remote_resource_stops_the_rendering_without_touching_the_network(monkeypatch):
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    def no_network(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = HTML(string='<img src="http://example.com/x.png">', url_fetcher=local_url_fetcher())
    with pytest.raises(FatalURLFetchingError):
        html.write_pdf()


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("100000", "壹拾万元整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("100000000", "壹亿元整"),
        ("10010.5", "壹万零壹拾元零伍角"),
        # The examples of the People's Bank of China's rules.
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
        ("107000.53", "壹拾万零柒仟元零伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        # 壹拾 in full, groups of zeros, the edges.
        ("15", "壹拾伍元整"),
        ("10", "壹拾元整"),
        ("100000001", "壹亿零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("1000100000", "壹拾亿零壹拾万元整"),
        ("1.05", "壹元零伍分"),
        ("0", "零元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_rmb_capital(amount, words):
    assert rmb_capital(Decimal(amount)) == words


@pytest.mark.parametrize("amount", ["-1", "0.001", "1000000000000", "NaN"])
def test_rmb_capital_refuses_what_a_contract_cannot_say(amount):
    with pytest.raises(ValueError, match=re.escape(amount)):
        rmb_capital(Decimal(amount))
