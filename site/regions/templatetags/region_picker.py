from django import template

register = template.Library()


@register.simple_tag
def region_picker(bound_field, id, key="", bound=True):
    """The picker of `bound_field` under the id `id` + `key` (a page with several forms of one kind)."""
    value = bound_field.value() if bound else bound_field.initial
    attrs = {"id": f"{id}{key}", **({"required": True} if bound_field.field.required else {})}
    return bound_field.field.widget.render(bound_field.html_name, value, attrs=attrs)
