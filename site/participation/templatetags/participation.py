from django import template

from participation.services import is_following

register = template.Library()


@register.inclusion_tag("participation/_follow.html", takes_context=True)
def follow_button(context, subject: str, object_id: int):
    """A button to follow (or stop following) a draft or a petition; signed-out visitors are asked to sign in."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "subject": subject,
        "object_id": object_id,
        "signed_in": getattr(user, "is_authenticated", False),
        "following": is_following(user, subject, object_id),
    }
