"""The periodic jobs run on their own: one schedule in code, APScheduler runs it, a lease keeps a job single."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from core import schedule, scheduler
from core.models import JobRun

START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


@pytest.fixture
def registered():
    """A job of the test's own, registered for the test and removed after it."""
    calls: list[datetime] = []
    ran = threading.Event()

    def count_calls():
        calls.append(timezone.now())
        ran.set()
        return len(calls)

    schedule.register("test.count", count_calls, every=timedelta(hours=1), description="counts its runs")
    yield calls, ran
    schedule._jobs.pop("test.count", None)


def test_the_apps_declare_their_jobs_in_one_schedule():
    names = {job.name for job in schedule.jobs()}

    assert {
        "monitoring.task_escalations",
        "reports.deadlines",
        "petitions.close_expired",
        "search.index_pending",
        "core.prune_live_events",
    } <= names
    assert {job.name for job in schedule.jobs(tag="deadlines")} >= {
        "monitoring.task_escalations",
        "reports.deadlines",
        "petitions.close_expired",
    }


def test_a_job_needs_exactly_one_clock():
    with pytest.raises(ValueError):
        schedule.register("test.nothing", print)
    with pytest.raises(ValueError):
        schedule.register("test.both", print, every=timedelta(hours=1), cron="0 * * * *")


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_runs_a_due_job_under_a_frozen_clock(registered):
    # given: a background scheduler started at 01:00 with an hourly job, no catch-up run on start
    calls, ran = registered
    from apscheduler.schedulers.background import BackgroundScheduler

    with time_machine.travel(START, tick=False) as clock:
        runner = scheduler.build(BackgroundScheduler, first_run_delay=None, names=["test.count"])
        assert [job.id for job in runner.get_jobs()] == ["test.count"]
        runner.start()
        try:
            # when: the clock stands at 01:59, nothing is due
            clock.move_to(START + timedelta(minutes=59))
            runner.wakeup()
            assert not ran.wait(0.5)

            # when: it reaches 02:00:01, the job is due and the scheduler's thread runs it
            clock.move_to(START + timedelta(hours=1, seconds=1))
            runner.wakeup()
            assert ran.wait(10)
        finally:
            runner.shutdown(wait=True)

    # then: it ran once, at the frozen time, and its run is recorded
    assert calls == [START + timedelta(hours=1, seconds=1)]
    run = JobRun.objects.get(name="test.count")
    assert run.runs == 1 and run.last_result == "1" and run.lease_until is None


@pytest.mark.django_db
def test_a_job_held_by_another_process_is_skipped(registered):
    calls, _ = registered
    JobRun.objects.create(name="test.count", owner="another-process", lease_until=timezone.now() + timedelta(minutes=5))

    outcome = scheduler.run_job("test.count")

    assert not outcome.ran and calls == []


@pytest.mark.django_db
def test_a_lease_left_by_a_crashed_process_expires(registered):
    calls, _ = registered
    JobRun.objects.create(name="test.count", owner="crashed", lease_until=timezone.now() - timedelta(seconds=1))

    outcome = scheduler.run_job("test.count")

    assert outcome.ran and outcome.summary == "1" and len(calls) == 1


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_releases_its_lease():
    def broken():
        raise RuntimeError("search server down")

    schedule.register("test.broken", broken, every=timedelta(minutes=5))
    try:
        outcome = scheduler.run_job("test.broken")
    finally:
        schedule._jobs.pop("test.broken", None)

    run = JobRun.objects.get(name="test.broken")
    assert outcome.error == "search server down" and run.last_error == "search server down"
    assert run.lease_until is None


@pytest.mark.django_db
def test_run_scheduler_lists_the_jobs_and_runs_one_by_name(registered):
    out = StringIO()
    call_command("run_scheduler", "--once", "test.count", stdout=out)
    call_command("run_scheduler", "--list", stdout=out)

    text = out.getvalue()
    assert "test.count: 1" in text
    assert "monitoring.task_escalations" in text and "every 1:00:00" in text and "counts its runs" in text


def test_the_scheduler_starts_only_in_the_development_server_that_serves(settings):
    settings.SCHEDULER_AUTOSTART = True
    serve = ["manage.py", "runserver", "127.0.0.1:8000"]

    assert scheduler.should_autostart(serve, {"RUN_MAIN": "true"})  # the autoreloader's child serves
    assert not scheduler.should_autostart(serve, {})  # its parent only watches files
    assert scheduler.should_autostart([*serve, "--noreload"], {})
    assert not scheduler.should_autostart(["manage.py", "migrate"], {"RUN_MAIN": "true"})
    assert not scheduler.should_autostart(["pytest"], {})
    settings.SCHEDULER_AUTOSTART = False
    assert not scheduler.should_autostart(serve, {"RUN_MAIN": "true"})


@pytest.mark.django_db
def test_every_registered_job_runs_cleanly_on_an_empty_database(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = [scheduler.run_job(job.name) for job in schedule.jobs()]

    assert [(o.name, o.error) for o in outcomes if not o.ran or o.error] == []
