from django import forms
from django.utils.translation import gettext_lazy as _

from petitions.models import ReportKind
from petitions.models.petitions import RejectionReason
from regions.forms import RegionField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it about?"), choices=ReportKind.choices, widget=forms.RadioSelect)
    subject_name = forms.CharField(label=_("Name of the person reported (optional)"), max_length=60, required=False)
    subject_post = forms.CharField(label=_("Their post (optional)"), max_length=80, required=False)
    subject_unit = forms.CharField(label=_("Unit"), max_length=120)
    subject_unit_code = forms.CharField(
        label=_("Unit's unified social credit code (optional)"), max_length=18, required=False
    )
    region = RegionField(label=_("Where did it happen?"))
    occurred = forms.CharField(label=_("When did it happen?"), max_length=60, required=False)
    description = forms.CharField(label=_("What happened"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    attachments = MultipleFileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_(
            "Up to 5 files of at most 10 MB: PDF, images, Word, Excel, text, audio or video. They are stored encrypted."
        ),
    )
    identity = forms.ChoiceField(
        label=_("Report by"),
        choices=[("anonymous", _("Anonymously")), ("real_name", _("Real name (handled first)"))],
        widget=forms.RadioSelect,
        initial="anonymous",
    )
    name = forms.CharField(label=_("Your name"), max_length=60, required=False)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        help_text=_("We tell you when the case moves, never what it says."),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Follow-up code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class InformationForm(forms.Form):
    body = forms.CharField(
        label=_("Add information"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(label=_("Files"), required=False)


class EvaluationForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with how it was handled?"),
        choices=[("1", _("Satisfied")), ("0", _("Not satisfied"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    ask_for_review = forms.BooleanField(label=_("Ask for a review"), required=False)
    note = forms.CharField(
        label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


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


class StaffActionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    transferred_to = forms.CharField(label=_("Transferred to"), required=False, max_length=120)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need to see it?"), max_length=500)
