from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

PUBLIC_TYPES = (
    ("", _("Everything")),
    ("article", _("Draft articles")),
    ("comment", _("Comments")),
    ("petition", _("Petitions")),
)


class PublicSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False, strip=True)
    type = forms.ChoiceField(label=_("In"), choices=PUBLIC_TYPES, required=False)
    page = forms.IntegerField(min_value=1, max_value=50, required=False)
