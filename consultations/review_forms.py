"""Forms of the legislators' review screens (themes, clustering, search)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from consultations.models import COMMENTABLE_KINDS, CommentStatus, DraftPage, Provision, Stance, Theme

MAX_CLUSTERS = 200


class RenameThemeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ManyOptionsSelect(forms.Select):
    """A select of hundreds of options (a draft of 400,000 comments has some 900 themes), written out directly:
    Django renders each option through a template of its own, about a millisecond each."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class MergeThemeForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Merge into"), queryset=Theme.objects.none(), widget=ManyOptionsSelect)

    def __init__(self, *args, theme: Theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Theme.objects.filter(draft_id=theme.draft_id).exclude(pk=theme.pk)
        self.fields["target"].label_from_instance = lambda t: f"{t.title} · {t.get_decision_display()}"


class SplitThemeForm(forms.Form):
    title = forms.CharField(label=_("Title of the new theme"), max_length=200)


class ClusterForm(forms.Form):
    k = forms.IntegerField(
        label=_("Number of themes"),
        required=False,
        min_value=2,
        max_value=MAX_CLUSTERS,
        help_text=_("Leave empty to let the clustering choose."),
    )
    full = forms.BooleanField(
        label=_("Recompute from scratch"),
        required=False,
        help_text=_("Otherwise new comments join the existing themes."),
    )


def _articles(draft: DraftPage):
    return Provision.objects.filter(version__draft=draft, kind__in=COMMENTABLE_KINDS).select_related("version")


class CommentSearchForm(forms.Form):
    """Full-text search within one draft's comments, with the filters legislators use."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    provision = forms.ModelChoiceField(label=_("Article"), queryset=Provision.objects.none(), required=False)
    stance = forms.ChoiceField(label=_("Stance"), choices=[("", "—"), *Stance.choices], required=False)
    region = forms.RegexField(
        label=_("Region code"),
        regex=r"^\d{2}(\d{2}){0,2}$",
        required=False,
        help_text=_("A region code or its leading digits, e.g. 11 or 110105"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *CommentStatus.choices], required=False)
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False)
    created_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput)

    def __init__(self, *args, draft: DraftPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provision"].queryset = _articles(draft)
        self.fields["provision"].label_from_instance = lambda p: f"{p.version.label} {p.label}"
        self.fields["theme"].queryset = Theme.objects.filter(draft=draft)

    def clean_region(self) -> str:
        """A province (2 digits), city (4) or county (6) as the 6-digit code the index stores."""
        code = self.cleaned_data.get("region") or ""
        return code.ljust(6, "0") if code else ""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", _("The end date is before the start date."))
        return cleaned

    def search_filters(self) -> dict:
        data = self.cleaned_data
        filters = {
            "provision": data["provision"].pk if data.get("provision") else None,
            "stance": data.get("stance") or None,
            "region": data.get("region") or None,
            "status": data.get("status") or None,
            "theme": data["theme"].pk if data.get("theme") else None,
            "created_from": data.get("created_from"),
            "created_to": data.get("created_to"),
        }
        return {name: value for name, value in filters.items() if value is not None}
