"""DfE census codes (DOMAIN.md sections 2 and 10). Data, not logic, so a new census year's codes
are a one-line change."""

from django.db import models


class SenStatus(models.TextChoices):
    """Where a pupil stands. MONITORING is the school's own watch list; it counts as N in the
    census (DOMAIN.md 2.2)."""

    NONE = "N", "Not on the SEN register"
    MONITORING = "M", "Monitoring (census N)"
    SUPPORT = "K", "SEN support (K)"
    EHCP = "E", "EHC plan (E)"


CENSUS_CODE = {"N": "N", "M": "N", "K": "K", "E": "E"}
ON_REGISTER = ("K", "E")


class Area(models.TextChoices):
    CI = "CI", "Communication and interaction"
    CL = "CL", "Cognition and learning"
    SEMH = "SEMH", "Social, emotional and mental health"
    SP = "SP", "Sensory and/or physical"
    UNASSIGNED = "NA", "Not assigned to a broad area"


class SenType(models.TextChoices):
    SPLD = "SPLD", "Specific learning difficulty"
    MLD = "MLD", "Moderate learning difficulty"
    SLD = "SLD", "Severe learning difficulty"
    PMLD = "PMLD", "Profound and multiple learning difficulty"
    SEMH = "SEMH", "Social, emotional and mental health"
    SLCN = "SLCN", "Speech, language and communication needs"
    HI = "HI", "Hearing impairment"
    VI = "VI", "Vision impairment"
    MSI = "MSI", "Multi-sensory impairment"
    PD = "PD", "Physical disability"
    ASD = "ASD", "Autistic spectrum disorder"
    DS = "DS", "Down syndrome"
    OTH = "OTH", "Other difficulty/disability"
    NSA = "NSA", "SEN support but no specialist assessment of type of need"


# Default broad area for each type (CoP 6.28-6.35). DS, OTH and NSA have no official area; a
# school can set its own mapping (pupils.models.NeedAreaMapping).
DEFAULT_AREA = {
    "SLCN": "CI",
    "ASD": "CI",
    "MLD": "CL",
    "SLD": "CL",
    "PMLD": "CL",
    "SPLD": "CL",
    "DS": "CL",
    "SEMH": "SEMH",
    "VI": "SP",
    "HI": "SP",
    "MSI": "SP",
    "PD": "SP",
    "OTH": "NA",
    "NSA": "NA",
}


class NcYear(models.TextChoices):
    E1 = "E1", "Early years (under 2)"
    E2 = "E2", "Early years (2-year-olds)"
    N1 = "N1", "Nursery 1"
    N2 = "N2", "Nursery 2"
    R = "R", "Reception"
    Y1 = "1", "Year 1"
    Y2 = "2", "Year 2"
    Y3 = "3", "Year 3"
    Y4 = "4", "Year 4"
    Y5 = "5", "Year 5"
    Y6 = "6", "Year 6"
    Y7 = "7", "Year 7"
    Y8 = "8", "Year 8"
    Y9 = "9", "Year 9"
    Y10 = "10", "Year 10"
    Y11 = "11", "Year 11"
    Y12 = "12", "Year 12"
    Y13 = "13", "Year 13"
    Y14 = "14", "Year 14"
    X = "X", "Not following the National Curriculum"


NC_YEAR_ORDER = {code: index for index, code in enumerate(NcYear.values)}


class Gender(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    OTHER = "X", "Other / not recorded"
