"""The register: classification ageing, filters, query counts, policy for systems, and the
register's forms."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from organisation import policy
from organisation.policy import Verb
from systems.models import AccessReview, Classification, ClassificationScale, SystemRole
from tests import factories as f

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12), tzinfo=TZ))


def test_a_classification_ages_after_three_years_by_default(world, system):
    c = f.ClassificationFactory(system=system, classified_on=datetime.date(2023, 6, 10))
    assert not c.is_outdated(3, today=datetime.date(2026, 6, 10))
    assert c.is_outdated(3, today=datetime.date(2026, 6, 11))
    leap = f.ClassificationFactory(system=system, classified_on=datetime.date(2024, 2, 29))
    assert not leap.is_outdated(1, today=datetime.date(2025, 2, 28))
    assert leap.is_outdated(1, today=datetime.date(2025, 3, 1))


def test_the_register_flags_old_classifications_with_the_configured_age(
    client_for, world, coordinator
):
    old = f.SystemFactory(owning_unit=world.sn, name="Gammalt")
    f.ClassificationFactory(system=old, classified_on=datetime.date(2022, 1, 15))
    new = f.SystemFactory(owning_unit=world.sn, name="Nyklassat")
    f.ClassificationFactory(system=new, classified_on=datetime.date(2025, 1, 15))
    f.SystemFactory(owning_unit=world.sn, name="Oklassat")
    client = client_for(coordinator)
    due = reverse("systems:system_list") + "?classification_due=on"
    with at(datetime.date(2026, 6, 10)):
        page = client.get(due).content.decode()
        assert "Gammalt" in page and "Oklassat" in page and "Nyklassat" not in page
        ClassificationScale.objects.create(municipality=world.municipality, max_age_years=5)
        page = client.get(due).content.decode()
        assert "Gammalt" not in page and "Oklassat" in page
        detail = client.get(old.get_absolute_url()).content.decode()
        assert "Klassning behöver förnyas" not in detail


def test_classification_history_is_kept(client_for, world, system, manager):
    client = client_for(manager)
    url = reverse("systems:classification_add", args=[system.pk])
    for day, level in (("2020-01-10", 2), ("2026-01-10", 3)):
        data = {
            "confidentiality": level,
            "integrity": 2,
            "availability": 1,
            "traceability": 0,
            "classified_on": day,
            "required_measures": "Logga behörighetsändringar.",
        }
        assert client.post(url, data).status_code == 302
    assert list(system.classifications.values_list("confidentiality", flat=True)) == [3, 2]
    assert system.classifications.first().classified_by == manager
    page = client.get(system.get_absolute_url()).content.decode()
    assert "3 Allvarlig" in page and "2 Betydande" in page
    bad = client.post(url, {**data, "confidentiality": 7})
    assert bad.status_code == 400
    assert system.classifications.count() == 2


def test_labels_are_configurable(client_for, world, system, coordinator):
    ClassificationScale.objects.create(
        municipality=world.municipality, labels=["Ingen", "Låg", "Medel", "Hög", "Mycket hög"]
    )
    f.ClassificationFactory(system=system, confidentiality=4)
    assert "4 Mycket hög" in client_for(coordinator).get(system.get_absolute_url()).content.decode()


def test_filters(client_for, world, coordinator):
    prio = f.SystemFactory(
        owning_unit=world.sn, name="Prio", is_prioritised=True, has_personal_data=True
    )
    f.ClassificationFactory(system=prio, confidentiality=4, classified_on=datetime.date(2026, 1, 1))
    f.AccessReviewFactory(
        system=prio,
        status=AccessReview.Status.COMPLETED,
        review_date=datetime.date(2026, 3, 1),
        completed_at=datetime.datetime(2026, 3, 1, tzinfo=TZ),
    )
    other = f.SystemFactory(owning_unit=world.bun, name="Annat", dpa_reference="PUB 1")
    f.ClassificationFactory(
        system=other, confidentiality=1, integrity=1, availability=1, traceability=1
    )
    client = client_for(coordinator)
    base = reverse("systems:system_list")

    def names(query):
        with at(datetime.date(2026, 6, 10)):
            page = client.get(f"{base}?{query}").content.decode()
        return {n for n in ("Prio", "Annat") if f">{n}</a>" in page}

    assert names("") == {"Prio", "Annat"}
    assert names(f"unit={world.sn.pk}") == {"Prio"}
    assert names("prioritised=1") == {"Prio"}
    assert names("prioritised=0") == {"Annat"}
    assert names("level=3") == {"Prio"}
    assert names("missing_dpa=on") == {"Prio"}
    assert names("review_overdue=on") == {"Annat"}
    assert names("q=anna") == {"Annat"}
    assert names("level=abc") == {"Prio", "Annat"}  # a bad filter value is ignored, never a 500


def test_list_queries_do_not_grow_with_rows(
    client_for, world, coordinator, django_assert_max_num_queries
):
    for n in range(210):
        system = f.SystemFactory(owning_unit=world.sn, name=f"System {n:03d}")
        f.ClassificationFactory(system=system)
        SystemRole.objects.create(system=system, kind=SystemRole.Kind.MANAGER, name="Förvaltare")
    client = client_for(coordinator)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("systems:system_list") + "?sort=-level&page=2")
    assert response.status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("systems:system_export")).status_code == 200


def test_review_page_queries_do_not_grow_with_items(
    client_for, world, system, manager, django_assert_max_num_queries
):
    review = f.AccessReviewFactory(system=system, status=AccessReview.Status.IN_REVIEW)
    for n in range(260):
        f.AccessReviewItemFactory(review=review, account_id=f"k{n:03d}", category="unknown")
    client = client_for(manager)
    with django_assert_max_num_queries(30):
        assert client.get(review.get_absolute_url() + "?show=all&page=2").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("systems:review_report_csv", args=[review.pk])).status_code == 200


def test_policy_review_verb_on_systems(
    world, system, manager, coordinator, controller, other_manager, auditor
):
    assert policy.can(manager, Verb.REVIEW, system)
    assert policy.can(coordinator, Verb.REVIEW, system)
    assert not policy.can(controller, Verb.REVIEW, system)
    assert not policy.can(auditor, Verb.REVIEW, system)
    assert not policy.can(other_manager, Verb.REVIEW, system)
    orderer = f.UserFactory(username="bestallare", municipality=world.municipality)
    SystemRole.objects.create(system=system, user=orderer, kind=SystemRole.Kind.ORDERER)
    assert system in policy.systems(orderer)
    assert not policy.can(orderer, Verb.REVIEW, system)
    assert policy.may_register_systems(coordinator)
    assert not policy.may_register_systems(manager)


def test_create_and_edit_a_system(client_for, world, coordinator, manager, system):
    client = client_for(coordinator)
    data = {
        "name": "Teis",
        "owning_unit": world.sn.pk,
        "vendor": "Tieto",
        "has_personal_data": "on",
        "alarm_level": "normal",
        "is_active": "on",
    }
    response = client.post(reverse("systems:system_create"), data)
    assert response.status_code == 302
    created = world.municipality.systems.get(name="Teis")
    assert created.missing_dpa
    # A manager edits their system but cannot move it to another nämnd.
    response = client_for(manager).post(
        reverse("systems:system_edit", args=[system.pk]),
        {"name": "Geosecma", "owning_unit": world.bun.pk, "is_active": "on"},
    )
    assert response.status_code == 400
    system.refresh_from_db()
    assert system.owning_unit == world.sn
    # Duplicate names are refused with a message.
    response = client_for(coordinator).post(reverse("systems:system_create"), data)
    assert response.status_code == 400
    assert world.municipality.systems.filter(name="Teis").count() == 1


def test_plans_roles_and_integrations(client_for, world, coordinator, system):
    client = client_for(coordinator)
    other = f.SystemFactory(owning_unit=world.sn, name="Heroma")
    assert (
        client.post(
            reverse("systems:plan_add", args=[system.pk]),
            {"year": 2026, "budget": "150000", "last_risk_analysis": "2026-04-02", "notes": ""},
        ).status_code
        == 302
    )
    assert system.management_plans.get(year=2026).budget == 150000
    assert (
        client.post(
            reverse("systems:integration_add", args=[system.pk]),
            {"target": other.pk, "description": "Anställningar"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("systems:role_add", args=[system.pk]), {"kind": "owner", "name": "IT-chef"}
        ).status_code
        == 302
    )
    assert (
        client.post(reverse("systems:role_add", args=[system.pk]), {"kind": "owner"}).status_code
        == 400
    )
    page = client.get(system.get_absolute_url()).content.decode()
    assert "Heroma" in page and "IT-chef" in page and "150" in page
    assert Classification.objects.count() == 0
