from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from core.snippet_choosers import PermissionCheckedChooserViewSet
from monitoring import selectors
from monitoring.models import Alert, RuleSetting
from monitoring.rules import registry
from monitoring.rules.registry import RULES
from monitoring.verdicts import CONFIRMED


class RuleSettingForm(WagtailAdminModelForm):
    """Parameters are checked against the rule's own: known names, numbers where numbers are expected."""

    class Meta:
        model = RuleSetting
        fields = ["code", "enabled", "severity", "params"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code not in RULES:
            raise forms.ValidationError(_("Unknown rule. Known rules: %(codes)s") % {"codes": ", ".join(RULES)})
        return code

    def clean(self):
        cleaned = super().clean()
        rule = RULES.get(cleaned.get("code"))
        params = cleaned.get("params") or {}
        if rule is None or not isinstance(params, dict):
            if not isinstance(params, dict):
                self.add_error("params", _("Parameters are a JSON object."))
            return cleaned
        for name, value in params.items():
            if name not in rule.default_params:
                self.add_error("params", _("Unknown parameter %(name)s.") % {"name": name})
            elif not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                self.add_error("params", _("%(name)s must be a non-negative number.") % {"name": name})
        return cleaned


def _confirmed_share(setting: RuleSetting) -> str:
    """The rule's confirmed share of its decided alerts (all regions), for the listing: "3 / 4 · 75%"."""
    decided = selectors.decided_alerts(Alert.objects.filter(rule_code=setting.code)).values_list("verdict", flat=True)
    verdicts = list(decided)
    confirmed = verdicts.count(CONFIRMED)
    if not verdicts:
        return "—"
    return f"{confirmed} / {len(verdicts)} · {round(confirmed * 100 / len(verdicts))}%"


class RuleSettingIndexView(IndexView):
    """The rule settings, and under them how inspectors decided each rule's alerts, by domain and region."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["verdicts"] = selectors.rule_verdicts(Alert.objects.all())
        return context


class RuleSettingViewSet(SnippetViewSet):
    model = RuleSetting
    chooser_viewset_class = PermissionCheckedChooserViewSet
    index_view_class = RuleSettingIndexView
    index_template_name = "monitoring/admin/rule_settings_index.html"
    index_results_template_name = "monitoring/admin/rule_settings_results.html"
    icon = "cogs"
    menu_label = _("Monitoring rules")
    add_to_settings_menu = True
    list_display = [
        "code",
        Column("title", label=_("Rule"), accessor=lambda setting: registry.title(setting.code)),
        "enabled",
        "severity",
        Column("verdicts", label=_("Confirmed of decided"), accessor=_confirmed_share),
    ]
    edit_handler = ObjectList(
        [FieldPanel("code"), FieldPanel("enabled"), FieldPanel("severity"), FieldPanel("params")],
        base_form_class=RuleSettingForm,
    )


register_snippet(RuleSettingViewSet)
