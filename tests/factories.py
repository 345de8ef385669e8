from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import assign_role

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A member of the public with a verified e-mail; `role=Role.X` makes staff of that role."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.cn")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            assign_role(obj, extracted)
