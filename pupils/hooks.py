"""Extension points that let higher apps (provision, reviews) extend the register without the
register importing them. Higher apps register in their AppConfig.ready()."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ChronologyEntry:
    """One dated event on a pupil's chronology. `kind` is a short label ("Review", "Plan");
    `url` is an in-app path or "".

    Need-to-know (DOMAIN.md 8.3): an entry with a `capability` is shown as it is only to a
    member who holds it; anyone else who may open the profile sees `otherwise` instead, a
    shorter form of the same event, or nothing when that is None (reviews: a teacher sees that
    an EHC plan was issued, not the LA's steps of the needs assessment)."""

    date: dt.date
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    capability: str = ""
    otherwise: "ChronologyEntry | None" = None

    def as_seen(self, can: Callable[[str], bool]) -> "ChronologyEntry | None":
        """This entry as a member with capabilities `can` sees it, or None for not at all."""
        entry = self
        while entry is not None and entry.capability and not can(entry.capability):
            entry = entry.otherwise
        return entry


# (membership) -> queryset of pupil ids the member may see besides their teaching groups
# (e.g. provision: pupils in the groups a TA delivers).
visibility_sources: list[Callable] = []

# (pupil) -> bool: does an issued EHC plan exist? Needed before status E (census rule).
ehc_plan_checkers: list[Callable] = []

# (pupil) -> list[ChronologyEntry]: events for the profile's chronology, each with the
# capability it needs (ChronologyEntry.capability) where not every viewer of the profile may see it.
chronology_sources: list[Callable] = []

# (list of pupils) -> {pupil id: [strategy text, ...]}, in a constant number of queries
# whatever the number of pupils: what the "my classes" page shows beside each pupil (e.g.
# reviews: the strategies of the pupil's issued support plan).
class_strategy_sources: list[Callable] = []

# (request, pupil) -> list of (label, url) or (label, url, detail) for the profile's "Plans and
# provision" card (reviews: support plans and EHC; provision: the pupil's groups). A source
# returns nothing for a member who may not open the page it links to.
profile_links: list[Callable] = []

# {query parameter: (pupil, uuid.UUID) -> dict} for the status decision form: a higher app's
# record named in the form's address fills in the date, reason and evidence (reviews:
# ?review=<support plan cycle> after a review that agreed the pupil leaves the register). A
# source returns {} for a record that is not the pupil's.
decision_prefills: dict[str, Callable] = {}


# (pupil) -> list[str]: what a higher app closed when the pupil left, in the same transaction
# (provision: their places in groups end on the leaving date, so they are not on a session
# register or charged a share after they left). Each line is said back to the SENCO and kept
# in the audit detail.
leaving_handlers: list[Callable] = []

# (pupil) -> list[str]: what the leaving handlers would close, in the future tense, for the
# leaving form to say before the SENCO records that the pupil left (reviews: the open support
# plan; provision: their places in groups). Reads only, in a constant number of queries.
leaving_previews: list[Callable] = []


# (pupil, decision) -> list[str]: what a higher app ended because a status decision took the
# pupil off the SEN register (to N or the monitoring list), in the decision's transaction
# (reviews: the open support plan cycle ends, its contribution links are revoked, so no review
# falls due, no reminder or chaser goes out). Each line is said back to the SENCO and kept in
# the audit detail, as the leaving handlers' lines are.
off_register_handlers: list[Callable] = []

# (pupil) -> list[str]: what the off-register handlers would end, in the future tense, for the
# decision form to warn the SENCO before they record the decision. Reads only.
off_register_previews: list[Callable] = []


# (pupil) -> str: which review Pupil.next_review_due is ("support plan review", "EHC plan annual
# review"), or "" when the source cannot tell, for the profile to say beside the date. A source
# reads what the profile loads already (once_per_pupil), so it adds no query.
next_review_kinds: list[Callable] = []


# (day) -> a boolean expression over pupils (OuterRef("pk") is the pupil): true when the school
# receives LA high-needs top-up (element 3) for the pupil on that day. This is the census top-up
# indicator (DOMAIN.md 2.5), which is not stored on the pupil (provision: a TopUpFunding record
# current on the day). It is annotated on the query that reads the pupils, so it adds no query.
top_up_indicators: list[Callable] = []


def add(hook_list: list, fn: Callable) -> None:
    """Add `fn` to one of the lists above, once: an AppConfig.ready() can run more than once
    (test runners), and a source listed twice would say everything twice."""
    if fn not in hook_list:
        hook_list.append(fn)


@dataclass(frozen=True)
class ProfileLink:
    label: str
    url: str
    detail: str = ""


def once_per_pupil(pupil, key: str, load):
    """What `load()` returns, worked out once per pupil object: the profile's chronology and its
    "Plans and provision" card read the same records in one request, so a source loads them
    once and both use them (a pupil object lives for one request)."""
    store = pupil.__dict__.setdefault("_hook_cache", {})
    if key not in store:
        store[key] = load()
    return store[key]


def next_review_kind(pupil) -> str:
    """Which review the pupil's next review due is, from the first source that can tell."""
    if pupil.next_review_due is None:
        return ""
    return next((kind for source in next_review_kinds if (kind := source(pupil))), "")


def has_ehc_plan(pupil) -> bool:
    return any(check(pupil) for check in ehc_plan_checkers)


def top_up_indicator(day: dt.date):
    """The census top-up indicator on `day`, to annotate on a Pupil queryset:
    `pupils.annotate(top_up_funded=hooks.top_up_indicator(day))`."""
    from django.db.models import BooleanField, ExpressionWrapper, Q, Value

    expressions = [source(day) for source in top_up_indicators]
    if not expressions:
        return Value(False, output_field=BooleanField())
    if len(expressions) == 1:
        return expressions[0]
    combined = Q()
    for expression in expressions:
        combined |= Q(expression)
    return ExpressionWrapper(combined, output_field=BooleanField())


def class_strategies(pupils) -> dict[int, list[str]]:
    """Every source's strategies for these pupils, merged: {pupil id: [text, ...]}."""
    pupils = list(pupils)
    merged: dict[int, list[str]] = {}
    if not pupils:
        return merged
    for source in class_strategy_sources:
        for pupil_id, texts in source(pupils).items():
            merged.setdefault(pupil_id, []).extend(texts)
    return merged


def profile_links_for(request, pupil) -> list[ProfileLink]:
    return [ProfileLink(*link) for source in profile_links for link in source(request, pupil)]


def on_off_register(pupil, decision) -> list[str]:
    """Run every app's off-register handler for a decision that took the pupil off the
    register; what they did."""
    done: list[str] = []
    for handler in off_register_handlers:
        done.extend(handler(pupil, decision))
    return done


def off_register_preview(pupil) -> list[str]:
    """What recording a decision that takes the pupil off the register would end."""
    return [line for preview in off_register_previews for line in preview(pupil)]


def leaving_preview(pupil) -> list[str]:
    """What recording that the pupil left the school would close in other apps."""
    return [line for preview in leaving_previews for line in preview(pupil)]


def on_leaving(pupil) -> list[str]:
    """Run every app's leaving handler for a pupil who has just left; what they did."""
    done: list[str] = []
    for handler in leaving_handlers:
        done.extend(handler(pupil))
    return done
