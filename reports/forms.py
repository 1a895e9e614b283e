from django import forms
from django.utils import timezone

from pupils.codes import NcYear
from sencoweb.models import academic_year_label, academic_year_of

from .models import InfoReport


def year_choices():
    this = academic_year_of(timezone.localdate())
    return [(y, academic_year_label(y)) for y in range(this, this - 4, -1)]


def default_report_year() -> int:
    """The annual report usually goes to the autumn meeting: in the autumn term, the year just
    ended; from January, the year in progress."""
    today = timezone.localdate()
    year = academic_year_of(today)
    return year - 1 if today.month >= 9 else year


class GovernorsReportForm(forms.Form):
    year = forms.TypedChoiceField(
        label="School year", coerce=int, choices=year_choices, initial=default_report_year,
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip


class CohortPacksForm(forms.Form):
    year_group = forms.ChoiceField(
        label="Year group", choices=[(c, label) for c, label in NcYear.choices], initial="6",
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip


class PackUploadForm(forms.Form):
    file = forms.FileField(
        label="Transition pack (.json)",
        help_text="The .json file from a SENCo Web transition pack ZIP.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB: is it really a pack?")
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError("Choose the .json file from the pack, not the PDF or ZIP.")
        return upload


class InfoReportForm(forms.ModelForm):
    class Meta:
        model = InfoReport
        fields = [*InfoReport.ITEM_FIELDS, "published"]
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in InfoReport.ITEM_FIELDS}
