import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Role
from tests.accounts.factories import OrganisationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_suite_runs_on_postgresql_15_or_newer():
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 150000
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        print(cursor.fetchone()[0])


def test_the_database_itself_refuses_a_duplicate_credit_code():
    first = OrganisationFactory(kind=Role.AGENCY)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(kind=Role.AGENCY, credit_code=first.credit_code)
