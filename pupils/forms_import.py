from django import forms
from django.conf import settings

ACCEPTED = (".csv", ".xlsx", ".xml", ".txt")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="File to import",
        help_text="A CSV or Excel (.xlsx) export from your MIS, or a common transfer file (.xml).",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(ACCEPTED):
            raise forms.ValidationError(
                "Choose a .csv, .xlsx or .xml file. Old .xls files: save them as .xlsx first."
            )
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is larger than {limit // (1024 * 1024)} MB: split it into smaller files."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload


class ImportConfirmForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
