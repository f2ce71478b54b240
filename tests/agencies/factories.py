import datetime

import factory
from django.utils import timezone

from accounts.models import Role
from agencies.models import Agency, Qualification
from tests.accounts.factories import OrganisationFactory
from tests.catalogue.factories import QualificationTypeFactory


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    organisation = factory.SubFactory(OrganisationFactory, kind=Role.AGENCY)
    legal_representative = "张三"
    status = Agency.Status.ACTIVE


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    agency = factory.SubFactory(AgencyFactory)
    qualification_type = factory.SubFactory(QualificationTypeFactory)
    grade = "甲级"
    number = factory.Sequence(lambda n: f"ZZ-{n:08d}")
    issuer = "四川省自然资源厅"
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    valid_to = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    # Already checked by a regulator, unless a test says otherwise.
    status = Qualification.Status.VERIFIED


# --- registration and self-service helpers -------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def pdf_upload(name: str = "scan.pdf", content: bytes = PDF_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def id_number_with_check(first_17: str) -> str:
    """A well-formed resident ID number (GB 11643) for the given first seventeen digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, ID_WEIGHTS, strict=True))
    return first_17 + "10X98765432"[total % 11]


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "agencies.Practitioner"

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"执业人员{n}")
    id_number_hash = factory.Sequence(lambda n: f"{n:064x}")
    id_number_last4 = "1234"
    role = "staff"
