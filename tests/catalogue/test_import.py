import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from catalogue.models import ServiceItem, ServiceItemVersion
from catalogue.services import (
    catalogue_export_table,
    catalogue_import_apply,
    catalogue_import_preview,
    service_item_publish,
)
from core.tabular import write_csv, write_xlsx
from tests.accounts.factories import OrganisationFactory
from tests.catalogue.factories import (
    PublishableServiceItemFactory,
    QualificationRequirementFactory,
    QualificationTypeFactory,
)
from tests.refusals import refused

pytestmark = pytest.mark.django_db

HEADER = [
    "编码",
    "名称",
    "状态",
    "审批部门",
    "对应审批事项",
    "设定依据",
    "法律依据条款",
    "服务时限",
    "收费方式",
    "收费依据",
    "政府定价",
    "指导价上限",
    "参考价下限",
    "参考价上限",
    "申请材料",
    "办理步骤",
    "服务成果",
    "可自行编制",
    "区域评估类别",
    "资质要求",
]


@pytest.fixture
def department(db):
    return OrganisationFactory(name="眉山市彭山区自然资源局", kind=Role.APPROVAL_DEPARTMENT)


@pytest.fixture
def qualifications(db):
    QualificationTypeFactory(name="测绘资质")
    QualificationTypeFactory(name="地质灾害评估资质")


def _row(code, department, **overrides):
    row = {
        "编码": code,
        "名称": f"服务{code}",
        "状态": "",
        "审批部门": department.name,
        "对应审批事项": "建设用地规划许可",
        "设定依据": "《地质灾害防治条例》",
        "法律依据条款": "第二十一条\n第二十二条",
        "服务时限": "20",
        "收费方式": "市场调节价",
        "收费依据": "",
        "政府定价": "",
        "指导价上限": "",
        "参考价下限": "3000",
        "参考价上限": "8000",
        "申请材料": "项目批准文件\n用地红线图",
        "办理步骤": "选取机构\n提交成果",
        "服务成果": "评估报告",
        "可自行编制": "否",
        "区域评估类别": "地质灾害危险性评估",
        "资质要求": "测绘资质:乙级|地质灾害评估资质:丙级",
    }
    row.update(overrides)
    return [row[name] for name in HEADER]


