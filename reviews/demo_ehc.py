"""Demo EHC data: every E pupil gets an issued plan (so census readiness is clean), with annual
reviews at every stage (due soon, overdue, report late, LA decision late, amendment in progress,
amended, done); needs assessment requests at every stage for some K pupils, some overdue; and one
Year 6 phase transfer per primary. Called from reviews/demo.py: seed(ctx). Idempotent and bulk.

Each plan's history is told in the order it happened (`_history`): on SEN support (K), then the
request for a needs assessment, the plan 20 weeks later, then the move to E; the register's
demo dates of those pupils are rewritten to match (`_rewrite_register`)."""

import datetime as dt
from decimal import Decimal

from provision.models import TopUpFunding
from pupils.models import Need, Pupil, StatusDecision

from .deadlines import add_months
from .models import (
    AnnualReview,
    EhcOutcome,
    EhcPlan,
    EhcProvisionItem,
    EhcRequest,
    LaRuleProfile,
)
from .next_review import pupils_next_review_sync

OUTCOMES = [
    (
        "CI",
        "Will take part in a small-group conversation, taking turns, with adult prompts",
        "July",
    ),
    (
        "CL",
        "Will read and understand a short text at their level and answer questions on it",
        "July",
    ),
    ("SEMH", "Will name how they feel and use an agreed calming strategy when upset", "December"),
    ("SP", "Will manage classroom equipment and move around the site independently", "July"),
    ("PFA", "Will travel to a familiar place with a trusted adult, planning the route", "July"),
]
PROVISION = [
    (
        "Speech and language programme set by the SALT, delivered 1:1",
        Decimal("1.5"),
        "3 x 30 minutes a week",
        "TA trained by the SALT",
        "1:1",
    ),
    (
        "Adult support in class for literacy and numeracy lessons",
        Decimal("10"),
        "Daily, core lessons",
        "Teaching assistant",
        "1:1",
    ),
    ("Emotional literacy (ELSA) sessions", Decimal("0.75"), "45 minutes a week", "ELSA", "1:1"),
    (
        "Precision teaching of sight words",
        Decimal("0.83"),
        "10 minutes a day",
        "Teaching assistant",
        "1:1",
    ),
    (
        "Occupational therapy programme",
        Decimal("1"),
        "2 x 30 minutes a week",
        "TA with OT advice",
        "1:1",
    ),
]
BANDS = [("B", Decimal("3200")), ("C", Decimal("5400")), ("D", Decimal("8100"))]

# (stage name, how long ago the plan was issued in days, review fields as day offsets from today)
REVIEW_STAGES = [
    ("due_soon", 345, {"advice_requested_on": -5}),
    ("overdue", 400, None),
    (
        "report_late",
        200 + 365,
        {"invitations_sent_on": -40, "advice_circulated_on": -35, "meeting_on": -20},
    ),
    (
        "decision_late",
        220 + 365,
        {
            "invitations_sent_on": -55,
            "advice_circulated_on": -50,
            "meeting_on": -35,
            "report_sent_on": -28,
        },
    ),
    (
        "amending",
        300 + 365,
        {
            "invitations_sent_on": -70,
            "advice_circulated_on": -65,
            "meeting_on": -50,
            "report_sent_on": -40,
            "la_decision_on": -24,
            "la_outcome": "amend",
            "amendment_proposals_on": -24,
        },
    ),
    ("amended", 400 + 365, None),  # v1 superseded, v2 issued after an amend review
    ("done", 150 + 365, None),  # reviewed five months ago, maintained
    ("new_plan", 90, None),  # first review not due for nine months
]


def seed(ctx):
    for school in ctx.schools:
        if EhcPlan.objects.for_school(school).exists():
            continue
        _seed_school(ctx, school)


def _d(ctx, days: int) -> dt.date:
    return ctx.today + dt.timedelta(days=days)


def _meeting_day(day: dt.date) -> dt.date:
    """A review meeting is held on a weekday: a demo date at a weekend moves back to Friday."""
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


