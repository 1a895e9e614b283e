"""Form widgets shared by the apps."""

from django import forms

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """A browser's date picker (type="date") holding its value as YYYY-MM-DD.

    A date input shows only an ISO value: given the en-GB rendering Django would otherwise use
    (10/02/2027) the browser shows the field blank, so an edit form opened on a saved record
    would submit no date and saving it would erase the date (or refuse a required one). Every
    type="date" input in the project uses this widget; tests/provision/test_edit_forms_keep_dates
    checks them all."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)


def bootstrap_classes(form) -> None:
    """Bootstrap's classes on a form's widgets, for templates that draw fields with as_widget
    (tick-box and radio lists style their own items)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
