"""Demo data for reports: census snapshots for the three previous Januaries, so the governors'
report shows a three-year trend. Counts only; scaled from today's register with a little drift
so the trend is believable (SEN rose nationally year on year, DOMAIN.md 2.6)."""

from reports.models import CensusSnapshot, InfoReport
from reports.selectors import census_date_for, profile_live
from sencoweb.models import academic_year_of

INFO_TEXT = {
    "item_1": "We are a mainstream school. We make provision for pupils with needs in all four "
    "broad areas: communication and interaction; cognition and learning; social, emotional and "
    "mental health; and sensory and/or physical needs.",
    "item_2": "Class teachers raise a concern with the SENCO when a pupil makes less progress "
    "than expected despite high-quality teaching. We talk with parents, gather evidence and, "
    "where needed, use standardised assessments or ask outside specialists.",
    "item_3b": "Each pupil on SEN support has a plan reviewed at least three times a year with "
    "the pupil and their parents, following the assess, plan, do, review cycle.",
    "item_4": "Our SENCO can be contacted through the school office.",
    "item_7": "Parents are invited to every review and can ask to meet the SENCO at any time.",
    "item_9": "Please raise any concern with the class teacher or SENCO first; our complaints "
    "policy on the website sets out the next steps.",
    "item_11": "Bristol SENDIASS offers free, impartial advice to parents.",
    "item_13": "Bristol City Council publishes its Local Offer on its website.",
}


def seed(ctx):
    this_year = academic_year_of(ctx.today)
    for school in ctx.schools[:3]:
        if CensusSnapshot.objects.for_school(school).exists():
            continue
        rng = ctx.rng(f"reports:{school.urn}")
        live = profile_live(school)
        snaps = []
        for back in (3, 2, 1):
            # Fewer pupils with SEN in earlier years (SEN rose nationally year on year): take
            # pupils away one at a time so every breakdown still adds up to the same totals.
            by_need = {k: dict(v) for k, v in live.by_need.items()}
            by_year = {k: dict(v) for k, v in live.by_year.items()}
            status = {s: live.status.get(s, 0) for s in ("K", "E")}
            for s in ("K", "E"):
                drop = round(status[s] * (0.06 * back + rng.uniform(-0.02, 0.02)))
                for _ in range(max(drop, 0)):
                    needs = [k for k, v in by_need.items() if v.get(s, 0) > 0]
                    years = [k for k, v in by_year.items() if v.get(s, 0) > 0]
                    if not needs or not years:
                        break
                    by_need[rng.choice(needs)][s] -= 1
                    by_year[rng.choice(years)][s] -= 1
                    status[s] -= 1
            snaps.append(
                CensusSnapshot(
                    school=school,
                    census_date=census_date_for(this_year - back),
                    on_roll=live.roll,
                    sen_support=status["K"],
                    ehc_plan=status["E"],
                    by_need=by_need,
                    by_year=by_year,
                    source="imported",
                )
            )
        CensusSnapshot.objects.bulk_create(snaps)
        InfoReport.objects.get_or_create(
            school=school, defaults={**INFO_TEXT, "published": True, "published_on": ctx.today}
        )
    ctx.log("reports: census snapshots and SEN information reports")
