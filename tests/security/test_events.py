"""Issue 8, point 5: the security event log — written by every sensitive action, read by admins."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from organisation.models import Role
from reports.models import Report
from security.events import record
from security.models import SecurityEvent
from tests import factories as f

pytestmark = pytest.mark.django_db
Kind = SecurityEvent.Kind
LIST = reverse("security:event_list")
EXPORT = reverse("security:event_export")


@pytest.fixture
def fresh_log(world, admin_user, coordinator, controller, board_member, auditor, outsider):
    """The cast is in place; forget the role grants its creation logged."""
    SecurityEvent.objects.all().delete()


@pytest.fixture
def admin_page(client_for, admin_user):
    """The administrator's signed-in client, signed in before the log is emptied."""
    return client_for(admin_user)


# --- record() ---------------------------------------------------------------------------------


def test_record_takes_who_when_where_and_what(world, controller):
    report = f.ReportFactory(unit=world.sn)
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="X" * 400)
    request.user = controller
    event = record(request, kind=Kind.REPORT_DOWNLOAD, obj=report, detail="v1")
    assert event.user == controller
    assert event.username == controller.username
    assert event.municipality == world.municipality
    assert event.ip == "192.0.2.7"
    assert len(event.user_agent) == 255
    assert event.object_type == "reports.report"
    assert event.object_id == str(report.pk)
    assert event.object_repr == str(report)
    assert event.detail == "v1"
    assert event.created_at is not None


def test_record_without_request_or_user(world):
    event = record(None, kind=Kind.LOGIN_FAILED, username="finns-inte")
    assert (event.user, event.username, event.ip, event.municipality) == (
        None,
        "finns-inte",
        None,
        None,
    )


def test_record_refuses_an_unknown_kind(world):
    with pytest.raises(ValueError):
        record(None, kind="hemlig")


def test_sign_in_and_out_are_logged(fresh_log, post_login, controller, client):
    post_login(controller.username, ip="192.0.2.99")
    client.post(reverse("logout"), REMOTE_ADDR="192.0.2.99")
    kinds = list(SecurityEvent.objects.order_by("pk").values_list("kind", "username", "ip"))
    assert kinds == [
        (Kind.LOGIN, controller.username, "192.0.2.99"),
        (Kind.LOGOUT, controller.username, "192.0.2.99"),
    ]


def test_failure_of_an_unknown_user_is_kept(fresh_log, post_login, world):
    post_login("okand-person", "fel", ip="192.0.2.5")
    event = SecurityEvent.objects.get()
    assert (event.kind, event.username, event.user, event.ip) == (
        Kind.LOGIN_FAILED,
        "okand-person",
        None,
        "192.0.2.5",
    )
    assert "Okänt användarnamn" in event.detail


def test_the_app_never_deletes_events():
    """No truncation: the model has no cleanup job and the admin refuses deletion."""
    from django.contrib import admin

    model_admin = admin.site._registry[SecurityEvent]
    assert not model_admin.has_delete_permission(None)
    assert not model_admin.has_change_permission(None)
    assert not model_admin.has_add_permission(None)


