import factory

from accounts.models import Organisation, Role, User
from accounts.services import user_create
from accounts.validators import credit_code_derive

TEST_PASSWORD = "Correct-Horse-Battery-9"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试机构{n:04d}有限公司")
    kind = Role.AGENCY
    credit_code = factory.LazyAttribute(lambda o: credit_code_derive("91511403", o.name))
    region = "眉山市彭山区"


class UserFactory(factory.Factory):
    """Users are made through the service, so they get their role group and object
    permissions exactly as real sign-ups do."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = TEST_PASSWORD
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    display_name = factory.LazyAttribute(lambda u: f"测试用户 {u.username}")
    is_organisation_admin = True

    @classmethod
    def _create(cls, model_class, **kwargs):
        return user_create(**kwargs)
