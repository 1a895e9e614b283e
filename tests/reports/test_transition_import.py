"""Importing a transition pack brings what the receiving school needs and can hold faithfully
(docs/transition-pack-schema.md, "Importing"): the EHC plan (so status E is valid and its reviews
fall due), past access arrangements (never approved ones: JCQ), agencies matched to the
directory, and the pack itself with its review and provision history as a document. All or
nothing, and a pupil on roll is refused."""

import datetime as dt
import json
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from pupils import census, hooks
from pupils.models import (
    AccessArrangement,
    Agency,
    ImportedEvent,
    Involvement,
    Professional,
    Pupil,
    PupilDocument,
    StatusDecision,
)
from reports.transition import (
    PackError,
    pack_context,
    pack_data,
    parse_pack,
    transition_pack_import,
)
from reviews.models import AnnualReview, EhcOutcome, EhcPlan
from reviews.services_ehc import pupil_next_review_sync
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for
from tests.reviews.ehc_factories import EhcPlanFactory, ProvisionItemFactory


@pytest.fixture
def ehc_leaver(senco):
    """A Year 6 pupil with an EHC plan (one annual review held), an agency and an arrangement."""
    pupil = PupilFactory(school=senco.school, nc_year="6", sen_status="E", upn="B801200120002",
                         first_name="Ada", last_name="Okafor")  # fmt: skip
    NeedFactory(pupil=pupil, sen_type="ASD", rank=1)
    StatusDecision.objects.create(pupil=pupil, decided_on="2024-03-01", from_status="K",
                                  to_status="E", reason="EHC plan issued", decided_by="SENCO",
                                  recorded_by=senco.user)  # fmt: skip
    plan = EhcPlanFactory(pupil=pupil, school=senco.school, issued_on=dt.date(2024, 3, 1),
                          la_case_officer="J. Whitfield", section_a="Loves maps.",
                          section_k="EP advice")  # fmt: skip
    EhcOutcome.objects.create(
        plan=plan, area="CI", outcome="Takes turns in a group", by_when="July"
    )
    EhcOutcome.objects.create(plan=plan, area="PFA", outcome="Travels to school with a friend")
    ProvisionItemFactory(plan=plan, hours_per_week=2, frequency="4 x 30 minutes a week")
    AnnualReview.objects.create(school=senco.school, plan=plan, pupil=pupil,
                                meeting_on=dt.date(2025, 2, 10), progress="Good progress in turn taking.",
                                recommendation="maintain", la_outcome="maintain",
                                la_decision_on=dt.date(2025, 2, 20))  # fmt: skip
    paeds = Agency.objects.create(school=senco.school, name="Community Paediatrics", kind="paeds",
                                  phone="0117 000 0000")  # fmt: skip
    doctor = Professional.objects.create(agency=paeds, name="Dr Neil Grant", role="Paediatrician")
    Involvement.objects.create(pupil=pupil, agency=paeds, professional=doctor,
                               referral_date=dt.date(2024, 9, 2), status="active")  # fmt: skip
    salt = Agency.objects.create(school=senco.school, name="Bristol SALT", kind="salt")
    Involvement.objects.create(pupil=pupil, agency=salt, referral_date=dt.date(2023, 5, 1),
                               status="discharged", discharged_on=dt.date(2024, 7, 1))  # fmt: skip
    AccessArrangement.objects.create(
        pupil=pupil, kind="et25", route="aao", normal_way_of_working="Uses extra time in tests.",
        assessor_name="A. Assessor", assessor_qualification="l7", assessed_on=dt.date(2025, 1, 6),
        score_1_test="Reading speed", score_1=82, score_2_test="Writing speed", score_2=86,
        aao_reference="AAO-1", approved_on=dt.date(2025, 1, 20), recorded_by=senco.user,
    )  # fmt: skip
    pupil_next_review_sync(pupil=pupil)
    pupil.refresh_from_db()
    return pupil


