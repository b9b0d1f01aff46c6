"""E-mails: one digest per recipient, weekly digests, mandatory escalations, exactly once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from notifications.models import Notification, OutgoingEmail, ReminderRecord, ReminderSettings
from organisation.models import User
from tests import factories as f
from tests.notifications.scenario import DUE, action, occurrence, response, run_on

pytestmark = pytest.mark.django_db

D = datetime.timedelta
SITE = "https://uppsikt.alfa.se"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def outbox_for(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_several_items_due_make_one_email_listing_them_all(world, controller):
    first = action(world.sn, owner=controller, title="Byt standardlösenord i växeln")
    second = action(world.sn, owner=controller, title="Inför kontospärr", due=DUE + D(days=3))
    third = occurrence(world.sn, owner=controller, title="Behörighetskontroll i ekonomisystemet")
    run_on(DUE)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [controller.email]
    assert message.subject == "Uppsikt: 3 påminnelser om sista dag"
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    for item in (first, second):
        assert f"{SITE}{item.get_absolute_url()}" in message.body
        assert f'href="{SITE}{item.get_absolute_url()}"' in html
    assert f"{SITE}{third.get_absolute_url()}" in message.body
    assert "Byt standardlösenord i växeln" in message.body
    assert "Behörighetskontroll i ekonomisystemet" in html
    assert "sista dag om 3 dagar" in message.body
    assert "sista dag i dag" in message.body
    assert '<html lang="sv">' in html
    assert "Öppna åtgärden i Uppsikt" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.records.count() == 3
    assert email.subject == message.subject
    # The same reminders are in the app, one notification each.
    assert Notification.objects.filter(recipient=controller).count() == 3


def test_two_runs_on_one_day_send_nothing_twice(world, controller, coordinator):
    action(world.sn, owner=controller)
    action(world.sn, owner=None, owner_description="IT-chefen")
    run_on(DUE)
    run_on(DUE)
    run_on(DUE)
    assert len(mail.outbox) == 2
    assert ReminderRecord.objects.count() == 2
    assert Notification.objects.count() == 2
    assert OutgoingEmail.objects.count() == 2


def test_escalation_goes_to_coordinator_and_head_in_their_own_email(world, controller, coordinator):
    head = f.UserFactory(username="chef", municipality=world.municipality)
    world.sn.head = head
    world.sn.save()
    item = action(world.sn, owner=controller, title="Segmentera nätet")
    run_on(DUE + D(days=29))
    run_on(DUE + D(days=30))

    (to_coordinator,) = outbox_for(coordinator)
    (to_head,) = outbox_for(head)
    (to_owner,) = outbox_for(controller)
    assert to_coordinator.subject == "Uppsikt: 1 eskalering"
    assert "ESKALERINGAR (1)" in to_coordinator.body
    assert "Segmentera nätet" in to_head.body
    assert f"{SITE}{item.get_absolute_url()}" in to_head.body
    assert to_owner.subject == "Uppsikt: 1 påminnelse om sista dag"
    assert "försenad 30 dagar" in to_owner.body
    escalations = Notification.objects.filter(kind=Notification.Kind.ESCALATION)
    assert set(escalations.values_list("recipient", flat=True)) == {coordinator.pk, head.pk}


def test_weekly_digest_gathers_the_week_and_escalations_go_out_at_once(world, coordinator):
    weekly = f.UserFactory(
        username="veckovis",
        municipality=world.municipality,
        digest_frequency=User.DigestFrequency.WEEKLY,
    )
    # DUE is Wednesday 16 September; the Mondays are 7, 14 and 21 September.
    action(world.sn, owner=weekly, title="Uppdatera kontinuitetsplanen")
    action(world.sn, owner=weekly, title="Byt antivirus", due=DUE + D(days=2))
    f.RoleAssignmentFactory(user=weekly, unit=world.bun, role="coordinator")
    overdue = action(world.bun, owner=None, owner_description="Rektor", due=DUE - D(days=30))
    monday_7, monday_14, monday_21 = (datetime.date(2026, 9, d) for d in (7, 14, 21))

    def run_until(last: datetime.date, first: datetime.date) -> None:
        day = first
        while day <= last:
            run_on(day)
            day += D(days=1)

    run_on(DUE - D(days=14))  # Wednesday 2 September: held for the weekly digest
    assert outbox_for(weekly) == []
    assert Notification.objects.filter(recipient=weekly).count() == 1  # in the app at once
    run_until(monday_7 - D(days=1), DUE - D(days=13))
    assert outbox_for(weekly) == []

    run_on(monday_7)  # the digest: both "14 days before", gathered since Wednesday
    (first,) = outbox_for(weekly)
    assert first.subject == "Uppsikt: 2 påminnelser om sista dag"
    assert "veckosammanställning" in first.body
    assert "Uppdatera kontinuitetsplanen" in first.body and "Byt antivirus" in first.body

    run_until(monday_14, monday_7 + D(days=1))  # Monday 14th: "early", 3 days before (Sunday)
    second = outbox_for(weekly)[1]
    assert second.subject == "Uppsikt: 1 påminnelse om sista dag"
    assert "Uppdatera kontinuitetsplanen" in second.body and "Byt antivirus" not in second.body

    run_until(DUE, monday_14 + D(days=1))  # "due today" is held; the escalation goes at once
    assert len(outbox_for(weekly)) == 3
    escalation = outbox_for(weekly)[2]
    assert escalation.subject == "Uppsikt: 1 eskalering"
    assert overdue.get_absolute_url() in escalation.body
    assert "Uppdatera kontinuitetsplanen" not in escalation.body

    run_until(monday_21, DUE + D(days=1))
    assert len(outbox_for(weekly)) == 4
    third = outbox_for(weekly)[3]
    # "Byt antivirus" 3 days before, due and 1 day overdue; "Uppdatera …" due and 1 day overdue;
    # and the coordinator's own reminder of the escalated action, 30 days overdue.
    assert third.subject == "Uppsikt: 6 påminnelser om sista dag"
    assert "försenad 30 dagar" in third.body
    assert third.body.count("Byt antivirus") == 3
    assert third.body.count("Uppdatera kontinuitetsplanen") == 2
    assert "ESKALERINGAR" not in third.body


def test_digest_weekday_is_configurable(world):
    ReminderSettings.objects.create(municipality=world.municipality, digest_weekday=4)  # Friday
    weekly = f.UserFactory(
        username="veckovis",
        municipality=world.municipality,
        digest_frequency=User.DigestFrequency.WEEKLY,
    )
    action(world.sn, owner=weekly)
    run_on(DUE - D(days=3))  # Sunday
    run_on(DUE - D(days=2))  # Monday: not this municipality's day
    assert outbox_for(weekly) == []
    for offset in range(-1, 3):
        run_on(DUE + D(days=offset))  # … Friday
    (digest,) = outbox_for(weekly)
    # 3 days before (Sunday), due (Wednesday), 1 day overdue (Thursday).
    assert digest.subject == "Uppsikt: 3 påminnelser om sista dag"


def test_weekly_digest_leaves_out_what_was_finished_meanwhile(world):
    weekly = f.UserFactory(
        username="veckovis",
        municipality=world.municipality,
        digest_frequency=User.DigestFrequency.WEEKLY,
    )
    done = action(world.sn, owner=weekly, title="Klar i förväg")
    run_on(DUE - D(days=3))  # Sunday
    done.status = done.Status.DONE
    done.completed_date = DUE - D(days=3)
    done.save()
    run_on(DUE - D(days=2))  # Monday
    assert outbox_for(weekly) == []
    email = OutgoingEmail.objects.get(recipient=weekly)
    assert email.status == OutgoingEmail.Status.SKIPPED


def test_a_user_without_email_address_is_skipped_visibly(world, coordinator):
    silent = f.UserFactory(username="utan-epost", municipality=world.municipality, email="")
    action(world.sn, owner=silent)
    run_on(DUE)
    assert mail.outbox == []
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.SKIPPED
    assert "saknar e-postadress" in email.last_error
    assert Notification.objects.filter(recipient=silent).count() == 1


def test_board_response_email_links_to_the_response(world, coordinator):
    item = response(world.sn, title="Yttrande över granskning av IT-säkerhet")
    run_on(DUE - D(days=3))
    (message,) = outbox_for(coordinator)
    assert f"{SITE}{item.get_absolute_url()}" in message.body
    assert "Öppna yttrandet i Uppsikt" in message.body


def test_dry_run_records_and_sends_nothing(world, controller):
    from io import StringIO

    from django.core.management import call_command

    from tests.notifications.scenario import at

    action(world.sn, owner=controller)
    out = StringIO()
    with at(DUE):
        call_command("send_reminders", "--dry-run", stdout=out)
    assert "Provkörning" in out.getvalue()
    assert "1 nya påminnelser" in out.getvalue()
    assert not ReminderRecord.objects.exists()
    assert mail.outbox == []
    run_on(DUE)
    assert len(mail.outbox) == 1


def test_command_takes_a_date(world, controller):
    from io import StringIO

    from django.core.management import CommandError, call_command

    action(world.sn, owner=controller)
    out = StringIO()
    call_command("send_reminders", "--date", DUE.isoformat(), stdout=out)
    assert "1 e-brev att skicka" in out.getvalue()
    with pytest.raises(CommandError, match="ÅÅÅÅ-MM-DD"):
        call_command("send_reminders", "--date", "18/3")
