from pathlib import Path

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
