from django.db.models import QuerySet

from accounts.models import Organisation
from accounts.selectors import organisation_list


def agency_public_list() -> QuerySet[Organisation]:
    return organisation_list(kind=Organisation.Kind.AGENCY)
