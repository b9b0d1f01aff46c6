import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reports.models import Report
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(world, coordinator):
    board = f.ReportFactory(unit=world.sn, title="Uppföljning SN 2017", requested_by=coordinator)
    internal = f.ReportFactory(
        unit=world.sn,
        title="Intern uppföljning SN 2017",
        audience=Report.Audience.INTERNAL,
        requested_by=coordinator,
    )
    for report in (board, internal):
        report.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
        report.status = Report.Status.DONE
        report.sha256 = "0" * 64
        report.save()
    other = f.ReportFactory(unit=world.other_root, title="Beta rapport")
    return board, internal, other


def test_board_member_sees_board_version_only(client_for, world, board_member, reports):
    _, internal, _ = reports
    text = client_for(board_member).get(reverse("reports:report_list")).text
    assert "Uppföljning SN 2017" in text
    assert "Intern uppföljning" not in text
    assert "Beta rapport" not in text
    assert client_for(board_member).get(internal.get_absolute_url()).status_code == 404


def test_download_is_an_attachment(client_for, world, board_member, reports):
    board, _, _ = reports
    response = client_for(board_member).get(reverse("reports:report_download", args=[board.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_other_municipality_gets_404(client_for, world, outsider, reports):
    board, _, _ = reports
    assert client_for(outsider).get(board.get_absolute_url()).status_code == 404
    assert (
        client_for(outsider).get(reverse("reports:report_download", args=[board.pk])).status_code
        == 404
    )


def test_controller_of_other_unit_gets_404(client_for, world, reports):
    from organisation.models import Role

    bun_controller = f.UserFactory(username="bunk", municipality=world.municipality)
    f.RoleAssignmentFactory(user=bun_controller, unit=world.bun, role=Role.CONTROLLER)
    board, _, _ = reports
    assert client_for(bun_controller).get(board.get_absolute_url()).status_code == 404
