"""An agency registers itself, gets one field wrong on the way, and is told so without
losing the scans it had already chosen."""

import re

from playwright.sync_api import expect

from accounts.validators import CREDIT_CODE_ALPHABET, credit_code_derive
from tests.browser.steps import upload

NAME = "四川岷山测绘技术有限公司"
PASSWORD = "Mingshan#2026-reg"
# Named as a scanner names them; the page shows the names back, and a Chinese page is
# checked for Latin words (an upper-case extension reads as a file format).
LICENCE = "营业执照.PNG"
CERTIFICATE = "测绘资质证书.PNG"


def test_agency_registers_after_correcting_one_mistake(page, checks):
    credit_code = credit_code_derive("91511403", NAME)
    # One character off at the end, as when a licence is copied by hand: the check fails.
    mistyped = credit_code[:17] + next(c for c in CREDIT_CODE_ALPHABET if c != credit_code[17])

    # Given the registration page, reached from the sign-in page
    page.goto("/accounts/login/")
    page.get_by_role("link", name="中介机构入驻注册").click()
    expect(page.get_by_role("heading", name="中介机构入驻注册", level=1)).to_be_visible()
    checks.page(page)

    # When the agency fills it in with the credit code mistyped and its scans attached
    page.get_by_label("机构名称").fill(NAME)
    page.get_by_label("统一社会信用代码").fill(mistyped)
    page.get_by_label("法定代表人").fill("罗明")
    page.get_by_label("所在地区").fill("眉山市彭山区")
    page.get_by_label("地址").fill("眉山市彭山区凤鸣街道彭祖大道二段8号")
    page.get_by_label("联系人").fill("罗明")
    page.get_by_label("联系电话").fill("028-38888888")
    page.get_by_label("营业执照扫描件").set_input_files(upload(LICENCE))
    page.get_by_label("用户名").fill("mingshan")
    page.get_by_label("您的姓名").fill("罗明")
    page.get_by_label("电子邮箱").fill("luoming@mingshan.example")
    page.get_by_label(re.compile("^密码")).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    certificate = page.get_by_role("group", name="证书 1")
    certificate.get_by_label("资质").select_option(label="测绘资质")
    certificate.get_by_label("等级").fill("乙级")
    certificate.get_by_label("证书编号").fill("乙测资字51500001")
    certificate.get_by_label("发证机关").fill("四川省自然资源厅")
    certificate.get_by_label("有效期自").fill("2025-03-01")
    certificate.get_by_label("有效期至").fill("2030-02-28")
    certificate.get_by_label("证书扫描件").set_input_files(upload(CERTIFICATE))
    page.get_by_role("button", name="注册").click()

    # Then the one mistake is named at the top and at its field, and both scans are kept
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("统一社会信用代码校验位不正确")
    expect(summary.get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_label("统一社会信用代码")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text(f"已上传：{LICENCE}")).to_be_visible()
    expect(page.get_by_text(f"已上传：{CERTIFICATE}")).to_be_visible()
    expect(page.get_by_label("机构名称")).to_have_value(NAME)
    checks.page(page)

    # When the code is corrected and the passwords, which are never sent back, typed again
    page.get_by_label("统一社会信用代码").fill(credit_code)
    page.get_by_label(re.compile("^密码")).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()

    # Then the agency is registered, waiting for review, and signed in
    expect(page).to_have_url(re.compile(r"/agencies/me/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    expect(page.get_by_text("待审核").first).to_be_visible()
    checks.page(page)
    checks.assert_clean()
