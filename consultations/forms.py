from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import Sector, Stance
from consultations.services import COMMENT_MAX_LENGTH, QUOTE_MAX_LENGTH
from regions.forms import RegionField

PUBLIC_STANCES = [(value, label) for value, label in Stance.choices if value != Stance.UNSTATED]


class CommentForm(forms.Form):
    provision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    stance = forms.ChoiceField(label=_("Your position"), choices=PUBLIC_STANCES, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Your comment"), max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
    quote = forms.CharField(
        label=_("Quoted passage (optional)"),
        required=False,
        max_length=QUOTE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("Copy the words of the article you comment on")}),
    )
    region = RegionField(label=_("Your region (optional)"), required=False)
    sector = forms.ChoiceField(
        label=_("You comment as (optional)"), choices=[("", "—"), *Sector.choices], required=False
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ImportVersionForm(forms.Form):
    label = forms.CharField(label=_("Version label"), max_length=40, help_text=_("e.g. 一审稿, 二审稿"))
    text = forms.CharField(label=_("Text of the draft"), required=False, widget=forms.Textarea(attrs={"rows": 16}))
    file = forms.FileField(
        label=_("…or upload a file"), required=False, help_text=_("Plain text or Markdown, UTF-8, at most 2 MB")
    )

    MAX_BYTES = 2 * 1024 * 1024

    def clean(self):
        from consultations.parsing import DraftParseError, parse_draft

        cleaned = super().clean()
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        if upload:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError({"file": _("The file is larger than 2 MB.")})
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError({"file": _("The file is not UTF-8 text.")})
        try:
            cleaned["parsed"] = parse_draft(text)
        except DraftParseError as error:
            raise forms.ValidationError({"file" if upload else "text": str(error)})
        cleaned["source"] = text
        return cleaned


class ThemeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    adopted_in = forms.ModelChoiceField(label=_("Adopted in article"), queryset=None, required=False)

    def __init__(self, *args, draft, **kwargs):
        from consultations.models import COMMENTABLE_KINDS, DECIDED, Decision, Provision

        super().__init__(*args, **kwargs)
        # 待处理 first and chosen by default: nobody records 采纳 by leaving the select as it came
        self.fields["decision"].choices = [(Decision.PENDING, Decision.PENDING.label)] + [
            (value, label) for value, label in Decision.choices if value in DECIDED
        ]
        if not self.initial.get("decision"):
            self.initial["decision"] = Decision.PENDING
        self.fields["adopted_in"].queryset = Provision.objects.filter(
            version__draft=draft, kind__in=COMMENTABLE_KINDS
        ).select_related("version")
        self.fields["adopted_in"].label_from_instance = lambda p: f"{p.version.label} {p.label}"

    def clean_decision(self) -> str:
        from consultations.models import DECIDED

        decision = self.cleaned_data["decision"]
        if decision not in DECIDED:
            raise forms.ValidationError(_("Choose adopted, partly adopted or not adopted."))
        return decision
