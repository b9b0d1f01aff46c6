"""The life of a report: versions, generation by the task, immutability, the board marking."""

from __future__ import annotations

import contextlib
import threading
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from controls.models import ControlPlan
from organisation.models import Role
from reports import services
from reports.models import Report
from reports.tasks import generate_report
from tests import factories as f

pytestmark = pytest.mark.django_db


def _order(user, capture, **kwargs) -> Report:
    with capture(execute=True):
        report = services.order_report(user=user, **kwargs)
    report.refresh_from_db()
    return report


@pytest.fixture
def done_report(annual, coordinator, django_capture_on_commit_callbacks) -> Report:
    report = _order(
        coordinator,
        django_capture_on_commit_callbacks,
        kind="annual_follow_up",
        unit=annual.unit,
        audience="board",
        year=2017,
    )
    assert report.status == Report.Status.DONE
    return report


def test_order_creates_a_pending_report_and_queues_it_on_commit(
    annual, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.order_report(
            user=coordinator, kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
        )
    assert report.status == Report.Status.PENDING and not report.file
    assert len(callbacks) == 1
    assert report.version == 1
    assert report.title == "Uppföljning av internkontrollplan 2017, Socialnämnden"
    assert report.parameters["unit"] == annual.unit.pk and report.parameters["year"] == 2017
    callbacks[0]()  # what the broker would do
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert len(report.sha256) == 64 and report.size > 1000 and report.page_count >= 1
    assert report.data_as_of is not None and report.generated_at is not None
    with report.file.open("rb") as fh:
        content = fh.read()
    import hashlib

    assert hashlib.sha256(content).hexdigest() == report.sha256
    assert report.file.name.startswith("reports/report/")  # private storage, unguessable name


def test_regenerating_makes_a_new_version_and_keeps_the_old(
    done_report, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        second = services.regenerate_report(user=coordinator, report=done_report)
    second.refresh_from_db()
    done_report.refresh_from_db()
    assert second.pk != done_report.pk and second.version == 2
    assert second.series_key == done_report.series_key and second.status == Report.Status.DONE
    assert done_report.status == Report.Status.DONE and done_report.file


def test_board_and_internal_versions_are_separate_series(
    annual, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        board = services.order_report(
            user=coordinator, kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
        )
        internal = services.order_report(
            user=coordinator,
            kind="annual_follow_up",
            unit=annual.unit,
            audience="internal",
            year=2017,
        )
    assert board.series_key != internal.series_key
    assert board.version == internal.version == 1


def test_a_concurrent_order_that_took_the_version_is_retried(annual, coordinator):
    real_save = Report.save
    calls = {"n": 0}

    def save_once_conflicting(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise IntegrityError(
                "duplicate key value violates reports_report_unique_series_version"
            )
        return real_save(self, *args, **kwargs)

    with mock.patch.object(Report, "save", save_once_conflicting):
        report = services.order_report(
            user=coordinator, kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
        )
    assert calls["n"] == 2 and report.version == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_orders_get_versions_one_and_two(annual, coordinator):
    """Two threads read the same highest version; the database lets one insert win and the
    other retries with the next number."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections")
    barrier = threading.Barrier(2, timeout=20)
    crossed = threading.Event()
    real = services._highest_version
    results, errors = [], []

    def highest(key):
        value = real(key)
        if not crossed.is_set():  # the retry of the thread that lost runs alone
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            crossed.set()
        return value

    def order():
        try:
            with mock.patch.object(services, "_enqueue"):
                results.append(
                    services.order_report(
                        user=coordinator,
                        kind="annual_follow_up",
                        unit=annual.unit,
                        audience="board",
                        year=2017,
                    ).version
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(services, "_highest_version", highest):
        threads = [threading.Thread(target=order) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors
    assert sorted(results) == [1, 2]


def test_the_task_is_idempotent(done_report):
    sha, name = done_report.sha256, done_report.file.name
    assert generate_report.apply(args=[done_report.pk]).successful()
    done_report.refresh_from_db()
    assert (done_report.sha256, done_report.file.name) == (sha, name)
    assert services.generate_report(report_id=done_report.pk) is None


def test_a_done_report_cannot_be_changed(done_report):
    with pytest.raises(DatabaseError), transaction.atomic():
        Report.objects.filter(pk=done_report.pk).update(sha256="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        Report.objects.filter(pk=done_report.pk).update(parameters={"year": 2016})
    done_report.refresh_from_db()
    done_report.title = "Något annat"
    with pytest.raises(DatabaseError), transaction.atomic():
        done_report.save()


def test_a_done_report_cannot_be_deleted_on_postgresql(done_report):
    from tests.conftest import need_service

    need_service(connection.vendor == "postgresql", "PostgreSQL (the delete trigger)")
    with pytest.raises(DatabaseError, match="kan inte tas bort"), transaction.atomic():
        Report.objects.filter(pk=done_report.pk).delete()
    assert Report.objects.filter(pk=done_report.pk).exists()


def test_failure_is_recorded_with_a_message_and_can_be_retried(
    annual, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.order_report(
            user=coordinator, kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
        )
    ControlPlan.objects.filter(pk=annual.plan.pk).update(year=2016)  # the plan is gone for 2017
    callbacks[0]()
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "Socialnämnden har ingen internkontrollplan för 2017" in report.error
    assert not report.file and not report.sha256
    ControlPlan.objects.filter(pk=annual.plan.pk).update(year=2017)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_report(user=coordinator, report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    with pytest.raises(ValidationError):
        services.retry_report(user=coordinator, report=report)


def test_mark_sent_to_board_one_version_per_series(
    done_report, coordinator, annual, django_capture_on_commit_callbacks
):
    services.mark_sent_to_board(user=coordinator, report=done_report, decision=annual.decision)
    done_report.refresh_from_db()
    assert done_report.is_sent_to_board and done_report.decision == annual.decision
    assert done_report.sent_to_board_by == coordinator and done_report.sent_to_board_at
    with django_capture_on_commit_callbacks(execute=True):
        second = services.regenerate_report(user=coordinator, report=done_report)
    second.refresh_from_db()
    services.mark_sent_to_board(user=coordinator, report=second, decision=annual.decision)
    done_report.refresh_from_db()
    second.refresh_from_db()
    assert second.is_sent_to_board and not done_report.is_sent_to_board
    assert done_report.decision is None  # the decision belongs to the version sent
    services.unmark_sent_to_board(user=coordinator, report=second)
    second.refresh_from_db()
    assert not second.is_sent_to_board and second.sent_to_board_at is None
    assert second.decision is None


def test_only_a_done_board_version_can_be_sent(
    annual, coordinator, world, django_capture_on_commit_callbacks
):
    internal = _order(
        coordinator,
        django_capture_on_commit_callbacks,
        kind="annual_follow_up",
        unit=annual.unit,
        audience="internal",
        year=2017,
    )
    with pytest.raises(ValidationError, match="interna versionen"):
        services.mark_sent_to_board(user=coordinator, report=internal, decision=None)
    with django_capture_on_commit_callbacks(execute=False):
        pending = services.order_report(
            user=coordinator, kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
        )
    with pytest.raises(ValidationError, match="färdig"):
        services.mark_sent_to_board(user=coordinator, report=pending, decision=None)
    other = f.DecisionFactory(organ=world.other_root)
    done = _order(
        coordinator,
        django_capture_on_commit_callbacks,
        kind="action_plan",
        unit=annual.unit,
        audience="board",
    )
    with pytest.raises(ValidationError, match="annan kommun"):
        services.mark_sent_to_board(user=coordinator, report=done, decision=other)


def test_who_may_order(annual, controller, board_member, coordinator, world):
    for user in (controller, board_member):
        with pytest.raises(PermissionDenied):
            services.order_report(
                user=user, kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
            )
    # A coordinator of SN only may order SN's board version, but not for BUN.
    sn_coordinator = f.UserFactory(username="sn-samordnare", municipality=world.municipality)
    f.RoleAssignmentFactory(user=sn_coordinator, unit=world.sn, role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.order_report(
            user=sn_coordinator, kind="action_plan", unit=world.bun, audience="board"
        )
    assert services.order_report(
        user=sn_coordinator, kind="action_plan", unit=world.sn, audience="internal"
    ).pk


def test_bad_parameters_are_refused_in_swedish(annual, coordinator, world):
    with pytest.raises(ValidationError, match="ingen internkontrollplan för 2019"):
        services.order_report(
            user=coordinator, kind="annual_follow_up", unit=annual.unit, audience="board", year=2019
        )
    with pytest.raises(ValidationError, match="Välj vilken granskning"):
        services.order_report(
            user=coordinator, kind="audit_follow_up", unit=world.sn, audience="board"
        )
    assert not Report.objects.exists()
