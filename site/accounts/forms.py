"""Wagtail admin forms for users: staff get a display name and a jurisdiction."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from regions.models import Region

STAFF_FIELDS = {"display_name", "jurisdiction", "is_jurisdiction_lead", "organisation", "organisation_code"}


class _JurisdictionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.code} {obj.full_name}"


def _jurisdiction_field() -> forms.ModelChoiceField:
    # Provinces and cities: staff are posted to a level that has its own people's congress or commission.
    return _JurisdictionField(
        queryset=Region.objects.select_related("parent__parent").exclude(level="county").order_by("code"),
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
