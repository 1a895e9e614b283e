"""The register's extension point for a decision that takes a pupil off the SEN register
(hooks.off_register_handlers and off_register_previews): handlers run in the decision's
transaction only for N and monitoring, what they did is said back and audited, and the decision
form warns before it is recorded. Fake handlers here: the reviews wiring is tested in
tests/reviews/test_wiring_off_register.py."""

import datetime as dt

import pytest
from django.urls import reverse

from pupils import hooks, services
from pupils.models import StatusDecision
from sencoweb.models import AuditEvent
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def calls(monkeypatch):
    seen = []

    def handler(pupil, decision):
        # Inside the decision's transaction: the decision and the new status are saved.
        assert StatusDecision.objects.filter(pk=decision.pk).exists()
        seen.append((pupil.pk, decision.to_status, pupil.sen_status))
        return ["Support plan 1 ended: left the SEN register."]

    monkeypatch.setattr(hooks, "off_register_handlers", [handler])
    monkeypatch.setattr(
        hooks, "off_register_previews", [lambda pupil: ["Support plan 1 will end."]]
    )
    return seen


def _data(to, **extra):
    return {
        "to_status": to,
        "decided_on": TODAY.isoformat(),
        "reason": "Progress now in line with peers",
        "decided_by": "SENCO",
        **extra,
    }


def _decide(pupil, to, by):
    return services.status_decision_record(
        pupil=pupil,
        to_status=to,
        decided_on=TODAY,
        reason="r",
        evidence="",
        decided_by="SENCO",
        parents_informed=False,
        parents_informed_on=None,
        by=by,
    )


@pytest.mark.parametrize(("start", "to", "runs"), [("K", "N", 1), ("K", "M", 1), ("E", "K", 0)])
def test_handlers_run_only_off_the_register(school, senco, calls, start, to, runs):
    pupil = PupilFactory(school=school, sen_status=start)
    NeedFactory(pupil=pupil)
    decision = _decide(pupil, to, senco.user)
    assert len(calls) == runs
    if runs:
        assert calls == [(pupil.pk, to, to)]
        assert decision.ended == ["Support plan 1 ended: left the SEN register."]
    else:
        assert decision.ended == []


def test_going_onto_the_register_runs_no_handler(school, senco, calls):
    pupil = PupilFactory(school=school, sen_status="N")
    NeedFactory(pupil=pupil)
    assert _decide(pupil, "K", senco.user).ended == []
    assert calls == []


def test_the_decision_says_back_and_audits_what_was_ended(senco, taught_pupil, calls):
    client = client_for(senco)
    response = client.post(
        reverse("pupils:decision_new", args=[taught_pupil.public_id]), _data("N"), follow=True
    )
    page = response.content.decode()
    assert "Amara Okafor: Not on the SEN register." in page
    assert "Support plan 1 ended: left the SEN register." in page
    event = AuditEvent.objects.get(object_type="pupils.StatusDecision")
    assert event.detail == {"closed": ["Support plan 1 ended: left the SEN register."]}


def test_a_decision_that_ends_nothing_has_no_audit_detail(senco, taught_pupil, monkeypatch):
    monkeypatch.setattr(hooks, "off_register_handlers", [lambda pupil, decision: []])
    client = client_for(senco)
    url = reverse("pupils:decision_new", args=[taught_pupil.public_id])
    assert client.post(url, _data("M")).status_code == 302
    assert AuditEvent.objects.get(object_type="pupils.StatusDecision").detail == {}


def _warning(page: str) -> str:
    start = page.find('id="off-register-warning"')
    return "" if start == -1 else page[page.rfind("<div", 0, start) : page.find("</div>", start)]


def test_the_form_warns_while_the_status_chosen_is_off_the_register(senco, taught_pupil, calls):
    client = client_for(senco)
    url = reverse("pupils:decision_new", args=[taught_pupil.public_id])
    warning = _warning(client.get(f"{url}?to=N").content.decode())
    assert "This decision takes Amara Okafor off the SEN register." in warning
    assert "<li>Support plan 1 will end.</li>" in warning
    assert 'data-show-with="#id_to_status" data-show-values="N M"' in warning
    assert " hidden" not in warning
    # The select starts on N for a pupil on SEN support: warned without ?to= as well.
    assert " hidden" not in _warning(client.get(url).content.decode())
    # Another status on the register: there, but hidden until N or M is chosen (app.js).
    assert " hidden>" in _warning(client.get(f"{url}?to=E").content.decode())
    # A form sent back with an error keeps the warning for the status posted.
    response = client.post(url, _data("M", reason=""))
    assert response.status_code == 422
    assert " hidden" not in _warning(response.content.decode())
    assert calls == []  # nothing ended: the decision was not recorded


def test_no_warning_when_nothing_would_end(senco, taught_pupil, monkeypatch):
    monkeypatch.setattr(hooks, "off_register_previews", [lambda pupil: []])
    url = reverse("pupils:decision_new", args=[taught_pupil.public_id])
    assert 'id="off-register-warning"' not in client_for(senco).get(f"{url}?to=N").content.decode()


@pytest.mark.parametrize("who", ["teacher", "ta", "head", "governor", "trustlead"])
def test_only_the_senco_records_a_decision_off_the_register(cast, who, taught_pupil, calls):
    url = reverse("pupils:decision_new", args=[taught_pupil.public_id])
    assert client_for(cast[who]).post(url, _data("N")).status_code == 403
    assert calls == [] and not StatusDecision.objects.exists()


def test_another_school_gets_404(outsider, taught_pupil, calls):
    url = reverse("pupils:decision_new", args=[taught_pupil.public_id])
    assert client_for(outsider).post(url, _data("N")).status_code == 404
    assert client_for(outsider).get(f"{url}?to=N").status_code == 404
    assert calls == []
