"""Every file that leaves Uppsikt is logged, by the one middleware that reads the download mark."""

import pytest
from django.urls import reverse

from controls.models import OccurrenceEvidence
from core.files import DownloadKind, save_stored_file
from security.models import SecurityEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_download_kind_is_a_security_event_kind():
    assert {kind.value for kind in DownloadKind} <= set(SecurityEvent.Kind.values)


def test_an_export_is_logged_with_who_and_what(client_for, coordinator):
    response = client_for(coordinator).get(reverse("findings:finding_export", args=["csv"]))
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.EXPORT)
    assert event.user == coordinator
    assert event.municipality_id == coordinator.municipality_id
    assert event.detail.endswith(".csv")
    assert event.ip == "127.0.0.1"


def test_an_evidence_download_is_logged_with_the_file(client_for, world, coordinator):
    occurrence = f.ControlOccurrenceFactory(control_point__plan__unit=world.sn)
    evidence = save_stored_file(
        OccurrenceEvidence,
        uploaded=f.pdf_upload("stickprov.pdf"),
        user=coordinator,
        occurrence=occurrence,
    )
    response = client_for(coordinator).get(
        reverse("controls:evidence_download", args=[evidence.pk])
    )
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.EVIDENCE_DOWNLOAD)
    assert event.object_type == "controls.occurrenceevidence"
    assert event.object_id == str(evidence.pk)
    assert event.detail == "stickprov.pdf"


def test_a_refused_download_is_not_logged_as_a_download(client_for, world, outsider, coordinator):
    occurrence = f.ControlOccurrenceFactory(control_point__plan__unit=world.sn)
    evidence = save_stored_file(
        OccurrenceEvidence, uploaded=f.pdf_upload(), user=coordinator, occurrence=occurrence
    )
    response = client_for(outsider).get(reverse("controls:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EVIDENCE_DOWNLOAD).exists()