def _csv(rows, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile("catalogue.csv", buffer.getvalue().encode(encoding))


def _apply(user, upload, reason="批量导入"):
    return catalogue_import_apply(
        user=user, upload=upload, effective_date=timezone.localdate(), reason=reason
    )


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_good_csv_file_applies_all_rows(regulator_user, department, qualifications, encoding):
    upload = _csv(
        [
            _row("DZ-001", department),
            _row(
                "DZ-002",
                department,
                状态="已发布",
                收费方式="政府定价",
                政府定价="5000",
                参考价下限="",
                参考价上限="",
            ),
        ],
        encoding=encoding,
    )
    _apply(regulator_user, upload)

    draft = ServiceItem.objects.get(code="DZ-001")
    assert draft.status == ServiceItem.Status.DRAFT
    assert draft.legal_reference_list == ["第二十一条", "第二十二条"]
    assert [
        [r.qualification_type.name for r in group] for group in draft.requirement_alternatives
    ] == [
        ["测绘资质"],
        ["地质灾害评估资质"],
    ]
    published = ServiceItem.objects.get(code="DZ-002")
    assert published.status == ServiceItem.Status.PUBLISHED
    assert published.fee_amount == 5000
    assert published.regional_assessment_kind == "geological_hazard"


def test_an_xlsx_file_imports(regulator_user, department, qualifications):
    content = write_xlsx(HEADER, [_row("DZ-010", department)], title="清单")
    _apply(regulator_user, SimpleUploadedFile("catalogue.xlsx", content))
    assert ServiceItem.objects.get(code="DZ-010").statutory_time_limit_days == 20


def test_one_bad_row_saves_nothing_and_the_preview_names_the_row(
    regulator_user, department, qualifications
):
    upload = _csv(
        [
            _row("DZ-001", department),
            _row("DZ-002", department, 服务时限="三十"),
            _row("DZ-003", department, 审批部门="不存在的局"),
            _row("DZ-004", department, 收费方式="政府定价", 政府定价=""),
            _row("DZ-005", department, 资质要求="测绘资质:特级"),
            _row("DZ-001", department),
        ]
    )
    preview = catalogue_import_preview(
        user=regulator_user, upload=upload, effective_date=timezone.localdate()
    )
    errors = {row.number: " ".join(row.errors) for row in preview.error_rows}
    assert set(errors) == {3, 4, 5, 6, 7}
    assert "服务时限" in errors[3]
    assert "不存在的局" in errors[4]
    assert "政府定价" in errors[5]
    assert "测绘资质" in errors[6]
    assert "DZ-001" in errors[7]

    upload.seek(0)
    with refused("file_has_errors"):
        _apply(regulator_user, upload)
    assert not ServiceItem.objects.exists()


def test_the_preview_page_lists_the_row_and_its_message(
    client, regulator_user, department, qualifications
):
    client.force_login(regulator_user)
    upload = _csv([_row("DZ-001", department), _row("DZ-002", department, 服务时限="0")])
    response = client.post(
        "/admin/service_items/import/",
        {"file": upload, "effective_date": timezone.localdate().isoformat(), "reason": "导入"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<td>3</td>" in page
    assert "DZ-002" in page
    assert "服务时限" in page
    assert not ServiceItem.objects.exists()


def test_the_import_page_applies_a_good_file_after_confirmation(
    client, regulator_user, department, qualifications
):
    client.force_login(regulator_user)
    upload = _csv([_row("DZ-001", department)])
    date = timezone.localdate().isoformat()
    preview = client.post(
        "/admin/service_items/import/", {"file": upload, "effective_date": date, "reason": "导入"}
    )
    assert not ServiceItem.objects.exists()
    token = preview.context["confirm_form"].initial["token"]
    response = client.post(
        "/admin/service_items/import/", {"token": token, "effective_date": date, "reason": "导入"}
    )
    assert response.status_code == 302
    assert ServiceItem.objects.filter(code="DZ-001").exists()


@pytest.mark.parametrize("token", ["", "not a token", "../" + "0" * 32, "A" * 32])
def test_a_confirmation_whose_token_was_not_made_here_imports_nothing(
    client, regulator_user, department, qualifications, token
):
    # Only the uuid4 hex the preview made may reach the cache key: memcached refuses keys
    # with spaces or control characters, which would be a server error.
    client.force_login(regulator_user)
    date = timezone.localdate().isoformat()
    response = client.post(
        "/admin/service_items/import/",
        {"token": token, "effective_date": date, "reason": "导入"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/admin/service_items/import/"
    assert "上传已过期，请重新上传文件。" in [str(m) for m in response.context["messages"]]
    assert not ServiceItem.objects.exists()


def test_importing_changes_to_a_published_item_makes_a_version(
    regulator_user, department, qualifications
):
    _apply(regulator_user, _csv([_row("DZ-001", department, 状态="已发布")]))
    _apply(regulator_user, _csv([_row("DZ-001", department, 服务时限="15")]), reason="压缩时限")
    item = ServiceItem.objects.get(code="DZ-001")
    assert item.statutory_time_limit_days == 15
    latest = item.versions.order_by("-number").first()
    assert latest.reason == "压缩时限"
    assert latest.changed_fields == ["statutory_time_limit_days"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(regulator_user, file_format):
    survey = QualificationTypeFactory(name="测绘资质")
    draft = PublishableServiceItemFactory(owner_may_self_prepare=True, summary="多行\n简介")
    published = PublishableServiceItemFactory(
        fee_mode="government_guidance",
        fee_ceiling="12000.50",
        reference_price_low=None,
        reference_price_high=None,
    )
    QualificationRequirementFactory(service_item=published, qualification_type=survey)
    service_item_publish(user=regulator_user, service_item=published)
    assert draft.pk
    versions_before = ServiceItemVersion.objects.count()

    header, rows = catalogue_export_table(user=regulator_user)
    if file_format == "csv":
        upload = SimpleUploadedFile("export.csv", write_csv(header, rows))
    else:
        upload = SimpleUploadedFile("export.xlsx", write_xlsx(header, rows, title="清单"))
    preview = catalogue_import_preview(
        user=regulator_user, upload=upload, effective_date=timezone.localdate()
    )
    assert not preview.has_errors, [row.errors for row in preview.rows]
    assert preview.changing_rows == []
    assert len(preview.rows) == 2
    upload.seek(0)
    _apply(regulator_user, upload)
    assert ServiceItemVersion.objects.count() == versions_before


def test_only_regulators_import(owner_user, department):
    with refused("not_catalogue_keeper"):
        catalogue_import_preview(
            user=owner_user, upload=_csv([]), effective_date=timezone.localdate()
        )
