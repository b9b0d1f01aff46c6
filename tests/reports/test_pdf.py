"""The archived PDFs, read back with pypdf: sections, numbers and statuses from the data,
secret details absent from the board version and present in the internal one, and the PDF/A
identification, language, title, tags and embedded fonts."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from reports import services
from reports.models import Report
from tests import factories as f
from tests.reports.conftest import SECRET_ACTION, SECRET_DETAIL, SECRET_OBSERVATION, SECRET_TITLE

pytestmark = pytest.mark.django_db


def _order(coordinator, capture, **kwargs) -> Report:
    with capture(execute=True):
        report = services.order_report(user=coordinator, **kwargs)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    return report


def _read(report: Report) -> tuple[PdfReader, str, list[str]]:
    with report.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    pages = [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]
    return reader, " ".join(pages), pages


@pytest.fixture
def order(coordinator, django_capture_on_commit_callbacks):
    def make(**kwargs) -> tuple[Report, PdfReader, str, list[str]]:
        report = _order(coordinator, django_capture_on_commit_callbacks, **kwargs)
        return (report, *_read(report))

    return make


def test_annual_follow_up_board_version(order, annual):
    report, _reader, text, pages = order(
        kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
    )
    # The minute-item head (S004): organ, §, meeting date, Dnr, title.
    assert "Socialnämnden" in pages[0]
    assert "§ 28" in pages[0]
    assert "2018-02-13" in pages[0]
    assert "SN/2016:389" in pages[0]
    assert "Uppföljning av internkontrollplan 2017, Socialnämnden" in pages[0]
    for heading in (
        "Bakgrund",
        "Sammanfattning",
        "Redovisning per kontrollpunkt",
        "Öppna åtgärder som förs över till 2018",
        "Samlad bedömning",
        "Beslutsunderlag",
        "Förslag till beslut",
        "Beslutet skickas till",
        "Handläggare",
    ):
        assert heading in text, heading
    # The control points, municipality-wide or not, and the numbers of the summary.
    assert "1. Krishantering (kommungemensamt)" in text
    assert "2. Inköp (kommungemensamt)" in text
    assert "3. Process för utgivning av SITHS-kort" in text
    assert "2 kommungemensamma kontrollpunkter och 2 förvaltningsspecifika" in text
    assert "Av 5 planerade kontrolltillfällen under 2017 har 5 genomförts" in text
    assert "Kontrollerna visade 2 avvikelser" in text
    assert "Av 3 åtgärder har 1 genomförts och 2 pågår, varav 2 har passerat sitt slutdatum" in text
    assert "16 hög" in text  # Säker IT-infrastruktur: 4 × 4
    assert "2 / 2" in text  # SITHS-kort: performed of planned
    assert "Avvikelse, väsentlig" in text
    # Statuses of the actions.
    assert "Genomföra en krisövning" in text
    assert "Pågår – försenad" in text
    assert "Revidera krisplanen" in text
    assert "Socialnämnden godkänner slutredovisningen av internkontrollen 2017." in text
    assert "Kommunstyrelsen" in text and "Akten" in text
    assert "Carina Brofeldt" in text and "Tfn 0142-851 56" in text
    # Secrecy: the secret deviation and its action are left out, and the document says so.
    assert SECRET_TITLE not in text
    assert "Sommar2017" not in text
    assert SECRET_ACTION not in text
    assert "1 avvikelse omfattas av sekretess enligt 18 kap. 8 §" in text
    assert "1 åtgärd omfattas av sekretess" in text
    assert SECRET_DETAIL not in text and "PwC:s tekniska" not in text
    assert "Detaljerna om kontrollen omfattas av sekretess" in text
    # Footer on every page: the Dnr and "Sida X av Y".
    for number, page in enumerate(pages, start=1):
        assert f"Sida {number} av {len(pages)}" in page
        assert "Dnr SN/2016:389" in page
    assert report.page_count == len(pages)


def test_annual_follow_up_internal_version_has_the_secret_details(order, annual):
    _report, _reader, text, _pages = order(
        kind="annual_follow_up", unit=annual.unit, audience="internal", year=2017
    )
    assert SECRET_TITLE in text
    assert SECRET_ACTION in text
    assert SECRET_DETAIL in text
    assert "omfattas av sekretess enligt 18 kap. 8 § offentlighets" not in text
    assert "Intern version" in text


def test_pdf_a_identification_language_title_tags_and_fonts(order, annual):
    report, reader, _text, _pages = order(
        kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
    )
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(=\"|>)2", xmp), xmp
    assert re.search(r"pdfaid:conformance(=\"|>)A", xmp), xmp
    assert "Uppföljning av internkontrollplan 2017, Socialnämnden" in xmp
    assert root["/Lang"] == "sv"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Uppföljning av internkontrollplan 2017, Socialnämnden"
    assert "/OutputIntents" in root
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            fonts.append(descendant["/FontDescriptor"].get_object())
    assert fonts and all("/FontFile2" in d or "/FontFile3" in d for d in fonts)
    assert report.pdf_variant == "pdf/a-2a"


def test_overall_assessment(order, annual, world):
    _report, _reader, text, _pages = order(
        kind="overall_assessment", unit=world.root, audience="board", year=2017
    )
    assert "Samlad bedömning av den interna kontrollen 2017" in text
    assert "Nämndernas uppföljning 2017" in text
    assert "Kommungemensamma kontrollpunkter" in text
    assert "Socialnämnden" in text and "Krishantering" in text
    assert "1 internkontrollplan för 2017 ingår i bedömningen" in text
    assert SECRET_TITLE not in text


def test_overall_assessment_for_ks_covers_every_board(order, annual, world):
    """KS has uppsikt over the nämnder, which sit beside it under the council (KL 6:1)."""
    from organisation.models import OrgUnit

    ks = OrgUnit.objects.get(municipality=world.municipality, short_code="KS")
    f.ControlPointFactory(plan__unit=world.bun, plan__year=2017, title="Skolskjutsar")
    report, _reader, text, pages = order(
        kind="overall_assessment", unit=ks, audience="board", year=2017
    )
    assert "2 internkontrollplaner för 2017 ingår i bedömningen" in text
    assert "Socialnämnden" in text and "Barn- och utbildningsnämnden" in text
    assert "Kommunstyrelsen" in pages[0]
    assert report.unit == ks


def test_audit_follow_up(order, audit_chain, world):
    _report, _reader, text, _pages = order(
        kind="audit_follow_up", unit=world.sn, audience="board", audit=audit_chain.follow_up_2017
    )
    assert "Uppföljning av granskning: Uppföljande granskning av IT-säkerhet 2017" in text
    assert "Kommunstyrelsen bör ta fram en analys av nuläget utifrån MSBFS 2016:1." in text
    # Status at each follow-up: 2016 and 2017 columns.
    assert "Bedömning 2016" in text and "Bedömning 2017" in text
    assert "Ej åtgärdad" in text and "Delvis åtgärdad" in text
    assert "Bedömning vid uppföljningen 2017-09-15: Delvis åtgärdad. Arbetet pågår" in text
    # The answer (SVAR) and the actions with owner, deadline and status.
    assert "Systemförvaltare utarbetar riktlinjer för behörigheter i Procapita." in text
    assert "Riktlinjer för behörigheter i Procapita" in text
    assert "Nulägesanalys enligt MSBFS" in text and "Q1 2019" in text
    assert "Ny IT-organisation beslutades i september 2016." in text
    assert SECRET_OBSERVATION not in text
    assert "1 iakttagelse omfattas av sekretess" in text


def test_audit_follow_up_internal_has_secret_observation(order, audit_chain, world):
    _report, _reader, text, _pages = order(
        kind="audit_follow_up", unit=world.sn, audience="internal", audit=audit_chain.follow_up_2017
    )
    assert SECRET_OBSERVATION in text


def test_audit_follow_up_of_a_secret_review_counts_what_it_leaves_out(order, world, coordinator):
    """S004's PwC review: the board version has the summary and the figures, not the details."""
    from audits.models import Audit
    from findings.models import Action

    review = f.AuditFactory(
        municipality=world.municipality,
        title="Teknisk säkerhetsgranskning 2017",
        kind=Audit.Kind.SECURITY_REVIEW,
        is_secret=True,
        summary="Granskningen visar brister i den tekniska säkerheten.",
        addressed_units=[world.sn],
    )
    rec = f.RecommendationFactory(
        audit=review, number=1, addressee=world.sn, text="Byt standardlösenordet på BV-17."
    )
    response = f.BoardResponseFactory(audit=review, unit=world.sn)
    f.ResponseItemFactory(response=response, recommendation=rec, text="Lösenordet byts i maj.")
    done = f.ActionFactory(unit=world.sn, title="Byt lösenord på BV-17", status="done")
    done.recommendations.add(rec)
    f.ActionFactory(unit=world.sn, title="Inför lösenordsvalv").recommendations.add(rec)
    assert Action.objects.count() == 2

    _r, _reader, board, _p = order(
        kind="audit_follow_up", unit=world.sn, audience="board", audit=review
    )
    assert "Granskningen visar brister i den tekniska säkerheten." in board
    for detail in ("BV-17", "Lösenordet byts i maj", "lösenordsvalv"):
        assert detail not in board, detail
    assert "1 rekommendation omfattas av sekretess" in board
    assert "Till dem hör 2 åtgärder, varav 1 genomförda." in board

    _r, _reader, internal, _p = order(
        kind="audit_follow_up", unit=world.sn, audience="internal", audit=review
    )
    assert "Byt standardlösenordet på BV-17." in internal and "Lösenordet byts i maj." in internal


