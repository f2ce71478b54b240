import io

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from agencies.models import Practitioner, StaffRegisterEntry
from agencies.services.staff_register import (
    staff_register_conflicts,
    staff_register_import,
    staff_register_import_file,
    staff_register_read,
)
from core.identity import id_number_hash, id_number_last4
from core.tabular import write_xlsx
from tests.agencies.factories import AgencyFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id_number(serial: int) -> str:
    """A valid resident ID number (GB 11643-1999 check character) for tests."""
    body = f"51140319900101{serial:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    class Params:
        id_number = factory.Sequence(lambda n: make_id_number(500 + n % 400))

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"执业人员{n}")
    id_number_hash = factory.LazyAttribute(lambda o: id_number_hash(o.id_number))
    id_number_last4 = factory.LazyAttribute(lambda o: id_number_last4(o.id_number))
    role = Practitioner.Role.TECHNICAL_LEAD


def _csv(rows: list[tuple[str, str]], header=("身份证号", "单位")) -> SimpleUploadedFile:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return SimpleUploadedFile("register.csv", "\n".join(lines).encode("utf-8"), "text/csv")


def test_staff_register_import_is_all_or_nothing_with_row_numbers(regulator_user):
    upload = _csv(
        [
            (make_id_number(1), "眉山市彭山区住房和城乡建设局"),
            ("511403199001010000", "眉山市彭山区自然资源局"),  # wrong check character
            (make_id_number(3), "眉山市彭山区生态环境局"),
            (make_id_number(4), ""),
        ]
    )
    with refused("bad_rows") as caught:
        staff_register_import_file(actor=regulator_user, upload=upload, replace=False)
    assert [error["row"] for error in caught.value.extra["rows"]] == [3, 5]
    assert StaffRegisterEntry.objects.count() == 0
    # The messages name rows, never the numbers themselves.
    assert "511403199001010000" not in str(caught.value.extra)


def test_staff_register_rejects_duplicates_and_missing_columns(regulator_user):
    number = make_id_number(7)
    with refused("bad_rows") as caught:
        staff_register_read(actor=regulator_user, upload=_csv([(number, "甲局"), (number, "乙局")]))
    assert [error["row"] for error in caught.value.extra["rows"]] == [3]
    with refused("bad_file"):
        staff_register_read(
            actor=regulator_user, upload=_csv([(number, "甲局")], header=("号码", "单位"))
        )


def test_id_numbers_are_never_stored_in_clear(regulator_user):
    numbers = [make_id_number(serial) for serial in range(10, 15)]
    upload = _csv([(number, "眉山市彭山区发展和改革局") for number in numbers])
    result = staff_register_import_file(actor=regulator_user, upload=upload, replace=False)
    assert result.created == 5

    table = StaffRegisterEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a fixed table name
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    for number in numbers:
        assert number not in stored
        assert number[:17] not in stored
        assert id_number_hash(number) in stored


def test_an_excel_register_is_read_and_a_replace_removes_people_no_longer_serving(
    regulator_user,
):
    StaffRegisterEntry.objects.create(
        id_number_hash=id_number_hash(make_id_number(20)), department_name="旧单位"
    )
    StaffRegisterEntry.objects.create(
        id_number_hash=id_number_hash(make_id_number(21)), department_name="旧单位"
    )
    content = write_xlsx(
        ["身份证号", "单位"],
        [[make_id_number(21), "新单位"], [make_id_number(22).lower(), "新单位"]],
        title="在职人员",
    )
    upload = SimpleUploadedFile(
        "register.xlsx",
        io.BytesIO(content).getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    result = staff_register_import_file(actor=regulator_user, upload=upload, replace=True)
    assert (result.created, result.updated, result.removed) == (1, 1, 1)
    assert set(StaffRegisterEntry.objects.values_list("department_name", flat=True)) == {"新单位"}
    assert StaffRegisterEntry.objects.filter(
        id_number_hash=id_number_hash(make_id_number(22))
    ).exists()


def test_r4_only_regulators_keep_the_staff_register(approval_user, agency_user):
    upload = _csv([(make_id_number(30), "甲局")])
    for actor, code in (
        (approval_user, "approval_department_may_not_review"),
        (agency_user, "not_regulator"),
    ):
        with refused(code):
            staff_register_read(actor=actor, upload=upload)
        with refused(code):
            staff_register_import(actor=actor, rows=[], replace=False)
    assert StaffRegisterEntry.objects.count() == 0


def test_r4_only_current_practitioners_on_the_register_conflict():
    agency = AgencyFactory()
    serving = PractitionerFactory(agency=agency, id_number=make_id_number(40))
    PractitionerFactory(agency=agency, id_number=make_id_number(41), active=False)
    PractitionerFactory(agency=agency, id_number=make_id_number(42))
    for serial in (40, 41):
        StaffRegisterEntry.objects.create(
            id_number_hash=id_number_hash(make_id_number(serial)), department_name="住建局"
        )
    conflicts = staff_register_conflicts(agency=agency)
    assert [(c.practitioner, c.department_name) for c in conflicts] == [(serving, "住建局")]
