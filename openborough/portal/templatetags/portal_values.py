"""``{{ value|ob_value }}`` and ``{{ value|ob_value:column }}``: a statistic or cell value written for
people by :mod:`openborough.portal.formatting` (with the column, by its type and name)."""

from __future__ import annotations

from django import template

from ...soql.types import SoQLType
from .. import formatting

register = template.Library()


@register.filter
def ob_value(value, column=None) -> str:
    if column is None:
        return formatting.value(value)
    try:
        kind = SoQLType(str(getattr(column, "type", "")))
    except ValueError:
        kind = None
    return formatting.value(value, kind, getattr(column, "field_name", "") or getattr(column, "name", ""))
