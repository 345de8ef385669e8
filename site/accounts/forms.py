"""Wagtail admin forms for users: staff get a display name and a jurisdiction."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from regions.forms import RegionField

STAFF_FIELDS = {"display_name", "jurisdiction", "is_jurisdiction_lead", "organisation", "organisation_code"}


def _jurisdiction_field() -> RegionField:
    # The country, provinces and cities: staff are posted to a level that has its own people's congress or commission.
    return RegionField(
        levels=2,
        include_country=True,
        required=False,
        label=_("jurisdiction"),
        help_text=_("Limits the drafts, reports and alerts this staff member sees."),
    )


class StaffUserCreationForm(UserCreationForm):
    jurisdiction = _jurisdiction_field()

    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | STAFF_FIELDS


class StaffUserEditForm(UserEditForm):
    jurisdiction = _jurisdiction_field()

    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | STAFF_FIELDS


class StaffLoginForm(LoginForm):
    """Wagtail's sign-in form, with a translatable password label (Wagtail leaves it as the field name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