def test_old_events_are_kept_and_listed(admin_page, fresh_log, admin_user):
    """No 90-day truncation: a 400-day-old event is still in the log and on the page."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=400)):
        old = record(None, kind=Kind.LOGIN_FAILED, user=admin_user, detail="för länge sedan")
    response = admin_page.get(LIST, {"kind": "login_failed"})
    assert list(response.context["page_obj"].object_list) == [old]
    assert "för länge sedan" in response.content.decode()


# --- roles and permissions --------------------------------------------------------------------


def test_role_changes_are_logged_with_the_actor(fresh_log, client, world, admin_user, controller):
    from simple_history.models import HistoricalRecords

    request = RequestFactory().post("/admin/", REMOTE_ADDR="192.0.2.1")
    request.user = admin_user
    HistoricalRecords.context.request = request
    try:
        assignment = f.RoleAssignmentFactory(user=controller, unit=world.bun, role=Role.AUDITOR)
        assignment.valid_to = datetime.date(2030, 12, 31)
        assignment.save()
        assignment.delete()
    finally:
        del HistoricalRecords.context.request
    events = list(SecurityEvent.objects.filter(kind__startswith="role").order_by("pk"))
    assert [e.kind for e in events] == [Kind.ROLE_GRANTED, Kind.ROLE_CHANGED, Kind.ROLE_REVOKED]
    for event in events:
        assert event.user == admin_user
        assert event.ip == "192.0.2.1"
        assert event.municipality == world.municipality
        assert controller.username in event.detail
        assert "Revisor" in event.detail
    assert "2030-12-31" in events[1].detail


def test_object_permissions_are_logged(fresh_log, world, controller):
    system = f.SystemFactory(owning_unit=world.sn)
    assign_perm("systems.view_system", controller, system)
    remove_perm("systems.view_system", controller, system)
    group = Group.objects.create(name="Externa revisorer")
    assign_perm("systems.view_system", group, system)
    kinds = list(
        SecurityEvent.objects.order_by("pk").values_list("kind", "municipality_id", "object_type")
    )
    assert kinds == [
        (Kind.PERMISSION_GRANTED, world.municipality.pk, "systems.system"),
        (Kind.PERMISSION_REVOKED, world.municipality.pk, "systems.system"),
        (Kind.PERMISSION_GRANTED, world.municipality.pk, "systems.system"),
    ]
    assert "view_system" in SecurityEvent.objects.first().detail


def test_global_permissions_and_groups_are_logged(fresh_log, world, controller):
    permission = Permission.objects.get(codename="view_report")
    group = Group.objects.create(name="Läsare")
    controller.user_permissions.add(permission)
    controller.groups.add(group)
    controller.user_permissions.clear()
    group.user_set.remove(controller)
    rows = list(SecurityEvent.objects.order_by("pk").values_list("kind", "detail"))
    assert [kind for kind, _ in rows] == [
        Kind.PERMISSION_GRANTED,
        Kind.PERMISSION_GRANTED,
        Kind.PERMISSION_REVOKED,
        Kind.PERMISSION_REVOKED,
    ]
    assert "view_report" in rows[0][1] and "Läsare" in rows[1][1]


def test_staff_superuser_and_active_flags_are_logged(fresh_log, world, controller):
    controller.is_staff = True
    controller.save()
    controller.is_superuser = True
    controller.is_active = False
    controller.save()
    controller.save()  # no change, nothing logged
    rows = list(SecurityEvent.objects.order_by("pk").values_list("kind", "detail"))
    assert [kind for kind, _ in rows] == [
        Kind.PERMISSION_GRANTED,
        Kind.PERMISSION_GRANTED,
        Kind.ACCOUNT_CHANGED,
    ]
    assert "Django-administrationen" in rows[0][1]
    assert "Superanvändare" in rows[1][1]
    assert "inaktiverades" in rows[2][1]


def test_loading_users_with_deferred_fields_costs_no_extra_queries(
    world, controller, django_assert_num_queries
):
    from organisation.models import User

    with django_assert_num_queries(1):
        names = [u.username for u in User.objects.only("username")]
    assert controller.username in names


def test_report_download_is_logged(world, board_member, client_for):
    report = f.ReportFactory(unit=world.sn)
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    report.status = Report.Status.DONE
    report.sha256 = "0" * 64
    report.save()
    client_for(board_member).get(reverse("reports:report_download", args=[report.pk]))
    event = SecurityEvent.objects.get(kind=Kind.REPORT_DOWNLOAD)
    assert event.user == board_member
    assert event.object_id == str(report.pk)
    assert event.municipality == world.municipality


# --- the log page -----------------------------------------------------------------------------


@pytest.fixture
def events(admin_page, fresh_log, world, admin_user, controller, outsider):
    day = timezone.make_aware(datetime.datetime(2025, 3, 10, 9, 0))
    with time_machine.travel(day, tick=False):
        record(None, kind=Kind.LOGIN, user=controller)
    with time_machine.travel(day + datetime.timedelta(days=2), tick=False):
        e = record(None, kind=Kind.LOGIN_FAILED, user=controller, detail='=HYPERLINK("http://x")')
        SecurityEvent.objects.filter(pk=e.pk).update(ip="198.51.100.4")
        record(None, kind=Kind.LOCKOUT, user=controller)
        record(None, kind=Kind.LOGIN, user=outsider, detail="Beta-händelse")


def test_anonymous_is_sent_to_login(client):
    assert client.get(LIST).url.startswith(reverse("login"))
    assert client.get(EXPORT).url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "who", ["coordinator", "controller", "auditor", "board_member", "nobody", "action_owner"]
)
def test_only_administrators_see_the_log(request, client_for, events, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_admin_sees_own_municipality_only(admin_page, events, controller, outsider):
    response = admin_page.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert controller.username in body
    assert "Inloggning spärrad" in body
    assert "Beta-händelse" not in body
    assert outsider.username not in body
    assert response.context["page_obj"].paginator.count == 3


def test_outsider_admin_sees_only_beta(client_for, outsider, events, controller):
    body = client_for(outsider).get(LIST).content.decode()
    assert "Beta-händelse" in body
    assert controller.username not in body.split("<main")[1]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"kind": "login"}, 1),
        ({"kind": "lockout"}, 1),
        ({"user": "kontrollant"}, 3),
        ({"user": "ingen-alls"}, 0),
        ({"ip": "198.51.100.4"}, 1),
        ({"date_from": "2025-03-11"}, 2),
        ({"date_to": "2025-03-10"}, 1),
        ({"date_from": "2025-03-10", "date_to": "2025-03-12"}, 3),
    ],
)
def test_filters(admin_page, events, query, count):
    response = admin_page.get(LIST, query)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == count


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"ip": "198.51"}, "hel IP-adress"),
        ({"date_from": "10/3/2025"}, "ÅÅÅÅ-MM-DD"),
        ({"date_from": "2025-03-12", "date_to": "2025-03-10"}, "före startdatumet"),
        ({"kind": "hemlig"}, "Välj ett giltigt alternativ"),
    ],
)
def test_bad_filters_show_a_swedish_error_and_no_rows(admin_page, events, query, message):
    response = admin_page.get(LIST, query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["page_obj"].paginator.count == 0


def test_export_is_filtered_escaped_and_logged(admin_page, admin_user, events):
    response = admin_page.get(EXPORT, {"user": "kontrollant"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Tidpunkt", "Händelse", "Användarnamn"]
    assert len(rows) == 4
    details = [row[8] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in details  # a formula is text, not a formula
    assert "Beta-händelse" not in text
    assert rows[-1][0] == "2025-03-10 09:00:00"
    export = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert export.user == admin_user
    assert "user=kontrollant" in export.detail


def test_export_with_bad_filters_exports_nothing(admin_page, events):
    response = admin_page.get(EXPORT, {"ip": "nej"})
    assert response.status_code == 302
    assert not SecurityEvent.objects.filter(kind=Kind.EXPORT).exists()


def test_list_query_count_is_constant(admin_page, fresh_log, world, django_assert_max_num_queries):
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=Kind.LOGIN, username=f"u{i}", municipality=world.municipality)
        for i in range(250)
    )
    client = admin_page
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 50
    with django_assert_max_num_queries(12):
        assert client.get(LIST, {"page": 5}).status_code == 200


def test_export_query_count_is_constant(
    admin_page, fresh_log, world, django_assert_max_num_queries
):
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=Kind.LOGIN, username=f"u{i}", municipality=world.municipality)
        for i in range(250)
    )
    with django_assert_max_num_queries(12):
        response = admin_page.get(EXPORT)
    assert response.content.decode("utf-8-sig").count("\r\n") == 251


# --- the client's address ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "192.0.2.200"),  # no trusted proxy: the header is ignored
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "10.9.9.9, 198.51.100.1", "198.51.100.1"),  # the client's own entry is not trusted
        (2, "10.9.9.9, 198.51.100.1, 172.16.0.2", "198.51.100.1"),
        (1, "", "192.0.2.200"),
        (1, "not-an-ip", "192.0.2.200"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_behind_proxies(settings, count, forwarded, expected):
    from security.events import client_ip_from_headers

    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.200", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip_from_headers(request) == expected


def test_lockout_behind_a_proxy_is_per_client(settings, client, controller, coordinator):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("login")
    for _ in range(10):
        client.post(
            url,
            {"username": controller.username, "password": "fel-lösenord-1"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    lockout = SecurityEvent.objects.get(kind=Kind.LOCKOUT)
    assert lockout.ip == "198.51.100.7"
    # Another client behind the same proxy still signs in.
    response = client.post(
        url,
        {"username": controller.username, "password": "korrekt-hast-batteri-42"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert response.status_code == 302
