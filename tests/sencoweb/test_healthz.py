import json

from django.urls import reverse


def test_healthz_reports_database_and_broker(client, db, settings):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["database"] == "ok"
    assert data["broker"] in ("ok", "in-process")


def test_healthz_reports_a_dead_broker(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    from sencoweb.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = settings.REDIS_URL
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert json.loads(response.content)["broker"].startswith("error")
