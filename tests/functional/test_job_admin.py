"""The administrator runs a job for a date and sees the run recorded."""

from __future__ import annotations

from tests.functional.conftest import log_in


def test_the_administrator_runs_a_job_for_a_date(app, users) -> None:
    client = app.test_client()
    log_in(client, users["sysadmin"].email)
    page = client.get("/admin/jobs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No job has run yet." in page and "post_interest" in page
    response = client.post("/admin/jobs", data={"job": "post_interest", "as_of": "2026-06-01"},
                           headers={"Accept-Language": "en"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The job post_interest ran for 2026-06-01." in page
    assert "<td>post_interest</td>" in page and "Finished" in page
    assert client.post("/admin/jobs", data={"job": "post_interest", "as_of": "not a date"}).status_code == 422
    assert client.post("/admin/jobs", data={"job": "drop_tables", "as_of": "2026-06-01"}).status_code == 422


def test_only_the_administrator_runs_jobs(app, users) -> None:
    client = app.test_client()
    log_in(client, users["supervisor"].email)
    assert client.post("/admin/jobs", data={"job": "post_interest", "as_of": "2026-06-01"}).status_code == 403


def test_a_date_that_has_not_begun_is_refused_and_nothing_runs(app, users, db) -> None:
    import datetime as dt

    from sqlalchemy import func, select

    from contributions.jobs import JobRun

    client = app.test_client()
    log_in(client, users["sysadmin"].email)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).date().isoformat()
    response = client.post("/admin/jobs", data={"job": "post_interest", "as_of": later},
                           headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "A job cannot run for a date that has not begun yet" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(JobRun)) == 0