def _weekday_from(day: dt.date) -> dt.date:
    """A weekday on or after `day`: a weekend moves on to Monday."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)


def _seed_school(ctx, school):
    rng = ctx.rng(f"reviews_ehc:{school.urn}")
    LaRuleProfile.objects.get_or_create(
        school=school,
        la_code=school.la_code,
        defaults={
            "la_name": school.la_name,
            "report_to_la_days": 10,
            "advice_request_lead_days": 35,
        },
    )
    # Oldest first, and the oldest plans to the oldest pupils: a plan issued two years ago
    # belongs to a Year 5 child, not to one who started Reception in September.
    e_pupils = sorted(
        Pupil.objects.for_school(school).current().filter(sen_status="E"),
        key=lambda p: (p.date_of_birth, p.pk),
    )
    stages = sorted(
        (REVIEW_STAGES[i % len(REVIEW_STAGES)] for i in range(len(e_pupils))),
        key=lambda stage: -stage[1],
    )
    senco = (ctx.staff_of(school, "senco") or [None])[0]
    history_rng = ctx.rng(f"reviews_ehc_history:{school.urn}")
    plans, versions, reviews, histories = [], [], [], {}
    # One Year 6 phase transfer per primary: if no E pupil is in Year 6, the override stands in.
    needs_transfer = school.phase == "primary" and not any(p.nc_year == "6" for p in e_pupils)
    for pupil, (stage, issued_ago, fields) in zip(e_pupils, stages, strict=True):
        issued = _d(ctx, -issued_ago)
        plan = _plan(ctx, rng, school, pupil, issued, senco)
        histories[pupil.pk] = history = _history(history_rng, issued, today=ctx.today)
        plan.request = _final_request(school, pupil, senco, history, rng=history_rng)
        if needs_transfer:
            plan.phase_transfer = EhcPlan.Transfer.SCHOOL
            needs_transfer = False
        plans.append(plan)
        if stage == "amended":
            plan.status = EhcPlan.Status.SUPERSEDED
            meeting = _meeting_day(_d(ctx, -120))
            reviews.append(
                _review(
                    school,
                    plan,
                    pupil,
                    senco,
                    last_review=add_months(issued, 12) - dt.timedelta(days=30),
                    meeting_on=meeting,
                    invitations_sent_on=meeting - dt.timedelta(days=21),
                    advice_circulated_on=meeting - dt.timedelta(days=16),
                    report_sent_on=meeting + dt.timedelta(days=9),
                    la_decision_on=meeting + dt.timedelta(days=27),
                    la_outcome="amend",
                    amendment_proposals_on=meeting + dt.timedelta(days=27),
                    final_amended_plan_on=_d(ctx, -30),
                    recommendation="amend",
                )
            )
            v2 = _plan(ctx, rng, school, pupil, _d(ctx, -30), senco, version=2, first=issued)
            v2.phase_transfer = plan.phase_transfer  # carried into the amended plan
            versions.append((plan, v2))
        elif stage == "done":
            last = _meeting_day(_d(ctx, -160))
            reviews.append(
                _review(
                    school,
                    plan,
                    pupil,
                    senco,
                    meeting_on=last,
                    invitations_sent_on=last - dt.timedelta(days=20),
                    advice_circulated_on=last - dt.timedelta(days=15),
                    report_sent_on=last + dt.timedelta(days=8),
                    la_decision_on=last + dt.timedelta(days=25),
                    la_outcome="maintain",
                    recommendation="maintain",
                )
            )
        elif fields is not None:
            values = {k: (_d(ctx, v) if k.endswith("_on") else v) for k, v in fields.items()}
            if "meeting_on" in values:
                values["meeting_on"] = _meeting_day(values["meeting_on"])
            # A plan older than a year had its last annual review about 11.5 months after issue.
            last = add_months(issued, 12) - dt.timedelta(days=14) if issued_ago > 365 else None
            reviews.append(_review(school, plan, pupil, senco, last_review=last, **values))
    EhcRequest.objects.bulk_create([plan.request for plan in plans])
    EhcPlan.objects.bulk_create(plans)
    for old, new in versions:
        new.previous = old
    EhcPlan.objects.bulk_create([new for _, new in versions])
    AnnualReview.objects.bulk_create(reviews)
    in_force = [p for p in plans if p.status == EhcPlan.Status.ISSUED] + [
        new for _, new in versions
    ]
    _children(rng, in_force + [old for old, _ in versions])
    _top_ups(school, plans, versions)
    _next_review_due(in_force)
    _rewrite_register(e_pupils, histories, today=ctx.today)
    _requests(ctx, rng, school, senco)
    ctx.log(f"  {school.name}: {len(in_force)} EHC plans, {len(reviews)} annual reviews")


def _plan(ctx, rng, school, pupil, issued, senco, version=1, first=None):
    band, amount = rng.choice(BANDS)
    plan = EhcPlan(
        school=school,
        pupil=pupil,
        version=version,
        status=EhcPlan.Status.ISSUED,
        la_code=school.la_code,
        la_name=school.la_name,
        la_case_officer=rng.choice(["J. Whitfield", "S. Karim", "L. Osei"]),
        issued_on=issued,
        first_issued_on=first or issued,
        section_a=f"{pupil.first_name} enjoys drawing and being with friends, and wants to work with animals.",
        section_b="Needs set out in the educational psychologist's and speech and language advice.",
        section_c="Reviewed by the community paediatrician yearly.",
        section_d="No social care needs identified.",
        section_g="Speech and language therapy assessment and advice, termly.",
        named_setting=school.name,
        setting_type="Mainstream",
        section_k="Appendix 1 parent views; 2 EP advice; 3 SALT advice; 4 school advice.",
        created_by=senco,
    )
    plan.demo_top_up = (band, amount)  # the LA's band for this version, see _top_ups
    return plan


def _top_ups(school, plans, versions):
    """Element 3 top-up for four plans in five (not every EHC plan brings top-up, DOMAIN.md
    5.1): one TopUpFunding record, linked to the plan, which the budget and the governors'
    report count. An amended plan goes on with its predecessor's top-up: the same record is
    linked to both versions, so the money is counted once."""
    amended = {id(old): new for old, new in versions}
    links = []  # (plan, record)
    for n, plan in enumerate(plans):
        if n % 5 == 4:
            continue
        band, amount = plan.demo_top_up
        record = TopUpFunding(
            school=school,
            pupil=plan.pupil,
            la_name=plan.la_name,
            band=band,
            amount=amount,
            starts_on=plan.issued_on,
            with_ehc_plan=True,
        )
        links.append((plan, record))
        if id(plan) in amended:
            links.append((amended[id(plan)], record))
    TopUpFunding.objects.bulk_create(list({id(r): r for _, r in links}.values()))
    through = EhcPlan.top_ups.through
    through.objects.bulk_create(
        [through(ehcplan_id=plan.pk, topupfunding_id=record.pk) for plan, record in links]
    )


def _review(school, plan, pupil, senco, *, last_review=None, **fields):
    return AnnualReview(
        school=school,
        plan=plan,
        pupil=pupil,
        kind=AnnualReview.Kind.ANNUAL,
        last_review_on=last_review,
        attendees="Parent, class teacher, SENCO, LA SEN officer"
        if fields.get("meeting_on")
        else "",
        created_by=senco,
        **fields,
    )


def _children(rng, plans):
    outcomes, items = [], []
    for plan in plans:
        for order, (area, text, when) in enumerate(rng.sample(OUTCOMES, 3)):
            outcomes.append(
                EhcOutcome(plan=plan, order=order, area=area, outcome=text, by_when=when)
            )
        for order, (text, hours, freq, who, group) in enumerate(rng.sample(PROVISION, 3)):
            items.append(
                EhcProvisionItem(
                    plan=plan,
                    order=order,
                    provision=text,
                    hours_per_week=hours,
                    frequency=freq,
                    provided_by=who,
                    group_size=group,
                )
            )
    EhcOutcome.objects.bulk_create(outcomes)
    EhcProvisionItem.objects.bulk_create(items)


def _history(rng, issued: dt.date, *, today: dt.date) -> dict:
    """A first plan's story, worked back from its issue date. On SEN support (K) for two terms
    to over a year before the request for an EHC needs assessment (made while on K, DOMAIN.md
    3.1); the LA's steps inside the 20 weeks (3.2: decision by week 6, advice within 6 weeks of
    being asked, draft by week 16, 15 days for comments, final plan by week 20); the move to E
    on the issue date or within a fortnight of it, never before (a pupil is coded E only once
    the plan exists, 2.2)."""
    received = issued - dt.timedelta(days=rng.randint(126, 140))
    decision = received + dt.timedelta(days=rng.randint(30, 42))
    advice_asked = decision + dt.timedelta(days=rng.randint(1, 5))
    draft = received + dt.timedelta(days=rng.randint(98, 110))
    return {
        "k_on": _meeting_day(received - dt.timedelta(days=rng.randint(150, 480))),
        "received_on": received,
        "decision_to_assess_on": decision,
        "advice_requested_on": advice_asked,
        "advice_received_on": advice_asked + dt.timedelta(days=rng.randint(28, 42)),
        "draft_issued_on": draft,
        "representations_received_on": draft + dt.timedelta(days=rng.randint(10, 15)),
        "final_issued_on": issued,
        "e_on": min(_weekday_from(issued + dt.timedelta(days=rng.randint(0, 10))), today),
    }


def _final_request(school, pupil, senco, history, *, rng):
    return EhcRequest(
        school=school,
        pupil=pupil,
        requested_by=rng.choice(["school", "parent", "parent", "school"]),
        la_code=school.la_code,
        la_name=school.la_name,
        decided_to_assess=True,
        created_by=senco,
        **{k: v for k, v in history.items() if k not in ("k_on", "e_on")},
    )


def _rewrite_register(pupils, histories, *, today):
    """The register's demo dates its E pupils' moves to K and E without knowing their plans:
    give them the plan's chronology (`_history`); needs identified when the pupil went on SEN
    support start then. A few bulk queries per school, none per pupil."""
    by_pupil = {p.pk: p for p in pupils}
    decisions = list(
        StatusDecision.objects.filter(pupil_id__in=histories, to_status__in=("K", "E"))
    )
    for decision in decisions:
        history = histories[decision.pupil_id]
        decision.decided_on = history[f"{decision.to_status.lower()}_on"]
        if decision.parents_informed or decision.parents_informed_on:
            decision.parents_informed_on = min(decision.decided_on + dt.timedelta(days=3), today)
    StatusDecision.objects.bulk_update(
        decisions, ["decided_on", "parents_informed_on"], batch_size=500
    )
    needs = list(Need.objects.filter(pupil_id__in=histories, ends_on__isnull=True))
    for need in needs:
        need.starts_on = histories[need.pupil_id]["k_on"]
        if need.description.startswith("Identified "):
            need.description = f"Identified {need.starts_on:%B %Y}."
    Need.objects.bulk_update(needs, ["starts_on", "description"], batch_size=500)
    for pupil_id, history in histories.items():
        pupil = by_pupil[pupil_id]
        pupil.sen_status_since = history["e_on"]
        pupil.date_parents_notified = min(history["e_on"] + dt.timedelta(days=3), today)
    Pupil.objects.bulk_update(
        [by_pupil[pk] for pk in histories],
        ["sen_status_since", "date_parents_notified"],
        batch_size=500,
    )


def _next_review_due(plans):
    """Pupil.next_review_due by the one rule (reviews.next_review): the sooner of the plan's
    annual review and an open support plan's review."""
    pupils_next_review_sync(pupils=Pupil.objects.filter(pk__in=[p.pupil_id for p in plans]))


