from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.factories import PupilFactory

TABLE = Path(__file__).with_name("url_matrix.md")


def pytest_sessionfinish(session, exitstatus):
    """Write the role-by-URL table after a run that covered every URL."""
    import sys

    module = sys.modules.get("tests.security.test_url_matrix")
    if module is None or not module.RESULTS or hasattr(session.config, "workerinput"):
        return
    declared = [r for r in module.ROUTES if module.declaration(r) is not None]
    if len(module.RESULTS) >= len(declared):
        module.write_table(TABLE)


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