def test_action_plan(order, annual, audit_chain, world):
    _report, _reader, text, _pages = order(kind="action_plan", unit=world.root, audience="board")
    assert "Åtgärdsplan, Alfa kommun" in text
    assert "Krisplanen behöver revideras" in text
    assert "Genomföra en krisövning" in text
    assert "Klart senast: 2018-06-30" in text
    assert "Status: Pågår – försenad" in text
    assert "2014:1 · Kommunstyrelsen bör ta fram en analys" in text
    assert "Revidera krisplanen" not in text  # done: not open
    assert SECRET_ACTION not in text and SECRET_TITLE not in text
    assert "1 åtgärd omfattas av sekretess" in text


def test_action_plan_internal(order, annual, world):
    _report, _reader, text, _pages = order(kind="action_plan", unit=world.root, audience="internal")
    assert SECRET_ACTION in text
    assert SECRET_TITLE in text


def test_system_inventory(order, systems_case, world):
    _report, _reader, text, _pages = order(
        kind="system_inventory", unit=world.root, audience="board"
    )
    assert "Systemförteckning, Alfa kommun" in text
    assert "Procapita" in text and "Tieto" in text and "Förvaltningschef SOC" in text
    assert "K3 R2 T2 S3" in text and "2025-03-01" in text
    assert "PUB-2018-04" in text
    assert "Geosecma" in text and "PUB-avtal saknas" in text and "Ej klassat" in text
    assert "Förteckningen omfattar 2 system" in text


def test_a_long_table_repeats_its_header_and_never_splits_a_row(order, world, coordinator):
    from benchmarks.reports import build_plan

    unit = f.OrgUnitFactory(municipality=world.municipality, parent=world.root, name="Stor nämnd")
    build_plan(world.municipality, unit, coordinator, points=45)
    _report, _reader, _text, pages = order(
        kind="annual_follow_up", unit=unit, audience="board", year=2017
    )
    row = re.compile(
        r"(\d+)\. Kontrollpunkt \d+: behörigheter i system \d+ (\(kommungemensamt\) )?\d+ (låg|medel|hög)"
    )
    summary_pages = [p for p in pages if row.search(p)]
    assert len(summary_pages) >= 2, pages[:3]  # the summary table runs over several pages …
    for page in summary_pages:  # … and each page shows its header row
        assert "Kontrollpunkt Riskvärde Genomförda/ planerade Utfall Avvikelser Åtgärder" in page
    # Every row is whole on one page: all 45 numbers are found, each on a single page.
    numbers = [int(m.group(1)) for page in summary_pages for m in row.finditer(page)]
    assert sorted(numbers) == list(range(1, 46))
