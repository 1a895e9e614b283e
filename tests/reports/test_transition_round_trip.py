"""A rich pupil's transition pack, written at one school and imported at another, compared field
by field; and every key the pack writes is the documented schema's (reports/schema/
transition_pack_v2.json, docs/transition-pack-schema.md), in both directions."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from provision.models import Enrolment, TopUpFunding
from pupils.models import (
    AccessArrangement,
    Agency,
    Contact,
    Involvement,
    Professional,
    StatusDecision,
)
from reports.transition import pack_data, parse_pack, transition_pack_import
from reviews.models import AnnualReview, EhcOutcome
from reviews.services_ehc import pupil_next_review_sync
from tests.factories import NeedFactory, PupilFactory
from tests.provision.factories import GroupFactory
from tests.reviews.cycle_helpers import issued_cycle
from tests.reviews.ehc_factories import EhcPlanFactory, ProvisionItemFactory

SCHEMA = json.loads(Path("reports/schema/transition_pack_v2.json").read_text())
PUPIL_FIELDS = ("upn", "first_name", "last_name", "preferred_name", "date_of_birth", "gender",
                "nc_year", "eal", "fsm", "looked_after", "previously_looked_after", "sen_status",
                "sen_status_since", "date_parents_notified", "disability_or_medical", "about_me",
                "strengths", "important_to_me", "what_helps", "what_does_not_help",
                "how_i_communicate")  # fmt: skip


@pytest.fixture
def rich(senco):
    """K then E: support plan cycles, an EHC plan with every section, its top-up and a review,
    provision with hours, costs and measures, agencies, a Form 8 arrangement, contacts."""
    school, user = senco.school, senco.user
    pupil = PupilFactory(
        school=school, nc_year="6", sen_status="E", upn="C801200120003", first_name="Ife",
        last_name="Bello", preferred_name="Ify", eal=True, fsm=True, previously_looked_after=True,
        disability_or_medical="Asthma: inhaler in the office.", about_me="I like maps.",
        strengths="Kind to others", important_to_me="My dog", what_helps="Visual timetable",
        what_does_not_help="Loud rooms", how_i_communicate="Short sentences",
        sen_status_since=dt.date(2025, 3, 3), date_parents_notified=dt.date(2025, 3, 5),
    )  # fmt: skip
    NeedFactory(pupil=pupil, sen_type="SLCN", rank=1, description="Expressive language")
    NeedFactory(pupil=pupil, sen_type="SEMH", rank=2, starts_on=dt.date(2024, 1, 8),
                ends_on=dt.date(2024, 12, 20))  # fmt: skip
    StatusDecision.objects.create(pupil=pupil, decided_on=dt.date(2023, 10, 2), from_status="N",
                                  to_status="K", reason="Language screen", evidence="WellComm",
                                  decided_by="SENCO and class teacher", parents_informed=True,
                                  parents_informed_on=dt.date(2023, 10, 4),
                                  recorded_by=user)  # fmt: skip
    StatusDecision.objects.create(pupil=pupil, decided_on=dt.date(2025, 3, 3), from_status="K",
                                  to_status="E", reason="EHC plan issued", decided_by="SENCO",
                                  parents_informed=True, parents_informed_on=dt.date(2025, 3, 5),
                                  recorded_by=user)  # fmt: skip
    Contact.objects.create(pupil=pupil, name="Ada Bello", relationship="Mother",
                           parental_responsibility=True, phone="07700 900111",
                           email="ada@example.org", preferred_contact="email", language="Yoruba",
                           needs_interpreter=True)  # fmt: skip
    issued_cycle(pupil, user)
    plan = EhcPlanFactory(
        pupil=pupil, school=school, version=2, issued_on=dt.date(2025, 9, 1),
        first_issued_on=dt.date(2025, 3, 3), la_case_officer="J. Whitfield",
        named_setting="Oakfield Primary", setting_type="Mainstream", phase_transfer="school",
        section_a="Loves maps.", section_b="SLCN.", section_c="Asthma.", section_d="None.",
        section_g="SALT advice.", section_h1="Short breaks.", section_h2="Youth club.",
        section_k="EP advice", budget_type="direct", budget_amount=Decimal("1200.00"),
        budget_covers="Swimming with a helper",
    )  # fmt: skip
    EhcOutcome.objects.create(plan=plan, order=0, area="CI", outcome="Takes turns",
                              by_when="July 2026")  # fmt: skip
    ProvisionItemFactory(plan=plan, hours_per_week=Decimal("2.50"), frequency="5 x 30 minutes",
                         group_size="1:1")  # fmt: skip
    top_up = TopUpFunding.objects.create(school=school, pupil=pupil, la_name="Bristol",
                                         amount=Decimal("6000"), starts_on=dt.date(2025, 3, 3))  # fmt: skip
    plan.top_ups.add(top_up)
    AnnualReview.objects.create(school=school, plan=plan, pupil=pupil,
                                meeting_on=dt.date(2026, 2, 10), progress="Good progress.",
                                recommendation="maintain")  # fmt: skip
    group = GroupFactory(school=school, staff=senco, starts_on=dt.date(2025, 9, 8),
                         ends_on=dt.date(2025, 12, 12))  # fmt: skip
    Enrolment.objects.create(group=group, pupil=pupil, starts_on=dt.date(2025, 9, 8),
                             ends_on=dt.date(2025, 12, 12), entry_score=Decimal("84"),
                             exit_score=Decimal("91"))  # fmt: skip
    salt = Agency.objects.create(school=school, name="Bristol SALT", kind="salt",
                                 phone="0117 000 0001", email="salt@example.org")  # fmt: skip
    therapist = Professional.objects.create(agency=salt, name="Sam Reed", role="SALT")
    Involvement.objects.create(pupil=pupil, agency=salt, professional=therapist,
                               referral_date=dt.date(2023, 11, 1), status="discharged",
                               discharged_on=dt.date(2025, 7, 1))  # fmt: skip
    AccessArrangement.objects.create(
        pupil=pupil, kind="et25", route="aao", normal_way_of_working="Extra time in tests.",
        assessor_name="A. Assessor", assessor_qualification="l7", assessed_on=dt.date(2025, 1, 6),
        score_1_test="Reading speed", score_1=82, score_2_test="Writing speed", score_2=86,
        aao_reference="AAO-1", approved_on=dt.date(2025, 1, 20), recorded_by=user,
    )  # fmt: skip
    pupil_next_review_sync(pupil=pupil)
    pupil.refresh_from_db()
    return pupil


def _check(node, value, where):
    """Every key written is declared, every declared key is written, and the types match."""
    types = node.get("type")
    types = [types] if isinstance(types, str) else types or []
    if value is None:
        assert not types or "null" in types, f"{where} is null, schema says {types}"
        return
    if "enum" in node:
        assert value in node["enum"], f"{where}: {value!r} not in {node['enum']}"
    if isinstance(value, dict):
        assert not types or "object" in types, where
        if "properties" in node:
            declared = set(node["properties"])
            assert set(value) == declared, (
                f"{where}: written not declared {sorted(set(value) - declared)}, "
                f"declared not written {sorted(declared - set(value))}"
            )
            for key, item in value.items():
                _check(node["properties"][key], item, f"{where}.{key}")
    elif isinstance(value, list):
        assert not types or "array" in types, where
        for i, item in enumerate(value):
            _check(node.get("items", {}), item, f"{where}[{i}]")
    elif types:
        kinds = {bool: "boolean", int: "integer", str: "string", float: "number"}
        kind = kinds[type(value)]
        assert kind in types or (kind == "integer" and "number" in types), (
            f"{where}: {kind}, schema says {types}"
        )


def test_every_key_the_pack_writes_is_the_documented_schema_and_back(rich, senco):
    data = json.loads(json.dumps(pack_data(rich, school=senco.school)))
    assert data["not_recorded"] == []
    assert all(data[k] for k in ("current_plan", "reviews", "provision", "ehc_plan"))
    _check(SCHEMA, data, "pack")
    doc = Path("docs/transition-pack-schema.md").read_text()
    assert f"schema_version` is `{data['schema_version']}`" in doc
    for key in SCHEMA["properties"]:
        assert f"`{key}`" in doc, f"{key} is not described in docs/transition-pack-schema.md"


def test_a_rich_pupil_arrives_field_by_field(rich, senco, outsider):
    data = pack_data(rich, school=senco.school)
    pupil = transition_pack_import(
        school=outsider.school, data=parse_pack(json.dumps(data)), by=outsider.user
    ).pupil
    pupil.refresh_from_db()
    for name in PUPIL_FIELDS:
        assert getattr(pupil, name) == getattr(rich, name), name
    # The review held there (LA decision awaited) restarts the 12 months here as it did there.
    # There the support plan's review counts too, whichever comes first; here no support plan
    # is open yet, so the annual review is the next review.
    assert pupil.next_review_due == dt.date(2027, 2, 9)
    support_review = rich.support_cycles.get().review_date
    assert rich.next_review_due == min(support_review, dt.date(2027, 2, 9))

    def rows(qs, *fields):
        return [tuple(getattr(o, f) for f in fields) for o in qs]

    need = ("sen_type", "rank", "starts_on", "ends_on", "description")
    assert rows(pupil.needs.order_by("rank"), *need) == rows(rich.needs.order_by("rank"), *need)
    decision = ("decided_on", "from_status", "to_status", "evidence", "decided_by",
                "parents_informed", "parents_informed_on")  # fmt: skip
    order = ("decided_on",)
    assert rows(pupil.status_decisions.order_by(*order), *decision) == rows(
        rich.status_decisions.order_by(*order), *decision
    )
    for here, there in zip(pupil.status_decisions.order_by(*order),
                           rich.status_decisions.order_by(*order), strict=True):  # fmt: skip
        assert here.reason.startswith(there.reason)
    contact = ("name", "relationship", "parental_responsibility", "phone", "email",
               "preferred_contact", "language", "needs_interpreter")  # fmt: skip
    assert rows(pupil.contacts.all(), *contact) == rows(rich.contacts.all(), *contact)

    plan, sent = pupil.ehc_plans.get(), rich.ehc_plans.get()
    same = ("version", "status", "la_code", "la_name", "la_case_officer", "issued_on",
            "first_issued_on", "named_setting", "setting_type", "section_a",
            "section_b", "section_c", "section_d", "section_g", "section_h1", "section_h2",
            "section_k", "budget_type", "budget_amount", "budget_covers")  # fmt: skip
    assert {f: getattr(plan, f) for f in same} == {f: getattr(sent, f) for f in same}
    assert plan.last_review_before_import == dt.date(2026, 2, 10)
    # The sending school's phase transfer choice is not this school's: worked out from the year.
    assert (sent.phase_transfer, plan.phase_transfer) == ("school", "")
    outcome = ("order", "area", "outcome", "by_when")
    assert rows(plan.outcomes.all(), *outcome) == rows(sent.outcomes.all(), *outcome)
    item = ("order", "provision", "hours_per_week", "frequency", "provided_by", "group_size")
    assert rows(plan.provision_items.all(), *item) == rows(sent.provision_items.all(), *item)
    # Top-up funding is the LA's money to the sending school: the new school agrees its own.
    assert not plan.top_ups.exists() and not TopUpFunding.objects.filter(pupil=pupil).exists()

    involvement = Involvement.objects.get(pupil=pupil)
    assert (involvement.agency.name, involvement.agency.kind, involvement.agency.phone,
            involvement.agency.email) == ("Bristol SALT", "salt", "0117 000 0001",
                                          "salt@example.org")  # fmt: skip
    assert (involvement.professional.name, involvement.professional.role) == ("Sam Reed", "SALT")
    assert (involvement.referral_date, involvement.status, involvement.discharged_on) == (
        dt.date(2023, 11, 1), "discharged", dt.date(2025, 7, 1))  # fmt: skip

    arrangement = AccessArrangement.objects.get(pupil=pupil)
    form8 = ("kind", "route", "assessor_name", "assessor_qualification", "assessed_on",
             "score_1_test", "score_1", "score_2_test", "score_2")  # fmt: skip
    assert rows([arrangement], *form8) == rows(rich.access_arrangements.all(), *form8)
    assert arrangement.approved_on is None  # a past arrangement, never an approved one (JCQ)
    assert "AAO reference AAO-1" in arrangement.normal_way_of_working
    assert "approved there 20 January 2025" in arrangement.normal_way_of_working

    # Reviews and provision history: one dated event each (two for an ended intervention).
    events = {(e.happened_on.isoformat(), e.title) for e in pupil.imported_events.all()}
    name = data["provision"][0]["intervention"]
    assert events == {
        ("2026-02-10", "Annual review (EHC plan): Maintain the plan unchanged"),
        ("2025-09-08", f"{name} started"),
        ("2025-12-12", f"{name} ended"),
    }
    ended = pupil.imported_events.get(title=f"{name} ended")
    assert "entry 84.0, exit 91.0" in ended.detail and "Cost £" in ended.detail
