"""Server time and query count of the hot pages, measured in-process with Django's test client
against the database in DATABASE_URL. Prints one JSON document. Run by bench/run.py."""

import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sencoweb.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-bench-only-secret-key-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL", "false")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from sencoweb.middleware import SESSION_SCHOOL_KEY  # noqa: E402
from sencoweb.models import Membership, School  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "30"))


def client_as(username, school):
    membership = Membership.objects.select_related("user").get(
        user__username=username, school=school
    )
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_SCHOOL_KEY] = school.pk
    session.save()
    return client


def first_url(candidates):
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def measure(client, url):
    for _ in range(3):  # warm caches and connections
        client.get(url)
    times, queries, status = [], None, None
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        queries, status = len(ctx.captured_queries), response.status_code
    times.sort()
    return {
        "url": url,
        "status": status,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "queries": queries,
    }


def main():
    school = School.objects.filter(phase="secondary").order_by("urn").first()
    senco = Membership.objects.filter(school=school, role="senco").values_list(
        "user__username", flat=True
    )[0]
    head = Membership.objects.filter(school=school, role="head").values_list(
        "user__username", flat=True
    )[0]
    from pupils.models import Pupil

    pupil = Pupil.objects.for_school(school).filter(sen_status="E").first()
    # The TA who delivers the most groups, so the page has the same work at every size.
    ta_membership = (
        Membership.objects.filter(school=school, role="ta")
        .annotate(n=Count("provision_groups"))
        .order_by("-n", "pk")
        .first()
    )
    weekday = dt.date.today() - dt.timedelta(days=1)
    while weekday.weekday() > 4:
        weekday -= dt.timedelta(days=1)
    pages = {
        "floor (healthz)": (senco, [("healthz", [])]),
        "register": (senco, [("pupils:register", [])]),
        "pupil profile": (senco, [("pupils:detail", [pupil.public_id])]),
        "provision map": (senco, [("provision:map", []), ("provision:index", [])]),
        # The last school day, so the TA has sessions to log (a weekend "today" is an empty page).
        "TA today": (ta_membership.user.username, [("provision:today", [])], f"?date={weekday}"),
        "deadlines": (senco, [("reviews:deadlines", [])]),
        "head dashboard": (head, [("reports:dashboard", [])]),
    }
    results = {
        "school": school.name,
        "pupils": Pupil.objects.for_school(school).count(),
        "schools": School.objects.count(),
        "pages": {},
    }
    for label, (user, candidates, *query) in pages.items():
        url = first_url(candidates)
        if url is None:
            results["pages"][label] = {"missing": True}
            continue
        url += query[0] if query else ""
        client = Client() if user == "anonymous" else client_as(user, school)
        results["pages"][label] = measure(client, url)
    floor = results["pages"]["floor (healthz)"]["median_ms"]
    for row in results["pages"].values():
        if "median_ms" in row:
            row["ratio"] = round(row["median_ms"] / floor, 1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
