"""An import that takes an existing pupil off the SEN register (K or E to N or monitoring) runs
the off-register hook as a SENCO's status decision does (hooks.on_off_register): once per pupil,
with the decision the import wrote, inside the import's transaction; the preview says what will
end, the result, the done page and the audit what ended. Fake handlers here: the reviews wiring
(support plans ending) is tested in tests/reviews/test_import_off_register.py."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from pupils import hooks, importing
from pupils.models import Pupil, StatusDecision
from sencoweb.models import AuditEvent
from tests.helpers import client_for
from tests.pupils.fixtures.builders import (
    csv_bytes,
    existing_pupil,
    fail_on_row,
    make_upn,
    row,
    row_for,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def calls(monkeypatch):
    seen = []

    def handler(pupil, decision):
        # Inside the import: the decision it wrote and the new status are saved.
        saved = StatusDecision.objects.get(pk=decision.pk)
        seen.append((pupil.upn, saved.from_status, saved.to_status, saved.decided_on))
        assert Pupil.objects.get(pk=pupil.pk).sen_status == decision.to_status
        return [f"Support plan 1 of {pupil.last_name} ended: left the SEN register."]

    monkeypatch.setattr(hooks, "off_register_handlers", [handler])
    monkeypatch.setattr(
        hooks,
        "off_register_previews",
        [lambda pupil: [f"Support plan 1 of {pupil.last_name} will end."]],
    )
    return seen


def _parse(data):
    return importing.parse_file(data, "export.csv", today=TODAY)


def test_k_or_e_to_n_or_monitoring_runs_the_hook_once_per_pupil(school, senco, calls):
    leaving = existing_pupil(school, 1, "K", last_name="Okafor")
    ehc = existing_pupil(school, 2, "E", last_name="Patel")
    staying = existing_pupil(school, 3, "K", last_name="Reid")
    data = csv_bytes(
        [
            row_for(leaving, 1, "N"),
            row_for(ehc, 2, "Monitoring"),
            row_for(staying, 3, "K", Year="6"),  # updated, still on the register
            row(4, **{"SEN provision": "N"}),  # a new pupil: nothing ran for them here
        ]
    )
    result = importing.import_commit(
        school=school, parsed=_parse(data), user=senco.user, today=TODAY
    )
    assert calls == [  # in file order
        (make_upn(1), "K", "N", TODAY),
        (make_upn(2), "E", "M", TODAY),
    ]
    assert [(p.upn, lines) for p, lines in result.ended] == [
        (make_upn(1), ["Support plan 1 of Okafor ended: left the SEN register."]),
        (make_upn(2), ["Support plan 1 of Patel ended: left the SEN register."]),
    ]
    # Each pupil's audit row keeps what ended, as a status decision's does; so does the file's.
    audit_for = AuditEvent.objects.filter(action="import").get
    assert audit_for(pupil_id=leaving.public_id).detail["closed"] == [
        "Support plan 1 of Okafor ended: left the SEN register."
    ]
    assert "closed" not in audit_for(pupil_id=staying.public_id).detail
    assert audit_for(object_type="").detail["closed"] == [
        f"{leaving.display_name}: Support plan 1 of Okafor ended: left the SEN register.",
        f"{ehc.display_name}: Support plan 1 of Patel ended: left the SEN register.",
    ]


def test_the_plan_says_what_will_end_and_only_for_pupils_leaving(school, senco, calls):
    leaving = existing_pupil(school, 1, "K", last_name="Okafor")
    staying = existing_pupil(school, 2, "E", last_name="Patel")
    data = csv_bytes([row_for(leaving, 1, "N"), row_for(staying, 2, "K")])
    plan = importing.import_plan(school=school, parsed=_parse(data))
    by_upn = {item.incoming.upn: item for item in plan.items}
    assert by_upn[make_upn(1)].ending == ["Support plan 1 of Okafor will end."]
    assert by_upn[make_upn(2)].ending == [] and not by_upn[make_upn(2)].leaves_register
    assert plan.ending == [by_upn[make_upn(1)]]
    assert calls == []  # planning ends nothing


def test_an_import_that_keeps_the_pupil_on_the_register_runs_nothing(school, senco, calls):
    pupil = existing_pupil(school, 1, "K")
    data = csv_bytes([row_for(pupil, 1, "K", Year="6")])
    result = importing.import_commit(
        school=school, parsed=_parse(data), user=senco.user, today=TODAY
    )
    assert calls == [] and result.ended == []
    assert len(result.updated) == 1


def test_mis_n_for_a_monitored_pupil_changes_nothing_and_runs_nothing(school, senco, calls):
    pupil = existing_pupil(school, 1, "M")
    data = csv_bytes([row_for(pupil, 1, "N", **{"Primary need": ""})])
    plan = importing.import_plan(school=school, parsed=_parse(data))
    assert [item.ending for item in plan.items] == [[]]
    importing.import_commit(school=school, parsed=_parse(data), user=senco.user, today=TODAY)
    assert calls == []


def test_a_row_failing_after_the_hook_rolls_back_everything(school, senco, calls, monkeypatch):
    leaving = existing_pupil(school, 1, "K")
    other = existing_pupil(school, 2, "K")
    data = csv_bytes([row_for(leaving, 1, "N"), row_for(other, 2, "K", Year="6")])
    fail_on_row(monkeypatch, 2)
    with pytest.raises(RuntimeError):
        importing.import_commit(school=school, parsed=_parse(data), user=senco.user, today=TODAY)
    assert len(calls) == 1  # the hook ran, in the transaction that was then undone
    leaving.refresh_from_db()
    assert leaving.sen_status == "K"
    assert not StatusDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_a_failing_hook_rolls_back_the_import(school, senco, monkeypatch):
    def broken(pupil, decision):
        raise RuntimeError("reviews is down")

    monkeypatch.setattr(hooks, "off_register_handlers", [broken])
    monkeypatch.setattr(hooks, "off_register_previews", [])
    leaving = existing_pupil(school, 1, "K")
    data = csv_bytes([row(2), row_for(leaving, 1, "N")])
    with pytest.raises(RuntimeError):
        importing.import_commit(school=school, parsed=_parse(data), user=senco.user, today=TODAY)
    leaving.refresh_from_db()
    assert leaving.sen_status == "K"
    assert not Pupil.objects.filter(upn=make_upn(2)).exists()
    assert not StatusDecision.objects.exists()


def test_a_changed_ending_since_the_preview_refuses_the_confirmation(
    school, senco, calls, monkeypatch
):
    leaving = existing_pupil(school, 1, "K")
    parsed = _parse(csv_bytes([row_for(leaving, 1, "N")]))
    fingerprint = importing.import_plan(school=school, parsed=parsed).fingerprint
    # Since the preview, a review closed support plan 1 and opened plan 2: the preview did not
    # say plan 2 would end.
    monkeypatch.setattr(
        hooks, "off_register_previews", [lambda pupil: ["Support plan 2 will end."]]
    )
    with pytest.raises(importing.PlanChanged):
        importing.import_commit(
            school=school,
            parsed=parsed,
            user=senco.user,
            today=TODAY,
            expected_fingerprint=fingerprint,
        )
    assert calls == []
    leaving.refresh_from_db()
    assert leaving.sen_status == "K"


def test_preview_and_done_pages_say_what_ends(school, senco, calls):
    leaving = existing_pupil(school, 1, "K", last_name="Okafor", first_name="Amara")
    client = client_for(senco)
    data = csv_bytes([row_for(leaving, 1, "N"), row(2, **{"SEN provision": "N"})])
    client.post(reverse("pupils:import"), {"file": SimpleUploadedFile("export.csv", data)})
    preview = client.get(reverse("pupils:import_preview"))
    body = preview.content.decode()
    assert 'id="import-ending"' in body
    assert "takes 1 pupil off the SEN register" in body
    assert "Support plan 1 of Okafor will end." in body
    assert calls == []
    fingerprint = preview.context["form"].initial["fingerprint"]
    done = client.post(reverse("pupils:import_confirm"), {"fingerprint": fingerprint}, follow=True)
    page = done.content.decode()
    assert "1 pupil left the SEN register: what ended is listed below." in page
    assert 'id="import-ended"' in page
    assert "Support plan 1 of Okafor ended: left the SEN register." in page
    assert reverse("pupils:detail", args=[leaving.public_id]) in page


def test_preview_without_anything_ending_has_no_warning(school, senco, calls):
    staying = existing_pupil(school, 1, "K")
    client = client_for(senco)
    data = csv_bytes([row_for(staying, 1, "K", Year="6")])
    client.post(reverse("pupils:import"), {"file": SimpleUploadedFile("export.csv", data)})
    body = client.get(reverse("pupils:import_preview")).content.decode()
    assert 'id="import-ending"' not in body


def test_the_command_says_what_will_end_and_what_ended(school, senco, calls, tmp_path, capsys):
    leaving = existing_pupil(school, 1, "K", last_name="Okafor")
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([row_for(leaving, 1, "N")]))
    call_command("import_pupils", str(path), school=school.urn, dry_run=True)
    assert "Support plan 1 of Okafor will end." in capsys.readouterr().out
    assert calls == []
    call_command("import_pupils", str(path), school=school.urn)
    out = capsys.readouterr().out
    assert f"{leaving.display_name}: Support plan 1 of Okafor ended: left the SEN register." in out
