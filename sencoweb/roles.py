"""Named capabilities, and which role holds which. Views ask for a capability, never a role.

Add a capability here first, give it to the roles that need it, then check it with
`@capability_required("...")` or `request.membership.can("...")`.
"""

SENCO = "senco"
TEACHER = "teacher"
TA = "ta"
HEAD = "head"
GOVERNOR = "governor"
TRUST = "trust"

ROLE_CHOICES = [
    (SENCO, "SENCO"),
    (TEACHER, "Teacher"),
    (TA, "Teaching assistant"),
    (HEAD, "Headteacher"),
    (GOVERNOR, "Governor"),
    (TRUST, "Trust SEND lead (read only)"),
]


def role_in_brackets(role: str) -> str:
    """A role's name to stand in brackets after a person's, as in the site header: a name with
    an aside of its own gives it after a comma, so a trust lead reads "Fiona Okoro (Trust SEND
    lead, read only)", not "(Trust SEND lead (read only))"."""
    label = str(dict(ROLE_CHOICES).get(role, role))
    name, bracket, aside = label.partition(" (")
    return f"{name}, {aside.removesuffix(')')}" if bracket else label


CAPABILITIES = {
    # The register and pupil records
    "register.view_all": "See every pupil on the SEN register of the school",
    "register.view_taught": "See the pupils in one's own teaching and provision groups",
    "register.edit": "Change SEN status, needs, profiles, contacts and agencies",
    "register.import": "Import pupils from a MIS export or a CTF",
    "register.export": "Export the register to CSV or XLSX",
    "concerns.raise": "Raise a concern about a pupil",
    "concerns.triage": "Triage concerns raised by staff",
    "documents.view": "Open documents attached to pupils (reports, letters)",
    # The graduated approach and EHC plans
    "plans.view": "See support plans and reviews, and the classroom view of an EHC plan in force",
    "plans.edit": "Open, plan, issue and review support plan cycles",
    "plans.edit_when_allowed": "Edit the support plans of taught pupils where the SENCO allows it",
    "ehc.view_full": "See whole EHC plans, needs assessment requests and annual reviews",
    "ehc.edit": "Record EHC needs assessments, plans and annual reviews",
    "deadlines.view": "See statutory deadlines",
    # Provision
    "provision.view": "See the provision map",
    "provision.manage": "Manage interventions, groups, enrolments and budget",
    "provision.log_session": "Log sessions for groups one delivers",
    "provision.view_costs": "See staff hourly rates and per-pupil costs",
    # Reports and dashboards
    "dashboard.view": "See the school dashboard with named drill-downs",
    "dashboard.view_anonymised": "See the anonymised dashboard",
    "dashboard.cross_school": "See dashboards across all of one's schools",
    "reports.governors.download": "Download the governors' annual SEN report",
    "reports.build": "Build reports and transition packs",
    "reports.info_report.edit": "Edit the SEN information report",
    # Oversight
    "audit.view": "See and export the audit trail",
    "privacy.manage": "Subject access exports and records due for destruction",
    "staff.manage": "Manage staff training and the SENCO's qualification",
    "school.settings": "Edit school settings, term dates and LA rules",
    "people.manage": "Add staff accounts, change their roles and deactivate them",
}

_STAFF_READ = {
    "register.view_taught",
    "concerns.raise",
    "plans.view",
    "provision.view",
    "provision.log_session",
    "deadlines.view",
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    SENCO: frozenset(CAPABILITIES) - {"dashboard.cross_school"},
    HEAD: frozenset(
        {
            "register.view_all",
            "register.export",
            "concerns.raise",
            "documents.view",
            "plans.view",
            "ehc.view_full",
            "deadlines.view",
            "provision.view",
            "provision.view_costs",
            "dashboard.view",
            "dashboard.view_anonymised",
            "dashboard.cross_school",
            "reports.governors.download",
            "reports.build",
            "reports.info_report.edit",
            "audit.view",
            "staff.manage",
            "school.settings",
            "people.manage",
        }
    ),
    TEACHER: frozenset(_STAFF_READ | {"plans.edit_when_allowed"}),
    TA: frozenset(_STAFF_READ),
    GOVERNOR: frozenset({"dashboard.view_anonymised", "reports.governors.download"}),
    TRUST: frozenset(
        {
            "register.view_all",
            "plans.view",
            "ehc.view_full",
            "deadlines.view",
            "provision.view",
            "provision.view_costs",
            "dashboard.view",
            "dashboard.view_anonymised",
            "dashboard.cross_school",
            "reports.governors.download",
        }
    ),
}

# Roles whose sign-in must use a second factor (issue: security).
TWO_FACTOR_ROLES = frozenset({SENCO, HEAD, TRUST})

for _role, _caps in ROLE_CAPABILITIES.items():
    _unknown = _caps - set(CAPABILITIES)
    assert not _unknown, f"{_role} has unknown capabilities {_unknown}"


def role_can(role: str, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"Unknown capability {capability!r}: add it to sencoweb/roles.py")
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