def _import(pupil, senco, outsider, **changes):
    data = json.loads(json.dumps(pack_data(pupil, school=senco.school)))
    data.update(changes)
    return transition_pack_import(
        school=outsider.school, data=parse_pack(json.dumps(data)), by=outsider.user
    )


def test_the_ehc_plan_comes_in_so_status_e_is_valid_and_its_review_falls_due(
    ehc_leaver, senco, outsider
):
    pupil = _import(ehc_leaver, senco, outsider).pupil
    pupil.refresh_from_db()
    assert pupil.sen_status == "E" and hooks.has_ehc_plan(pupil)
    assert not [p for p in census.census_problems(outsider.school) if p.pupil.pk == pupil.pk
                and p.key == census.E_WITHOUT_PLAN]  # fmt: skip
    plan = EhcPlan.objects.get(pupil=pupil)
    assert plan.school == outsider.school and plan.status == EhcPlan.Status.ISSUED
    assert (plan.la_code, plan.la_name, plan.la_case_officer) == ("801", "Bristol", "J. Whitfield")
    assert plan.issued_on == plan.first_issued_on == dt.date(2024, 3, 1)
    assert senco.school.name in plan.imported_from and senco.school.urn in plan.imported_from
    assert (plan.section_a, plan.section_k) == ("Loves maps.", "EP advice")
    assert [(o.area, o.outcome, o.by_when) for o in plan.outcomes.all()] == [
        ("CI", "Takes turns in a group", "July"), ("PFA", "Travels to school with a friend", ""),
    ]  # fmt: skip
    item = plan.provision_items.get()
    assert item.hours_per_week == 2 and item.frequency == "4 x 30 minutes a week"
    # The 12 months run from the last review held at the previous school, as they did there.
    assert plan.last_review_before_import == dt.date(2025, 2, 10)
    assert pupil.next_review_due == ehc_leaver.next_review_due
    assert pupil.next_review_due < dt.date(2026, 3, 1)


def test_the_plan_page_and_profile_say_it_was_imported(ehc_leaver, senco, outsider):
    pupil = _import(ehc_leaver, senco, outsider).pupil
    plan = EhcPlan.objects.get(pupil=pupil)
    client = client_for(outsider)
    page = client.get(reverse("reviews:plan_detail", args=[plan.public_id])).content.decode()
    assert "Imported from" in page and senco.school.name in page
    assert "10 February 2025" in page
    profile = client.get(reverse("pupils:detail", args=[pupil.public_id])).content.decode()
    assert "EHC plan in force" in profile and "no EHC plan is recorded" not in profile


def test_access_arrangements_come_in_as_past_ones_not_approved(ehc_leaver, senco, outsider):
    pupil = _import(ehc_leaver, senco, outsider).pupil
    arrangement = AccessArrangement.objects.get(pupil=pupil)
    assert arrangement.kind == "et25" and arrangement.route == "aao"
    assert arrangement.approved_on is None and arrangement.expires_on is None
    assert arrangement.aao_reference == ""  # the old centre's application is not ours
    # The Form 8 details roll forward for the SENCO to check.
    assert (arrangement.assessed_on, arrangement.score_1, arrangement.score_2) == (
        dt.date(2025, 1, 6), 82, 86)  # fmt: skip
    evidence = arrangement.normal_way_of_working
    assert "Uses extra time in tests." in evidence and senco.school.name in evidence
    assert "approved there 20 January 2025" in evidence and "AAO-1" in evidence
    assert "Not approved at this centre" in evidence
    profile = client_for(outsider).get(reverse("pupils:detail", args=[pupil.public_id]))
    assert "Not yet approved" in profile.content.decode()


