from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from core.snippet_choosers import PermissionCheckedChooserViewSet
from monitoring.models import RuleSetting
from monitoring.rules.registry import RULES


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


class RuleSettingViewSet(SnippetViewSet):
    model = RuleSetting
    chooser_viewset_class = PermissionCheckedChooserViewSet
    icon = "cogs"
    menu_label = _("Monitoring rules")
    add_to_settings_menu = True
    list_display = ["code", "enabled", "severity"]
    edit_handler = ObjectList(
        [FieldPanel("code"), FieldPanel("enabled"), FieldPanel("severity"), FieldPanel("params")],
        base_form_class=RuleSettingForm,
    )


register_snippet(RuleSettingViewSet)
