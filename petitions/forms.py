from django import forms
from django.utils.translation import gettext_lazy as _

from petitions.models.petitions import RejectionReason
from regions.forms import RegionField


class PetitionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    action = forms.CharField(
        label=_("What do you want the government to do?"), max_length=800, widget=forms.Textarea(attrs={"rows": 3})
    )
    background = forms.CharField(
        label=_("Background"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    region = RegionField(label=_("Addressed to the government of"))


class SignatureForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=60)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("We send a link to confirm your signature. It is not published.")
    )
    region = RegionField(label=_("Where you live"))
    notify_by_email = forms.BooleanField(
        label=_("E-mail me when the government responds or the people's congress considers this petition"),
        required=False,
        initial=False,
    )


class ResponseForm(forms.Form):
    text = forms.CharField(
        label=_("Government response"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 10, "class": "wide"}),
        help_text=_("Published on the petition's page and e-mailed to the signers who asked for it."),
    )


class ConsiderationForm(forms.Form):
    considered_on = forms.DateField(label=_("Considered on"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(
        label=_("What the people's congress decided"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "wide"}),
    )
    url = forms.URLField(
        label=_("Link to the record (optional)"), max_length=500, required=False, assume_scheme="https"
    )


class RejectPetitionForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectionReason.choices)
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