def _requests(ctx, rng, school, senco):
    candidates = list(
        Pupil.objects.for_school(school).current().filter(sen_status="K").order_by("pk")[:60]
    )
    rng.shuffle(candidates)
    stages = [
        # awaiting a decision, in time and overdue
        {"received_on": -20},
        {"received_on": -50},
        # assessing: advice asked for, and advice overdue
        {
            "received_on": -60,
            "decision_to_assess_on": -25,
            "decided_to_assess": True,
            "advice_requested_on": -20,
        },
        {
            "received_on": -100,
            "decision_to_assess_on": -62,
            "decided_to_assess": True,
            "advice_requested_on": -58,
        },
        # draft issued, comments window open; and final overdue after a late draft
        {
            "received_on": -108,
            "decision_to_assess_on": -66,
            "decided_to_assess": True,
            "advice_requested_on": -60,
            "advice_received_on": -20,
            "draft_issued_on": -6,
        },
        {
            "received_on": -150,
            "decision_to_assess_on": -110,
            "decided_to_assess": True,
            "advice_requested_on": -100,
            "advice_received_on": -70,
            "draft_issued_on": -40,
            "representations_received_on": -30,
        },
        # refused, and a decision not to issue
        {"received_on": -70, "decision_to_assess_on": -30, "decided_to_assess": False},
        {
            "received_on": -130,
            "decision_to_assess_on": -90,
            "decided_to_assess": True,
            "advice_requested_on": -85,
            "advice_received_on": -50,
            "decision_not_to_issue_on": -20,
        },
    ]
    rows = []
    for pupil, stage in zip(candidates, stages, strict=False):
        values = {k: (_d(ctx, v) if k.endswith("_on") else v) for k, v in stage.items()}
        rows.append(
            EhcRequest(
                school=school,
                pupil=pupil,
                requested_by=rng.choice(["school", "parent", "parent", "school"]),
                la_code=school.la_code,
                la_name=school.la_name,
                created_by=senco,
                **values,
            )
        )
    EhcRequest.objects.bulk_create(rows)
