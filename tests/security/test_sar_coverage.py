"""Subject access export coverage: every record that holds data about a pupil is in the export,
including the records added since it was written (top-up funding linked to EHC plans, ceased
plans, events at a previous school, sessions attended, contributions, documents)."""

import json

import pytest

from provision.models import TopUpFunding
from reports import sar
from tests.security.lifecycle import make_rich_pupil, pupil_links


@pytest.fixture
def rich(school, senco, taught_pupil):
    return make_rich_pupil(school, senco, taught_pupil)


def test_every_model_linked_to_a_pupil_is_exported_or_excluded_with_a_reason(rich):
    """A new record type that points at a pupil fails here until it is in the export (the
    generic walk finds it once it has rows) or listed in sar.NOT_EXPORTED with why."""
    data = sar.subject_access_data(rich)
    exported = set()

    def walk(sections):
        for section in sections:
            exported.add(section["model"])
            for row in section["rows"]:
                walk(row["records"])

    walk(data["records"])
    missing = [
        f"{label}.{name}"
        for label, name in pupil_links()
        if label not in exported and label not in sar.NOT_EXPORTED
    ]
    assert missing == [], "pupil-linked records missing from the subject access export"
    assert all(reason.strip() for reason in sar.NOT_EXPORTED.values())
    # Every history model left out is in the change history instead, with this pupil's rows.
    records = [h["record"] for h in data["change_history"]]
    for label in sar.NOT_EXPORTED:
        title = HISTORY_TITLES[label]  # a new exclusion must say where its data is
        assert any(r.startswith(title) for r in records), label


# How the change history names each history model's versions (pupils.selectors.change_history).
HISTORY_TITLES = {
    "pupils.HistoricalPupil": "Pupil record",
    "pupils.HistoricalNeed": "Need: ",
    "pupils.HistoricalContact": "Parent or carer: ",
    "pupils.HistoricalLiaisonEntry": "Liaison: ",
    "pupils.HistoricalInvolvement": "Agency: ",
    "pupils.HistoricalAccessArrangement": "Access arrangement: ",
}


def test_the_export_holds_the_new_records_in_full(rich):
    data = sar.subject_access_data(rich)
    sections = {s["model"]: s for s in data["records"]}
    plan = sections["reviews.EhcPlan"]["rows"][0]["fields"]
    assert plan["status"] == "Ceased"
    assert plan["Date the plan ceased"] == "2026-07-20"
    assert plan["Why the plan ceased"] == "Needs met without a plan"
    assert plan["Top-up funding (element 3)"] == [str(TopUpFunding.objects.get())]
    assert sections["provision.TopUpFunding"]["rows"][0]["fields"]["Annual amount"] == "6000.00"
    assert sections["pupils.ImportedEvent"]["rows"][0]["fields"]["Previous school"] == "Elm"
    sessions = sections["provision.SessionLog"]
    assert sessions["record_type"] == "Sessions attended (provision session register)"
    assert sessions["rows"][0]["fields"]["note"] == "Good focus"
    assert "provision.ProvisionGroup" in sections  # set up for this pupil alone
    cycle = sections["reviews.SupportCycle"]["rows"][0]
    links = next(c for c in cycle["records"] if c["model"] == "reviews.ContributionLink")
    fields = links["rows"][0]["fields"]
    assert fields["answers"] == {"parent_views": "She loves the new group"}
    assert fields["report"].startswith("contributions/")
    assert "token_hash" not in json.dumps(fields)
    text = json.dumps(data)
    assert "Classmate" not in text  # other attendees and group members are third parties
    assert any(h["record"] == "Parent or carer: Grace Okafor" for h in data["change_history"])
    assert data["access_log"][0]["summary"] == "Opened the record"
