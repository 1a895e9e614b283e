from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.factories import PupilFactory

TABLE = Path(__file__).with_name("url_matrix.md")


def pytest_sessionfinish(session, exitstatus):
    """Write the role-by-URL table after a run that covered every URL.

    Under pytest-xdist each worker holds part of the results: each saves its part to a folder
    shared by the run, and whichever worker finds the parts complete writes the table."""
    import json
    import os
    import sys
    import tempfile

    module = sys.modules.get("tests.security.test_url_matrix")
    if module is None or not module.RESULTS:
        return
    results = dict(module.RESULTS)
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id:
        folder = Path(tempfile.gettempdir()) / f"sencoweb-url-matrix-{run_id}"
        folder.mkdir(exist_ok=True)
        worker = session.config.workerinput["workerid"]
        part = folder / f"{worker}.json"
        part.with_suffix(".tmp").write_text(json.dumps(results))
        part.with_suffix(".tmp").replace(part)
        for other in folder.glob("*.json"):
            results.update(json.loads(other.read_text()))
    declared = [r for r in module.ROUTES if module.declaration(r) is not None]
    if len(results) >= len(declared):
        module.RESULTS.update(results)
        tmp = TABLE.with_suffix(f".{os.getpid()}.tmp")
        module.write_table(tmp)
        tmp.replace(TABLE)


@pytest.fixture
def matrix_cast(school, senco, teacher, ta, head, governor, trustlead, outsider, taught_pupil):
    untaught = PupilFactory(school=school, first_name="Untaught", sen_status="K")
    return SimpleNamespace(
        school=school,
        pupil=taught_pupil,
        untaught_pupil=untaught,
        members={
            "senco": senco,
            "teacher": teacher,
            "ta": ta,
            "head": head,
            "governor": governor,
            "trust": trustlead,
            "outsider": outsider,
            "teacher_untaught": teacher,
        },
        senco=senco,
        teacher=teacher,
        ta=ta,
        head=head,
        governor=governor,
        trustlead=trustlead,
        outsider=outsider,
    )
