from django import forms

from .models import AuditEvent
from .widgets import DateInput


class AuditFilterForm(forms.Form):
    who = forms.CharField(label="User name", required=False)
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AuditEvent.Action.choices], required=False
    )
    pupil = forms.UUIDField(label="Pupil record ID", required=False)
    since = forms.DateField(label="From", required=False, widget=DateInput())
    until = forms.DateField(label="To", required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date must be on or after the start date.")
        return data

    def filter(self, events):
        data = self.cleaned_data
        if data.get("who"):
            events = events.filter(username__icontains=data["who"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("pupil"):
            events = events.filter(pupil_id=data["pupil"])
        if data.get("since"):
            events = events.filter(at__date__gte=data["since"])
        if data.get("until"):
            events = events.filter(at__date__lte=data["until"])
        return events
