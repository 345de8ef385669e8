"""Form helpers shared by the apps' thin views."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def errors_into_form(form, error: ValidationError) -> None:
    """Put a service's validation errors on the form's fields (or at the top)."""
    items = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    for field, errors in items:
        for message in errors:
            form.add_error(field if field in form.fields else None, message)
