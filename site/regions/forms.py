"""The one region picker: a form field and its widget, used wherever a form asks for a place.

With JavaScript (static/regions/picker.js) a person types 徐汇, 徐匯, xuhui or xh and picks "上海市 › 徐汇区" from the
suggestions (GET /api/regions/?q=), or picks province › city › county from the select chain, which fills itself
from /api/regions/<code>/children/. The code travels in a hidden input named after the field.

Without JavaScript it is a plain select chain: the province list is always there, and the button "Show the places
in it" posts the form back with the lists of the places inside the chosen one (the field refuses that post, so
nothing is saved, and says what to do next). The deepest place chosen is the answer.

The field still accepts a bare code under its own name (`region=310104`), as the forms always have.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from regions.codes import NATIONAL_CODE, is_region_code
from regions.models import Region
from regions.selectors import region_index

LEVEL_LABELS = {
    1: _("Province"),
    2: _("City or district"),
    3: _("District or county"),
}


class PickedRegion(str):
    """What the widget read from the form: the code of the deepest place chosen, and what else was asked."""

    narrow: bool = False  # the person asked for the places inside the chosen one (the no-script step)
    conflict: str = ""  # a lower list kept a place that is not inside the one chosen above it

    @classmethod
    def of(cls, code: str, *, narrow: bool = False, conflict: str = "") -> PickedRegion:
        picked = cls(code)
        picked.narrow, picked.conflict = narrow, conflict
        return picked


class RegionPicker(forms.Widget):
    template_name = "regions/picker.html"

    def __init__(self, attrs=None, *, levels: int = 3, include_country: bool = False):
        super().__init__(attrs)
        self.levels = levels
        self.include_country = include_country

    @staticmethod
    def level_name(name: str, level: int) -> str:
        return f"{name}_{level}"

    def _options_html(self, index, level: int, parent: str | None, options, selected: str):
        """The <option>s of one list, kept with the index: a draft page carries one picker per article."""
        cache = index.render_cache
        key = (level, parent, selected, self.levels, self.include_country)
        if key not in cache:
            if len(cache) > 2000:
                cache.clear()
            cache[key] = format_html_join(
                "",
                "<option value={}{}>{}",
                ((p.code, " selected" if p.code == selected else "", p.name) for p in options),
            )
        return cache[key]

    def value_from_datadict(self, data, files, name):
        narrow = f"{name}_narrow" in data
        code = (data.get(name) or "").strip()
        if code:  # the hidden input the script fills, or a code posted by another client
            return PickedRegion.of(code, narrow=narrow)
        chosen = [(data.get(self.level_name(name, level)) or "").strip() for level in range(1, self.levels + 1)]
        index = region_index()
        deepest, conflict = "", ""
        for code in chosen:
            if not code:
                break
            if deepest and deepest != NATIONAL_CODE and deepest not in {p.code for p in index.chain(code)}:
                conflict = code
                break
            deepest = code
        return PickedRegion.of(deepest, narrow=narrow, conflict=conflict)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and self.level_name(name, 1) not in data

    def format_value(self, value):
        if isinstance(value, Region):
            return value.code
        return str(value) if value else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        index = region_index()
        code = widget["value"] or ""
        chain = [place.code for place in index.chain(code)]
        if code == NATIONAL_CODE:
            chain = [NATIONAL_CODE]
        base_id = widget["attrs"].get("id") or f"id_{name}"
        selects = []
        parent: str | None = None
        for level in range(1, self.levels + 1):
            if level == 1:
                options = list(index.children(None))
                if self.include_country and index.country is not None:
                    options.insert(0, index.country)
            elif parent and parent != NATIONAL_CODE:
                options = index.children(parent)
            else:
                options = []
            if self.levels < 3:  # no counties (nor a municipality's districts)
                options = [place for place in options if not place.is_county]
            selected = chain[level - 1] if len(chain) >= level else ""
            selects.append(
                {
                    "level": level,
                    "name": self.level_name(name, level),
                    "id": base_id if level == 1 else f"{base_id}_{level}",
                    "label": LEVEL_LABELS[level],
                    "options": bool(options),
                    # Built here rather than looped in the template: a draft page carries one picker per article.
                    "options_html": self._options_html(index, level, parent, options, selected),
                    "selected": selected,
                }
            )
            parent = selected or None
        place = index.get(code)
        try:
            suggest_url = reverse("api:suggest_regions")
        except NoReverseMatch:  # pragma: no cover - the API is always mounted in this project
            suggest_url = ""
        widget.update(
            {
                "base_id": base_id,
                "selects": selects,
                "chosen_label": place.label if place else "",
                "suggest_url": suggest_url,
                "levels": self.levels,
                "include_country": self.include_country,
                "required": widget["attrs"].get("required", False),
            }
        )
        return context

    def id_for_label(self, id_):
        return id_


class RegionField(forms.Field):
    """A place of the GB/T 2260 list, picked by name or from lists; cleans to a `Region` (or None)."""

    widget = RegionPicker
    default_error_messages = {
        "required": _("Choose a place: type its name, or pick the province and then the city or county."),
        "unknown": _("We know no place with the code %(code)s. Type the place's name or pick it from the lists."),
        "unnamed": _("We know no place called “%(name)s”. Type part of its name and pick it from the suggestions."),
        "ambiguous": _(
            "Several places are called “%(name)s”: pick the one you mean from the suggestions or the lists."
        ),
        "too_fine": _("Choose a province or a city here, not a county or district."),
        "conflict": _("%(lower)s is not in %(upper)s. Pick the place again from the lists."),
        "narrow": _(
            "Now pick a place inside %(name)s from the lists below, or send the form as it is to keep %(name)s."
        ),
        "narrow_empty": _("Pick a province first, then press “Show the places in it”."),
    }

    def __init__(self, *, levels: int = 3, include_country: bool = False, **kwargs):
        self.levels = levels
        kwargs.setdefault("widget", RegionPicker(levels=levels, include_country=include_country))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.code if isinstance(value, Region) else value

    def to_python(self, value) -> Region | None:
        code = str(value or "").strip()
        if not code:
            return None
        if not is_region_code(code):
            # A name posted by a client without the script (上海市徐汇区): accepted when it names one place only.
            named = region_index().named(code)
            if len(named) != 1:
                error = "ambiguous" if named else "unnamed"
                raise ValidationError(self.error_messages[error], code=error, params={"name": code[:40]})
            code = named[0].code
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown", params={"code": code[:12]})
        if self.levels < 3 and not code.endswith("00"):
            raise ValidationError(self.error_messages["too_fine"], code="too_fine")
        return region

    def clean(self, value):
        index = region_index()
        if getattr(value, "conflict", ""):
            upper, lower = index.get(str(value)), index.get(value.conflict)
            raise ValidationError(
                self.error_messages["conflict"],
                code="conflict",
                params={"lower": lower.name if lower else value.conflict, "upper": upper.name if upper else value},
            )
        if getattr(value, "narrow", False):
            # The button also answers Enter pressed in a text field (it is the form's first): with a place that has
            # nothing inside it to list (a county), the form goes through as sent.
            place = index.get(str(value))
            if place is None:
                raise ValidationError(self.error_messages["narrow_empty"], code="narrow")
            inside = [c for c in index.children(place.code) if self.levels == 3 or not c.is_county]
            if inside and len(index.chain(place.code)) < self.levels:
                raise ValidationError(self.error_messages["narrow"], code="narrow", params={"name": place.name})
        return super().clean(value)

    def has_changed(self, initial, data):
        return (self.prepare_value(initial) or "") != str(data or "")

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if self.required:
            attrs["required"] = True
        return attrs
