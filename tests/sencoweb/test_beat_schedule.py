from sencoweb.celery import app

EXPECTED = {
    "reviews-review-reminders",
    "reviews-chase-contributions",
    "reviews-ehc-deadline-reminders",
    "reports-sweep-stuck-runs",
    "reports-cleanup-old-runs",
    "reports-census-snapshot",
}


def test_every_app_schedule_reaches_the_celery_app():
    schedule = app.conf.beat_schedule
    assert set(schedule) >= EXPECTED
    app.loader.import_default_modules()  # what a worker does at start
    for entry in schedule.values():
        assert entry["task"] in app.tasks, f"{entry['task']} is scheduled but not a registered task"
