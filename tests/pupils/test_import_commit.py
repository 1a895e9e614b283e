"""Committing imports: all or nothing, idempotent, update by UPN, decisions and needs, CTF, the
command."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pupils import importing
from pupils.models import Need, Pupil, StatusDecision, TeachingGroup
from sencoweb.models import AuditEvent
from tests.factories import NeedFactory, PupilFactory
from tests.pupils.fixtures.builders import FIXTURES, csv_bytes, make_upn, row

TODAY = dt.date(2026, 1, 10)


def run(school, user, data, name="export.csv", today=TODAY):
    parsed = importing.parse_file(data, name, today=today)
    return importing.import_commit(school=school, parsed=parsed, user=user, today=today)


def test_first_import_creates_pupils_groups_decisions_and_needs(school, senco):
    data = csv_bytes(
        [
            row(1, Surname="O'Brien", Forename="Siobhán", **{"Teaching groups": "5B; Maths 2"}),
            row(
                2, **{"SEN provision": "EHC Plan", "Primary need": "asd", "Secondary need": "SLCN"}
            ),
            row(3, **{"SEN provision": "", "Primary need": ""}),
        ]
    )
    result = run(school, senco.user, data)
    assert (len(result.created), len(result.updated), result.unchanged) == (3, 0, 0)
    first = Pupil.objects.get(school=school, upn=make_upn(1))
    assert (first.last_name, first.first_name) == ("O'Brien", "Siobhán")
    assert first.sen_status == "K"
    assert first.reg_group.name == "5B"
    assert first.reg_group.kind == TeachingGroup.Kind.REGISTRATION
    assert sorted(g.name for g in first.teaching_groups.all()) == ["5B", "Maths 2"]
    decision = first.status_decisions.get()
    assert (decision.from_status, decision.to_status) == ("N", "K")
    assert decision.reason == "Imported from MIS on 10 Jan 2026"
    assert decision.decided_by == "MIS import"
    assert decision.recorded_by == senco.user
    second = Pupil.objects.get(school=school, upn=make_upn(2))
    assert second.sen_status == "E"
    assert [(n.rank, n.sen_type) for n in second.needs.active().order_by("rank")] == [
        (1, "ASD"),
        (2, "SLCN"),
    ]
    third = Pupil.objects.get(school=school, upn=make_upn(3))
    assert third.sen_status == "N" and not third.status_decisions.exists()
    assert TeachingGroup.objects.filter(school=school).count() == 2
    assert AuditEvent.objects.filter(action="import").count() == 4  # 3 pupils + the file


def test_reimporting_the_same_file_changes_nothing(school, senco):
    data = csv_bytes([row(1), row(2, **{"SEN provision": "E", "Primary need": "ASD"})])
    run(school, senco.user, data)
    before = (
        Pupil.history.count(),
        StatusDecision.objects.count(),
        Need.objects.count(),
        TeachingGroup.objects.count(),
    )
    parsed = importing.parse_file(data, "export.csv", today=TODAY)
    plan = importing.import_plan(school=school, parsed=parsed)
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 2}
    result = importing.import_commit(school=school, parsed=parsed, user=senco.user, today=TODAY)
    assert (result.created, result.updated, result.unchanged) == ([], [], 2)
    after = (
        Pupil.history.count(),
        StatusDecision.objects.count(),
        Need.objects.count(),
        TeachingGroup.objects.count(),
    )
    assert after == before


def test_a_changed_file_updates_by_upn_within_the_school(school, senco, other_school):
    other = PupilFactory(school=other_school, upn=make_upn(1), last_name="Elsewhere")
    run(school, senco.user, csv_bytes([row(1, **{"Teaching groups": "5B; Art"})]))
    pupil = Pupil.objects.get(school=school, upn=make_upn(1))
    old_need = pupil.needs.get()
    later = TODAY + dt.timedelta(days=30)
    changed = csv_bytes(
        [
            row(
                1,
                Year="6",
                Reg="6A",
                **{
                    "Teaching groups": "6A",
                    "SEN provision": "K",
                    "Primary need": "SEMH",
                    "Secondary need": "SLCN",
                },
            )
        ]
    )
    parsed = importing.parse_file(changed, "export.csv", today=later)
    plan = importing.import_plan(school=school, parsed=parsed)
    labels = [c.label for c in plan.items[0].changes]
    assert plan.items[0].action == "update"
    assert labels == [
        "Year group",
        "Registration group",
        "Teaching groups",
        "Primary need",
        "Secondary need",
    ]
    result = importing.import_commit(school=school, parsed=parsed, user=senco.user, today=later)
    assert result.updated == [pupil]
    pupil.refresh_from_db()
    assert pupil.nc_year == "6" and pupil.reg_group.name == "6A"
    assert [g.name for g in pupil.teaching_groups.all()] == ["6A"]
    old_need.refresh_from_db()
    assert old_need.ends_on == later
    assert [(n.rank, n.sen_type, n.starts_on) for n in pupil.needs.active().order_by("rank")] == [
        (1, "SEMH", later),
        (2, "SLCN", later),
    ]
    assert pupil.status_decisions.count() == 1  # K to K is not a decision
    other.refresh_from_db()
    assert other.last_name == "Elsewhere" and other.nc_year == "5"
    assert Pupil.objects.filter(upn=make_upn(1)).count() == 2


def test_status_change_is_recorded_as_a_decision(school, senco, head):
    pupil = PupilFactory(school=school, upn=make_upn(1), sen_status="K")
    NeedFactory(pupil=pupil, sen_type="SLCN", rank=1)
    data = csv_bytes(
        [row(1, Surname=pupil.last_name, Forename=pupil.first_name, **{"SEN provision": "N"})]
    )
    run(school, head.user, data)
    pupil.refresh_from_db()
    assert pupil.sen_status == "N"
    decision = pupil.status_decisions.get()
    assert (decision.from_status, decision.to_status, decision.recorded_by) == ("K", "N", head.user)
    assert pupil.needs.active().count() == 1  # leaving the register does not erase the needs


def test_mis_n_keeps_the_schools_monitoring_list(school, senco):
    pupil = PupilFactory(school=school, upn=make_upn(1), sen_status="M", nc_year="5")
    data = csv_bytes(
        [
            row(
                1,
                Surname=pupil.last_name,
                Forename=pupil.first_name,
                Reg="",
                **{"Teaching groups": "", "SEN provision": "N", "Primary need": ""},
            )
        ]
    )
    parsed = importing.parse_file(data, "export.csv", today=TODAY)
    assert importing.import_plan(school=school, parsed=parsed).counts["unchanged"] == 1
    run(school, senco.user, data)
    pupil.refresh_from_db()
    assert pupil.sen_status == "M"


def test_one_bad_row_writes_nothing(school, senco):
    data = csv_bytes([row(1), row(2), row(3, DOB="31/02/2015")])
    parsed = importing.parse_file(data, "export.csv", today=TODAY)
    with pytest.raises(importing.ImportRefused) as refused:
        importing.import_commit(school=school, parsed=parsed, user=senco.user, today=TODAY)
    assert [str(p) for p in refused.value.problems] == [
        "Row 4, Date of birth: '31/02/2015' is not a real date"
    ]
    assert not Pupil.objects.exists()
    assert not TeachingGroup.objects.exists()
    assert not StatusDecision.objects.exists()


def test_a_failure_half_way_rolls_everything_back(school, senco, monkeypatch):
    data = csv_bytes([row(1), row(2)])
    parsed = importing.parse_file(data, "export.csv", today=TODAY)
    calls = []
    real = importing._sync_needs

    def explode(item, *args, **kwargs):
        calls.append(item)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(item, *args, **kwargs)

    monkeypatch.setattr(importing, "_sync_needs", explode)
    with pytest.raises(RuntimeError):
        importing.import_commit(school=school, parsed=parsed, user=senco.user, today=TODAY)
    assert not Pupil.objects.exists()
    assert not Need.objects.exists()


def test_fingerprint_mismatch_refuses_to_commit(school, senco):
    parsed = importing.parse_file(csv_bytes([row(1)]), "export.csv", today=TODAY)
    fingerprint = importing.import_plan(school=school, parsed=parsed).fingerprint
    PupilFactory(school=school, upn=make_upn(1), nc_year="3")  # someone added the pupil since
    with pytest.raises(importing.PlanChanged):
        importing.import_commit(
            school=school, parsed=parsed, user=senco.user, expected_fingerprint=fingerprint
        )
    assert Pupil.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Common transfer file


def test_ctf_creates_joining_pupils_with_their_sen_history(school, senco):
    data = (FIXTURES / "ctf_joining.xml").read_bytes()
    parsed = importing.parse_file(data, "93630001_CTF_8012001_001.XML", today=TODAY)
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert parsed.source_school == "St Anne's C of E Primary School"
    result = importing.import_commit(school=school, parsed=parsed, user=senco.user, today=TODAY)
    assert len(result.created) == 3
    zoe = Pupil.objects.get(upn="M936300119007")
    assert (zoe.first_name, zoe.last_name, zoe.date_of_birth) == (
        "Zoë",
        "O'Connor-Brien",
        dt.date(2016, 5, 9),
    )
    assert (zoe.gender, zoe.nc_year, zoe.sen_status) == ("F", "4", "E")
    assert zoe.sen_status_since == dt.date(2025, 3, 12)
    decisions = list(zoe.status_decisions.order_by("decided_on"))
    assert [(d.decided_on, d.from_status, d.to_status) for d in decisions] == [
        (dt.date(2022, 11, 7), "N", "K"),
        (dt.date(2025, 3, 12), "K", "E"),
    ]
    assert "St Anne's C of E Primary School" in decisions[0].decided_by
    assert "common transfer file on 10 Jan 2026" in decisions[0].reason
    needs = [
        (n.rank, n.sen_type, n.starts_on, n.ends_on)
        for n in zoe.needs.order_by("starts_on", "rank")
    ]
    assert needs == [
        (1, "SLCN", dt.date(2022, 11, 7), dt.date(2024, 7, 19)),
        (2, "SLCN", dt.date(2022, 11, 7), None),
        (1, "ASD", dt.date(2024, 7, 19), None),
    ]
    jakub = Pupil.objects.get(upn="B936300119008")
    assert jakub.looked_after and jakub.sen_status == "K"
    assert jakub.needs.get().starts_on == dt.date(2024, 9, 4)  # no NeedStartDate: the K start
    yusuf = Pupil.objects.get(upn="D936300120031")
    assert yusuf.sen_status == "N" and not yusuf.status_decisions.exists()
    # Contacts' names inside the pupil record are not mistaken for the pupil's.
    assert not Pupil.objects.filter(first_name="Siobhán").exists()

    again = importing.parse_file(data, "again.xml", today=TODAY)
    assert importing.import_plan(school=school, parsed=again).counts["unchanged"] == 3


def _ctf(body: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{prolog}<CTfile><Header><SourceSchool><SchoolName>Old School'
        f"</SchoolName></SourceSchool></Header><CTFpupilData>{body}</CTFpupilData></CTfile>"
    ).encode()


BILLION_LAUGHS = """<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>"""
EXTERNAL_ENTITY = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("prolog", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<!DOCTYPE CTfile>"])
def test_hostile_xml_is_refused_with_a_clear_message(school, senco, prolog):
    pupil = "<Pupil><UPN>M936300119007</UPN><Surname>&lol3;</Surname></Pupil>"
    parsed = importing.parse_file(_ctf(pupil, prolog), "evil.xml", today=TODAY)
    assert not parsed.ok
    assert "refused to read it for safety" in str(parsed.problems[0])
    with pytest.raises(importing.ImportRefused):
        importing.import_commit(school=school, parsed=parsed, user=senco.user)
    assert not Pupil.objects.exists()


@pytest.mark.parametrize(
    "data,message",
    [
        (b"<CTfile><Header>", "not a readable XML file"),
        (b"<Workbook></Workbook>", "not a common transfer file"),
        (_ctf(""), "The file has no pupils."),
        (
            _ctf(
                "<Pupil><UPN>A936300119007</UPN><Surname>X</Surname><Forename>Y</Forename>"
                "<DOB>2016-13-01</DOB><Sex>M</Sex><BasicDetails><NCyearActual>4</NCyearActual>"
                "</BasicDetails></Pupil>"
            ),
            "Pupil 1, UPN: A936300119007 has the wrong check letter",
        ),
    ],
)
def test_broken_ctf_files_are_explained(data, message):
    parsed = importing.parse_file(data, "x.xml", today=TODAY)
    assert any(message in str(p) for p in parsed.problems), [str(p) for p in parsed.problems]


def test_ctf_updates_an_existing_pupil_by_upn(school, senco):
    pupil = PupilFactory(
        school=school, upn="B936300119008", sen_status="N", first_name="Jakub", last_name="Kowalski"
    )
    data = (FIXTURES / "ctf_joining.xml").read_bytes()
    run(school, senco.user, data, name="ctf.xml")
    pupil.refresh_from_db()
    assert pupil.sen_status == "K"
    decision = pupil.status_decisions.get()
    assert (decision.from_status, decision.to_status, decision.decided_on) == ("N", "K", TODAY)
    assert pupil.needs.active().get().sen_type == "SEMH"


# ---------------------------------------------------------------------------------------------
# The command


def test_command_dry_run_then_import_then_unchanged(school, senco, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_bytes((FIXTURES / "mis_export.csv").read_bytes())
    call_command("import_pupils", str(path), "--school", school.urn, "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run: 3 to create, 0 to update, 0 unchanged" in out
    assert not Pupil.objects.exists()
    call_command("import_pupils", str(path), "--school", school.urn)
    assert Pupil.objects.filter(school=school).count() == 3
    assert StatusDecision.objects.filter(recorded_by=senco.user).count() == 2
    call_command("import_pupils", str(path), "--school", school.urn)
    assert "0 created, 0 updated, 3 unchanged" in capsys.readouterr().out


def test_command_with_a_bad_row_exits_non_zero_and_writes_nothing(school, senco, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([row(1), row(2, Gender="?")]))
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_pupils", str(path), "--school", school.urn)
    assert "Row 3, Gender" in capsys.readouterr().err
    assert not Pupil.objects.exists()


def test_command_records_the_named_user(school, senco, head, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([row(1)]))
    call_command("import_pupils", str(path), "--school", school.urn, "--user", "head")
    assert StatusDecision.objects.get().recorded_by == head.user


def test_command_refuses_unknown_school_user_or_school_without_senco(school, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([row(1)]))
    with pytest.raises(CommandError, match="No school has URN 999999"):
        call_command("import_pupils", str(path), "--school", "999999")
    with pytest.raises(CommandError, match="has no SENCO"):
        call_command("import_pupils", str(path), "--school", school.urn)
    with pytest.raises(CommandError, match="No user is called ghost"):
        call_command("import_pupils", str(path), "--school", school.urn, "--user", "ghost")
    assert not Pupil.objects.exists()
