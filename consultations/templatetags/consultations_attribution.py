"""`{% attribution draft %}` or `{% attribution comments=page_of_comments %}`: says once where imported comments
come from (consultations.attribution)."""

from django import template

from consultations.attribution import draft_notices, notices

register = template.Library()


@register.inclusion_tag("consultations/_attribution.html")
def attribution(draft=None, comments=None, visible_only=True):
    if comments is not None:
        return {"notices": notices(comment.source for comment in comments)}
    return {"notices": draft_notices(draft, visible_only=visible_only) if draft is not None else []}
