"""Bootstrap 5 form markup written in Python, for the pages that render many fields (My work's
filters, the item page's forms): the same markup crispy-forms' bootstrap5 pack writes (ids,
classes, labels, help and error blocks, `aria-describedby` from Django), without its dozen
templates per field, which cost more than the rest of those pages."""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def bootstrap_form(form: forms.Form) -> SafeString:
    """The whole form, as `{{ form|crispy }}` writes it: its errors not tied to a field, then
    each field."""
    parts = [_non_field_errors(form)]
    parts.extend(bootstrap_field(field) for field in form)
    return mark_safe(" ".join(parts))


@register.filter
def bootstrap_field(field: BoundField) -> SafeString:
    """One field, as `{{ field|as_crispy_field }}` writes it."""
    if field.is_hidden:
        return SafeString(str(field))
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return _radios(field)
    if isinstance(widget, forms.FileInput):
        inner = format_html(
            "<div{}>{}{}</div>",
            mark_safe(' class="is-invalid"') if field.errors else "",
            _control(field, "form-control", with_widget_class=False),
            _help_and_errors(field),
        )
    else:
        kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
        inner = _control(field, kind) + _help_and_errors(field)
    return format_html(
        '<div id="div_{}" class="mb-3">{} {}</div>', field.auto_id, _label(field, "label"), inner
    )


def _control(field: BoundField, kind: str, *, with_widget_class: bool = True) -> SafeString:
    widget = field.field.widget
    classes = widget.attrs.get("class", "").split()
    if with_widget_class:
        classes.append(type(widget).__name__.lower())
    else:
        classes.insert(0, kind)
    classes += [kind, "is-invalid" if field.errors else ""]
    css = " ".join(dict.fromkeys(name for name in classes if name))
    return _widget(field, {"class": css})


def _widget(field: BoundField, attrs: dict) -> SafeString:
    """`field.as_widget(attrs)`, with Django's own widgets written here rather than through
    the form renderer's templates (one per option of a select): the same markup."""
    widget = field.field.widget
    write = _WRITERS.get(widget.template_name)
    if write is None or type(widget).render is not forms.Widget.render or field.field.localize:
        return field.as_widget(attrs=attrs)
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if context.get("is_initial"):  # a file input showing its current file
        return field.as_widget(attrs=attrs)
    return mark_safe(write(context))


def _attrs(attrs: dict) -> str:
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    name = escape(widget["name"])
    return f'<input type="{widget["type"]}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
    )


def _select(widget: dict) -> str:
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        written = "".join(
            f'<option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
            f"{conditional_escape(option['label'])}</option>"
            for option in options
        )
        if group_name:
            written = f'<optgroup label="{conditional_escape(group_name)}">{written}</optgroup>'
        groups.append(written)
    name = escape(widget["name"])
    return f'<select name="{name}"{_attrs(widget["attrs"])}>{"".join(groups)}</select>'


_WRITERS = {
    f"django/forms/widgets/{name}.html": _input
    for name in ("text", "number", "date", "email", "url", "hidden", "clearable_file_input")
} | {
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


def _label(field: BoundField, tag: str, extra_class: str = "") -> SafeString:
    if not field.label:
        return SafeString("")
    required = field.field.required
    css = "form-label" + (" requiredField" if required else "") + extra_class
    target = format_html(' for="{}"', field.id_for_label) if field.id_for_label else ""
    return format_html(
        '<{}{} class="{}">{}{}</{}>',
        tag,
        target,
        css,
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
        tag,
    )


def _help_and_errors(field: BoundField) -> SafeString:
    return _errors(field) + _help(field)


def _errors(field: BoundField) -> SafeString:
    if not field.errors:
        return SafeString("")
    messages = format_html_join(
        "",
        '<p id="error_{}_{}"><strong>{}</strong></p>',
        ((number, field.auto_id, error) for number, error in enumerate(field.errors, 1)),
    )
    return format_html(
        ' <div id="{}_error" class="invalid-feedback">{}</div>', field.auto_id, messages
    )


def _help(field: BoundField) -> SafeString:
    if not field.help_text:
        return SafeString("")
    # As crispy: help text is the form author's markup, not the user's.
    return format_html(
        ' <div id="{}_helptext" class="form-text">{}</div>',
        field.auto_id,
        mark_safe(field.help_text),
    )


def _radios(field: BoundField) -> SafeString:
    invalid = " is-invalid" if field.errors else ""
    options = []
    radios = list(field.subwidgets)
    for position, radio in enumerate(radios, 1):
        attrs = {**radio.data["attrs"]}
        option_id = attrs.pop("id", "")
        flags = format_html_join(
            "",
            ' {}="{}"',
            ((name, value) for name, value in attrs.items() if value not in (True, False, None)),
        ) + mark_safe("".join(f" {name}" for name, value in attrs.items() if value is True))
        options.append(
            format_html(
                '<div class="form-check"><input type="radio" class="form-check-input{}" '
                'name="{}" value="{}" id="{}"{}> <label for="{}" class="form-check-label">'
                "{}</label>{}</div>",
                invalid,
                field.html_name,
                radio.data["value"],
                option_id,
                flags,
                option_id,
                radio.choice_label,
                _errors(field) if position == len(radios) else "",
            )
        )
    describedby = field.aria_describedby
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset{}>{} <div>{}</div>{}</fieldset></div>',
        field.auto_id,
        format_html(' aria-describedby="{}"', describedby) if describedby else "",
        _label(field, "legend", " fs-6"),
        mark_safe("".join(options)),
        _help(field),
    )


def _non_field_errors(form: forms.Form) -> str:
    errors = form.non_field_errors()
    if not errors:
        return ""
    items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
    return f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
