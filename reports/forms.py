"""The report channel's forms: the reporter's (filing, follow-up code, added information, evaluation) and the
inspectors' (a step's note, the reason to see an identity)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from regions.forms import RegionField
from reports.models import ReportKind


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


class StaffActionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    transferred_to = forms.CharField(label=_("Transferred to"), required=False, max_length=120)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need to see it?"), max_length=500)
