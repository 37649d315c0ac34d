"""``{% govuk_field form.x %}``: a Django form field as GOV.UK Frontend markup
(label, hint, error message and the right input), always escaped."""

from __future__ import annotations

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _value(bf) -> str:
    v = bf.value()
    return "" if v is None else str(v)


@register.simple_tag
def govuk_field(bf, label_class="", width=""):
    field = bf.field
    fid = bf.id_for_label or f"id_{bf.html_name}"
    errors = list(bf.errors)
    hint_id = f"{fid}-hint" if field.help_text else ""
    err_id = f"{fid}-error" if errors else ""
    described = " ".join(x for x in (hint_id, err_id) if x)
    aria = format_html(' aria-describedby="{}"', described) if described else ""
    hint = format_html('<div id="{}" class="govuk-hint">{}</div>', hint_id, field.help_text) if hint_id else ""
    err = (
        format_html(
            '<p id="{}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</p>',
            err_id,
            " ".join(str(e) for e in errors),
        )
        if errors
        else ""
    )
    group = "govuk-form-group" + (" govuk-form-group--error" if errors else "")
    widget = field.widget
    label_cls = "govuk-label" + (f" {label_class}" if label_class else "")

    if isinstance(widget, forms.RadioSelect):
        items = format_html_join(
            "",
            '<div class="govuk-radios__item"><input class="govuk-radios__input" id="{}" name="{}" type="radio" value="{}"{}>'
            '<label class="govuk-label govuk-radios__label" for="{}">{}</label></div>',
            (
                # the first radio carries the field's id, so the error summary's link lands on it
                (rid, bf.html_name, v, mark_safe(" checked") if str(v) == _value(bf) else "", rid, label)
                for rid, v, label in (
                    (fid if i == 0 else f"{fid}-{i}", v, label) for i, (v, label) in enumerate(field.choices)
                )
            ),
        )
        return format_html(
            '<div class="{}"><fieldset class="govuk-fieldset"{}><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{}</legend>'
            '{}{}<div class="govuk-radios" data-module="govuk-radios">{}</div></fieldset></div>',
            group, aria, bf.label, hint, err, items,
        )  # fmt: skip
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="{}"><div class="govuk-checkboxes govuk-checkboxes--small"><div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" id="{}" name="{}" type="checkbox" value="on"{}{}>'
            '<label class="govuk-label govuk-checkboxes__label" for="{}">{}</label></div></div>{}{}</div>',
            group, fid, bf.html_name, mark_safe(" checked") if bf.value() else "", aria, fid, bf.label, hint, err,
        )  # fmt: skip
    label = format_html('<label class="{}" for="{}">{}</label>', label_cls, fid, bf.label)
    if isinstance(widget, forms.Select):
        opts = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if str(v) == _value(bf) else "", lab) for v, lab in field.choices),
        )
        control = format_html(
            '<select class="govuk-select{}" id="{}" name="{}"{}>{}</select>',
            " govuk-select--error" if errors else "", fid, bf.html_name, aria, opts,
        )  # fmt: skip
    elif isinstance(widget, forms.Textarea):
        rows = widget.attrs.get("rows", 5)
        control = format_html(
            '<textarea class="govuk-textarea{}" id="{}" name="{}" rows="{}"{}>{}</textarea>',
            " govuk-textarea--error" if errors else "", fid, bf.html_name, rows, aria, _value(bf),
        )  # fmt: skip
    elif isinstance(widget, forms.FileInput):
        control = format_html(
            '<input class="govuk-file-upload{}" id="{}" name="{}" type="file"{}>',
            " govuk-file-upload--error" if errors else "", fid, bf.html_name, aria,
        )  # fmt: skip
    else:
        kind = (
            "password"
            if isinstance(widget, forms.PasswordInput)
            else ("email" if isinstance(field, forms.EmailField) else "text")
        )
        value = "" if kind == "password" else _value(bf)
        autocomplete = {"password": "current-password", "email": "email"}.get(kind, "off")
        if bf.html_name == "username":
            autocomplete = "username"
        control = format_html(
            '<input class="govuk-input{}{}" id="{}" name="{}" type="{}" value="{}" autocomplete="{}"{}{}>',
            " govuk-input--error" if errors else "", f" {width}" if width else "", fid, bf.html_name, kind, value,
            autocomplete, aria, mark_safe(" spellcheck=\"false\"") if kind != "text" else "",
        )  # fmt: skip
    return format_html('<div class="{}">{}{}{}{}</div>', group, label, hint, err, control)


@register.inclusion_tag("portal/_error_summary.html")
def govuk_error_summary(*forms_):
    items = []
    for form in forms_:
        if form is None:
            continue
        for e in form.non_field_errors():
            items.append(("", e))
        for name, errs in form.errors.items():
            if name == "__all__":
                continue
            bf = form[name]
            for e in errs:
                items.append((bf.id_for_label or f"id_{bf.html_name}", e))
    return {"items": items}
