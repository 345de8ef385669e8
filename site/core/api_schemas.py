"""What every API router shares: the error bodies, and limits read from the model fields.

The OpenAPI schema has to say what the server enforces, so request schemas take their limits (maximum
length, integer range, digits) from the columns the values are stored in, and the ingest services check
values against the same columns. Integer ranges are the portable ones (PostgreSQL's): SQLite stores
64-bit integers, but a value that fits only there would fail in production.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from ninja import Field, Schema


class Errors(Schema):
    """Bad input: messages per field (`__all__` for the request as a whole; `[i]` for a record of a batch)."""

    errors: dict[str, list[str]]


class Detail(Schema):
    """Not signed in, no such object, or refused by a check outside the endpoint (CSRF)."""

    detail: str


# A decimal keeps at most a double's precision: SQLite stores decimals as floating point, and the rules
# compute with floats, so a 16th digit would be lost (or, read back from SQLite, fail to convert).
SIGNIFICANT_DIGITS = 15

UNAUTHORIZED = {401: Detail}
NOT_FOUND = {404: Detail}
BAD_REQUEST = {400: Errors}


def integer_range(field: models.Field) -> tuple[int, int]:
    """The values an integer column holds on every supported database."""
    internal = field.get_internal_type()
    low, high = BaseDatabaseOperations.integer_field_ranges.get(internal, (None, None))
    if low is None:  # auto fields are integers of the same width
        low, high = BaseDatabaseOperations.integer_field_ranges[internal.replace("Auto", "Integer")]
    return low, high


def model_field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def id_of(model: type[models.Model], description: str = "") -> Any:
    """A path or query parameter naming a row of `model` by primary key: a positive integer its column holds."""
    _, high = integer_range(model._meta.pk.target_field if model._meta.pk.is_relation else model._meta.pk)
    return Annotated[int, Field(ge=1, le=high, description=description or f"{model._meta.verbose_name} id")]


def constraints(field: models.Field) -> dict[str, Any]:
    """JSON-schema limits of a column, as keyword arguments of ninja's `Field`."""
    if isinstance(field, models.DecimalField):
        bound = Decimal(10) ** (field.max_digits - field.decimal_places)
        return {"max_digits": field.max_digits, "decimal_places": field.decimal_places, "lt": bound, "gt": -bound}
    if isinstance(field, models.IntegerField):
        low, high = integer_range(field)
        return {"ge": low, "le": high}
    if isinstance(field, models.CharField) and field.max_length:
        return {"max_length": field.max_length}
    return {}


def field_error(field: models.Field, value: Any) -> str | None:
    """Why `value` does not fit `field`'s column (too long, out of range, too many digits), or None if it fits."""
    if value is None or value == "":
        return None
    if isinstance(field, models.DecimalField):
        try:
            DecimalValidator(field.max_digits, field.decimal_places)(value)
        except ValidationError as error:
            return " ".join(error.messages)
        if len(value.normalize().as_tuple().digits) > SIGNIFICANT_DIGITS:
            return f"at most {SIGNIFICANT_DIGITS} significant digits"
        return None
    if isinstance(field, models.IntegerField):
        low, high = integer_range(field)
        return None if low <= value <= high else f"must be a whole number from {low} to {high}"
    if isinstance(field, models.CharField) and field.max_length and len(value) > field.max_length:
        return f"at most {field.max_length} characters"
    return None
