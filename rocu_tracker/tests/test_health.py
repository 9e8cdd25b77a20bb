import pytest

pytestmark = pytest.mark.django_db


def test_it_reports_the_database_and_the_broker(client, settings, tmp_path):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_fails_when_the_broker_cannot_be_reached(client, settings):
    from rocu_tracker.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/health/")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "failing"}
