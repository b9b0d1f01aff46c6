"""The bell and the notification list: access, mark read (htmx and without JS), query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Notification
from organisation.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")


def notice(user, **kwargs) -> Notification:
    return f.NotificationFactory(recipient=user, **kwargs)


def test_bell_shows_the_unread_count_accessibly(client_for, world, controller):
    notice(controller)
    notice(controller)
    notice(controller, read_at="2026-09-01T08:00:00+02:00")
    response = client_for(controller).get(reverse("organisation:my_account"))
    assert response.status_code == 200
    assert 'aria-label="Notiser, 2 olästa"' in response.text
    assert '<span class="bell-count" aria-hidden="true">2</span>' in response.text


def test_bell_without_unread(client_for, world, controller):
    response = client_for(controller).get(reverse("organisation:my_account"))
    assert 'aria-label="Notiser, inga olästa"' in response.text
    assert "bell-count" not in response.text


def test_bell_costs_one_query(client_for, world, controller, django_assert_num_queries):
    client = client_for(controller)
    client.get(reverse("organisation:my_account"))  # warm the session
    notice(controller)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("organisation:my_account"))
    counts = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1


def test_list_shows_own_notifications_only(client_for, world, controller, coordinator, outsider):
    notice(controller, title="Åtgärd: Inför kontospärr")
    notice(coordinator, title="Eskalering av annat")
    notice(outsider, title="Beta-notis")
    response = client_for(controller).get(LIST)
    assert response.status_code == 200
    assert "Åtgärd: Inför kontospärr" in response.text
    assert "Eskalering av annat" not in response.text
    assert "Beta-notis" not in response.text


def test_anonymous_is_sent_to_login(client, world, controller):
    n = notice(controller)
    for url in (LIST, reverse("notifications:open", args=[n.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    response = client.post(reverse("notifications:mark_read", args=[n.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    n.refresh_from_db()
    assert n.read_at is None


def test_someone_elses_notification_is_404(client_for, world, controller, coordinator, outsider):
    n = notice(controller)
    for user in (coordinator, outsider):
        client = client_for(user)
        assert client.get(reverse("notifications:open", args=[n.pk])).status_code == 404
        assert client.post(reverse("notifications:mark_read", args=[n.pk])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_read_without_javascript(client_for, world, controller):
    n = notice(controller)
    response = client_for(controller).post(
        reverse("notifications:mark_read", args=[n.pk]), {"next": f"{LIST}?visa=olasta"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?visa=olasta"
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_read_refuses_foreign_redirects(client_for, world, controller):
    n = notice(controller)
    response = client_for(controller).post(
        reverse("notifications:mark_read", args=[n.pk]), {"next": "https://elak.example/"}
    )
    assert response["Location"] == LIST


def test_mark_read_with_htmx_swaps_the_row_and_the_bell(client_for, world, controller):
    n = notice(controller, title="Kontrolltillfälle: Behörighetskontroll")
    notice(controller)
    response = client_for(controller).post(
        reverse("notifications:mark_read", args=[n.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'<tr id="notis-{n.pk}" class="is-read">' in response.text
    assert "Markera som läst" not in response.text
    assert 'id="notification-bell"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert 'aria-label="Notiser, 1 oläst"' in response.text
    assert "<html" not in response.text


def test_opening_a_notification_marks_it_read_and_goes_to_the_item(client_for, world, controller):
    n = notice(controller, url="/avvikelser/atgarder/17/")
    response = client_for(controller).get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/avvikelser/atgarder/17/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_opening_never_redirects_off_site(client_for, world, controller):
    for url in ("https://elak.example/", "//elak.example/x", ""):
        n = notice(controller, url=url)
        response = client_for(controller).get(reverse("notifications:open", args=[n.pk]))
        assert response["Location"] == LIST


def test_mark_all_read(client_for, world, controller, coordinator):
    notice(controller)
    notice(controller)
    theirs = notice(coordinator)
    response = client_for(controller).post(reverse("notifications:mark_all_read"), follow=True)
    assert "2 notiser markerades som lästa." in response.text
    assert not Notification.objects.filter(recipient=controller, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_filter(client_for, world, controller):
    notice(controller, title="Oläst notis")
    notice(controller, title="Läst notis", read_at="2026-09-01T08:00:00+02:00")
    text = client_for(controller).get(LIST, {"visa": "olasta"}).text
    assert "Oläst notis" in text and "Läst notis" not in text


def test_list_query_count_does_not_grow(
    client_for, world, controller, django_assert_max_num_queries
):
    Notification.objects.bulk_create(
        Notification(
            municipality=world.municipality,
            recipient=controller,
            kind=Notification.Kind.REMINDER,
            title=f"Påminnelse {i}",
        )
        for i in range(240)
    )
    client = client_for(controller)
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"page": 2})
    assert response.status_code == 200
    assert "Sida 2 av 10" in response.text


def test_preference_weekly_and_back(client_for, world, controller):
    client = client_for(controller)
    response = client.post(reverse("notifications:preferences"), {"digest_frequency": "weekly"})
    assert response.status_code == 302
    controller.refresh_from_db()
    assert controller.digest_frequency == User.DigestFrequency.WEEKLY
    page = client.get(LIST).text
    assert "Eskaleringar skickas alltid direkt" in page


def test_bad_preference_is_refused_in_swedish(client_for, world, controller):
    response = client_for(controller).post(
        reverse("notifications:preferences"), {"digest_frequency": "never"}
    )
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.text
    controller.refresh_from_db()
    assert controller.digest_frequency == User.DigestFrequency.DAILY


def test_get_is_not_allowed_on_writes(client_for, world, controller):
    n = notice(controller)
    client = client_for(controller)
    assert client.get(reverse("notifications:mark_read", args=[n.pk])).status_code == 405
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    assert client.get(reverse("notifications:preferences")).status_code == 405


def test_policy_scope_of_notifications_is_ones_own(world, controller, coordinator, outsider):
    from django.contrib.auth.models import AnonymousUser

    from organisation import policy

    mine = notice(controller)
    notice(coordinator)
    notice(outsider)
    assert list(policy.scope(controller, Notification.objects.all())) == [mine]
    assert list(policy.notifications(AnonymousUser())) == []
