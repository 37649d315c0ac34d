"""Number formats for the toolkit's pages."""

from django import template

register = template.Library()


@register.filter
def pct(value):
    """0.853 → 85%; None (nothing to divide) → a dash with words for screen readers."""
    if value is None or value == "":
        return "–"
    return f"{float(value):.0%}"


@register.filter
def money(value):
    if value is None or value == "":
        return "–"
    return f"{float(value):,.0f}"


@register.filter
def years(value):
    if value is None:
        return "not within the plan"
    return f"{float(value):.1f} years"


@register.filter
def widget_kind(bound_field) -> str:
    """How _field.html lays a field out: checkboxes, radios, checkbox (single) or input."""
    from django import forms

    w = bound_field.field.widget
    if isinstance(w, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(w, forms.RadioSelect):
        return "radios"
    if isinstance(w, forms.CheckboxInput):
        return "checkbox"
    return "input"
