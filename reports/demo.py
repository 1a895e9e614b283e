"""Demo data for reports: census snapshots for the two previous Januaries, so the governors'
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
        for back in (2, 1):
            day = census_date_for(this_year - back)
            scale = 1 - 0.06 * back + rng.uniform(-0.02, 0.02)

            def shrink(n, scale=scale):
                return max(int(round(n * scale)), 0)

            snaps.append(
                CensusSnapshot(
                    school=school,
                    census_date=day,
                    on_roll=max(live.roll + rng.randint(-8, 8), live.sen_total, 1),
                    sen_support=shrink(live.status.get("K", 0)),
                    ehc_plan=shrink(live.status.get("E", 0)),
                    by_need={
                        k: {s: shrink(v.get(s, 0)) for s in ("K", "E")}
                        for k, v in live.by_need.items()
                    },  # fmt: skip
                    by_year={
                        k: {"K": shrink(v["K"]), "E": shrink(v["E"]), "roll": v["roll"]}
                        for k, v in live.by_year.items()
                    },  # fmt: skip
                    source="imported",
                )
            )
        CensusSnapshot.objects.bulk_create(snaps)
        InfoReport.objects.get_or_create(
            school=school, defaults={**INFO_TEXT, "published": True, "published_on": ctx.today}
        )
    ctx.log("reports: census snapshots and SEN information reports")