def test_agencies_are_matched_to_the_directory_or_added(ehc_leaver, senco, outsider):
    mine = Agency.objects.create(school=outsider.school, name="community paediatrics",
                                 kind="paeds")  # fmt: skip
    pupil = _import(ehc_leaver, senco, outsider).pupil
    involvements = {i.agency.name.lower(): i for i in Involvement.objects.filter(pupil=pupil)}
    assert involvements["community paediatrics"].agency == mine
    assert involvements["community paediatrics"].professional.name == "Dr Neil Grant"
    assert involvements["community paediatrics"].status == "active"
    salt = involvements["bristol salt"]
    assert salt.agency.school == outsider.school and salt.agency.kind == "salt"
    assert (salt.status, salt.discharged_on) == ("discharged", dt.date(2024, 7, 1))
    assert Agency.objects.for_school(outsider.school).count() == 2


def test_the_pack_is_kept_as_a_document_with_its_review_and_provision_history(
    ehc_leaver, senco, outsider, tmp_path
):
    result = _import(ehc_leaver, senco, outsider)
    document = PupilDocument.objects.get(pupil=result.pupil)
    assert document.title == f"Transition pack from {senco.school.name} (as received)"
    assert document.content_type == "application/pdf"
    content = document.file.read()
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "pack.pdf"
        path.write_bytes(content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        assert "Review history" in text and "Good progress in turn taking." in text
    client = client_for(outsider)
    profile = client.get(reverse("pupils:detail", args=[result.pupil.public_id])).content.decode()
    assert document.title in profile
    download = reverse(
        "pupils:document_download", args=[result.pupil.public_id, document.public_id]
    )
    assert client.get(download).status_code == 200
    assert client_for(senco).get(download).status_code == 404  # another school's record


def test_import_is_all_or_nothing(ehc_leaver, senco, outsider):
    data = json.loads(json.dumps(pack_data(ehc_leaver, school=senco.school)))
    data["agencies"][-1]["referral_date"] = "31/02/2024"
    before = (Pupil.objects.count(), Agency.objects.count(), EhcPlan.objects.count(),
              PupilDocument.objects.count())  # fmt: skip
    with pytest.raises(PackError, match="not a date"):
        transition_pack_import(school=outsider.school, data=parse_pack(json.dumps(data)),
                               by=outsider.user)  # fmt: skip
    after = (Pupil.objects.count(), Agency.objects.count(), EhcPlan.objects.count(),
             PupilDocument.objects.count())  # fmt: skip
    assert after == before


def test_the_same_pack_twice_is_refused_even_without_a_upn(ehc_leaver, senco, outsider):
    ehc_leaver.upn = ""
    ehc_leaver.save()
    _import(ehc_leaver, senco, outsider)
    with pytest.raises(PackError, match="already on this school's roll"):
        _import(ehc_leaver, senco, outsider)
    assert Pupil.objects.for_school(outsider.school).count() == 1


def test_browser_import_says_what_came_in(ehc_leaver, senco, outsider):
    payload = json.dumps(pack_data(ehc_leaver, school=senco.school)).encode()
    client = client_for(outsider)
    response = client.post(reverse("reports:pack_import"),
                           {"file": SimpleUploadedFile("pack.json", payload)}, follow=True)  # fmt: skip
    body = response.content.decode()
    assert "the EHC plan (Bristol)" in body and "past access arrangement" in body


V1_PACK = {
    "$schema": "https://sencoweb.org/schema/transition-pack/v1",
    "schema_version": 1,
    "generated_at": "2025-06-01T10:00:00+01:00",
    "source_school": {
        "name": "Old Oak Primary",
        "urn": "100001",
        "laestab": "8012001",
        "la_name": "Bristol",
    },  # fmt: skip
    "pupil": {
        "upn": "C801200120003",
        "first_name": "Sam",
        "last_name": "Reed",
        "preferred_name": "",
        "date_of_birth": "2014-05-01",
        "gender": "M",
        "nc_year": "6",
        "sen_status": "E",
        "census_code": "E",
        "sen_status_since": "2023-01-10",
        "disability_or_medical": "",
    },  # fmt: skip
    "profile": {"about_me": "I like football."},
    "status_history": [
        {
            "decided_on": "2023-01-10",
            "from_status": "K",
            "to_status": "E",
            "reason": "Plan issued",
            "decided_by": "SENCO",
        }
    ],  # fmt: skip
    "needs": [{"sen_type": "SEMH", "rank": 1, "starts_on": "2022-09-05", "ends_on": None}],
    "contacts": [
        {
            "name": "Jo Reed",
            "relationship": "Mother",
            "parental_responsibility": True,
            "phone": "07700 900000",
            "email": "",
            "preferred_contact": "Email",
        }
    ],  # fmt: skip
    "agencies": [
        {
            "agency": "CAMHS",
            "kind": "CAMHS",
            "professional": "",
            "role": "",
            "referral_date": "2024-01-15",
            "status": "On waiting list",
            "discharged_on": None,
        }
    ],  # fmt: skip
    "access_arrangements": [
        {
            "arrangement": "Supervised rest breaks",
            "normal_way_of_working": "Takes breaks in class.",
            "approved_on": "2025-01-01",
            "expires_on": "2027-03-01",
            "notes": "",
        }
    ],  # fmt: skip
    "current_plan": None,
    "reviews": [
        {
            "date": "2024-01-20",
            "kind": "Annual review (EHC plan)",
            "summary": "Settled.",
            "next_step": "",
        },
        {
            "date": "2025-01-22",
            "kind": "Annual review (EHC plan)",
            "summary": "Calmer.",
            "next_step": "Maintain the plan unchanged",
        },
    ],  # fmt: skip
    "provision": [],
    "ehc_plan": {
        "local authority": "Bristol",
        "first issued": "2023-01-10",
        "this version issued": "2024-02-01",
        "version": 2,
        "named setting": "Old Oak Primary",
        "special educational needs (section B)": "Social, emotional and mental health needs.",
        "outcomes (section E)": "Manages change with support; Joins a club",
        "provision (section F)": "Weekly ELSA session (1.00 h/week); Sensory breaks",
        "phase transfer": "Phase transfer (deadline 15 February)",
    },  # fmt: skip
    "not_recorded": [],
}


def test_a_version_1_pack_still_imports_with_its_ehc_plan(outsider):
    result = transition_pack_import(
        school=outsider.school, data=parse_pack(json.dumps(V1_PACK)), by=outsider.user
    )
    plan = EhcPlan.objects.get(pupil=result.pupil)
    assert (plan.la_name, plan.la_code, plan.version) == ("Bristol", "801", 2)
    assert (plan.first_issued_on, plan.issued_on) == (dt.date(2023, 1, 10), dt.date(2024, 2, 1))
    assert plan.section_b == "Social, emotional and mental health needs."
    # Version 1 outcomes have no area: they take the primary need's (SEMH).
    assert [(o.area, o.outcome) for o in plan.outcomes.all()] == [
        ("SEMH", "Manages change with support"), ("SEMH", "Joins a club")]  # fmt: skip
    assert [(i.provision, i.hours_per_week) for i in plan.provision_items.all()] == [
        ("Weekly ELSA session", 1), ("Sensory breaks", None)]  # fmt: skip
    assert plan.last_review_before_import == dt.date(2025, 1, 22)
    assert plan.phase_transfer == ""  # the sending school's transfer is not this school's
    arrangement = AccessArrangement.objects.get(pupil=result.pupil)
    assert arrangement.kind == "rest" and arrangement.approved_on is None
    involvement = Involvement.objects.get(pupil=result.pupil)
    assert (involvement.agency.kind, involvement.status) == ("camhs", "waiting")
    assert result.pupil.contacts.get().preferred_contact == "email"


def test_an_unknown_version_is_refused():
    pack = {**V1_PACK, "$schema": "https://sencoweb.org/schema/transition-pack/v3",
            "schema_version": 3}  # fmt: skip
    with pytest.raises(PackError, match="reads versions 1, 2"):
        parse_pack(json.dumps(pack))


def test_a_plan_without_its_issue_date_is_refused(ehc_leaver, senco):
    data = json.loads(json.dumps(pack_data(ehc_leaver, school=senco.school)))
    data["ehc_plan"]["issued_on"] = None
    with pytest.raises(PackError, match="no date it was issued"):
        parse_pack(json.dumps(data))


def test_the_pack_reads_dates_and_codes_in_words_while_the_json_keeps_them(ehc_leaver, senco):
    data = pack_data(ehc_leaver, school=senco.school)
    assert data["status_history"][0]["decided_on"] == "2024-03-01"
    assert data["pupil"]["sen_status"] == "E" and data["needs"][0]["sen_type"] == "ASD"
    html = render_to_string("reports/transition_pack_pdf.html", pack_context(data))
    assert "2024-03-01" not in html and "2025-02-10" not in html
    assert "1 Mar 2024" in html and "10 Feb 2025" in html
    assert "EHC plan (E)" in html and "SEN support (K)" in html
    assert "Autistic spectrum disorder (ASD)" in html and "Year 6" in html


def test_the_pack_heads_plan_sections_with_their_reg_12_names_and_keeps_the_json_keys(
    ehc_leaver, senco
):
    """The PDF and screen pack use the plan page's one list of section names (DOMAIN.md 3.3),
    not shortened ones; the JSON keeps its schema v2 keys, which receiving schools read."""
    from reviews.models.ehc import SECTION_HEADINGS

    plan = EhcPlan.objects.get(pupil=ehc_leaver)
    for key in ("a", "b", "c", "d", "g", "h1", "h2", "k"):
        setattr(plan, f"section_{key}", f"Text of section {key}.")
    plan.budget_type = "direct"
    plan.save()
    data = json.loads(json.dumps(pack_data(ehc_leaver, school=senco.school)))
    assert set(data["ehc_plan"]["sections"]) == {"a", "b", "c", "d", "g", "h1", "h2", "k"}
    assert data["ehc_plan"]["sections"]["h2"] == "Text of section h2."
    assert "Views, interests" not in json.dumps(data)  # keys, never headings
    html = render_to_string("reports/transition_pack_pdf.html", pack_context(data))
    for heading in SECTION_HEADINGS.values():  # A to K, I and J included
        assert f">{heading}<" in html, heading
    for short in ("D. Social care needs<", "G. Health provision<", "H1. Social care provision<",
                  "H2. Other social care provision<", "K. Advice and information<",
                  "I. Named setting<", "E. Outcomes<"):  # fmt: skip
        assert short not in html
    heading_g = SECTION_HEADINGS["g"]
    assert f'<th scope="row">{heading_g}</th><td class="prewrap">Text of section g.</td>' in html


PROVISION_ROWS = [
    {"intervention": "Lego therapy", "group": "Lego therapy (Tue)", "starts_on": "2024-09-09",
     "ends_on": "2025-03-28", "sessions_attended": 22, "hours": "11.00", "cost": "132.00",
     "measure": "Standardised score", "entry": "84", "exit": "91"},
    {"intervention": "Precision teaching", "group": "PT 1:1", "starts_on": "2025-04-21",
     "ends_on": None, "sessions_attended": 5, "hours": "1.25", "cost": None,
     "measure": "", "entry": "", "exit": ""},
]  # fmt: skip


def test_review_and_provision_history_come_in_as_events_at_the_previous_school(
    ehc_leaver, senco, outsider
):
    result = _import(ehc_leaver, senco, outsider, provision=PROVISION_ROWS)
    events = list(ImportedEvent.objects.filter(pupil=result.pupil))
    assert [(e.happened_on, e.kind, e.title) for e in events] == [
        (dt.date(2024, 9, 9), "provision", "Lego therapy started"),
        (dt.date(2025, 2, 10), "review", "Annual review (EHC plan): Maintain the plan unchanged"),
        (dt.date(2025, 3, 28), "provision", "Lego therapy ended"),
        (dt.date(2025, 4, 21), "provision", "Precision teaching started"),
    ]
    assert {e.source_school for e in events} == {senco.school.name}
    assert events[1].detail == "Good progress in turn taking."
    assert events[2].detail == (
        "Group: Lego therapy (Tue). 22 sessions attended, 11.00 hours. Cost £132.00. "
        "Standardised score: entry 84, exit 91."
    )
    document = PupilDocument.objects.get(pupil=result.pupil)
    assert {e.pack_document_id for e in events} == {document.pk}
    assert "2 past interventions" in result.summary and "1 past review" in result.summary

    # The receiving SENCO sees them on the profile's chronology, marked as the other school's.
    url = reverse("pupils:detail", args=[result.pupil.public_id])
    response = client_for(outsider).get(url)
    assert response.status_code == 200
    titles = [e.title for e in response.context["chronology"]]
    here = senco.school.name
    assert f"At {here}: Annual review (EHC plan): Maintain the plan unchanged" in titles
    assert f"At {here}: Lego therapy ended" in titles
    body = response.content.decode()
    assert "Lego therapy ended" in body and "entry 84, exit 91" in body
    # The sending school cannot open the receiving school's pupil.
    assert client_for(senco).get(url).status_code == 404


def test_imported_history_is_in_the_subject_access_export_and_destroyed_with_the_pupil(
    ehc_leaver, senco, outsider
):
    from reports.sar import subject_access_data
    from sencoweb.retention import _collect

    pupil = _import(ehc_leaver, senco, outsider, provision=PROVISION_ROWS).pupil
    sections = {s["model"]: s for s in subject_access_data(pupil)["records"]}
    rows = sections["pupils.ImportedEvent"]["rows"]
    assert len(rows) == 4
    assert rows[0]["fields"]["title"] == "Lego therapy started"
    assert rows[0]["fields"]["Previous school"] == senco.school.name
    counts, _ = _collect([pupil])
    assert counts["pupils.ImportedEvent"] == 4


def test_a_failure_after_the_history_is_written_leaves_none_of_it(
    ehc_leaver, senco, outsider, monkeypatch
):
    from reports import transition

    original = transition._import_history

    def then_fail(*args, **kwargs):
        assert original(*args, **kwargs)  # the events were written
        raise RuntimeError("disk full")

    monkeypatch.setattr(transition, "_import_history", then_fail)
    before = (Pupil.objects.count(), PupilDocument.objects.count())
    with pytest.raises(RuntimeError):
        _import(ehc_leaver, senco, outsider, provision=PROVISION_ROWS)
    assert ImportedEvent.objects.count() == 0
    assert (Pupil.objects.count(), PupilDocument.objects.count()) == before


def test_a_bad_date_in_the_provision_history_saves_nothing(ehc_leaver, senco, outsider):
    rows = [{**PROVISION_ROWS[0], "ends_on": "28/03/2025"}]
    before = Pupil.objects.count()
    with pytest.raises(PackError, match="Provision history \\(Lego therapy\\), end"):
        _import(ehc_leaver, senco, outsider, provision=rows)
    assert Pupil.objects.count() == before and ImportedEvent.objects.count() == 0


def test_a_version_1_pack_brings_its_review_history_to_the_chronology(outsider):
    result = transition_pack_import(
        school=outsider.school, data=parse_pack(json.dumps(V1_PACK)), by=outsider.user
    )
    events = ImportedEvent.objects.filter(pupil=result.pupil)
    assert [(e.happened_on, e.title, e.detail) for e in events] == [
        (dt.date(2024, 1, 20), "Annual review (EHC plan)", "Settled."),
        (dt.date(2025, 1, 22), "Annual review (EHC plan): Maintain the plan unchanged", "Calmer."),
    ]
    response = client_for(outsider).get(reverse("pupils:detail", args=[result.pupil.public_id]))
    titles = [e.title for e in response.context["chronology"]]
    assert "At Old Oak Primary: Annual review (EHC plan): Maintain the plan unchanged" in titles
