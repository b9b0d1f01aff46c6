"""Uploads are size-checked and sniffed; stored files go back only as sandboxed attachments."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from controls.models import OccurrenceEvidence
from core.files import (
    EvidenceFileField,
    clean_filename,
    content_disposition,
    save_stored_file,
    serve_attachment,
    validate_upload,
)
from tests import factories as f
from tests.security.fuzzing import damaged_manifest

# --- sample files, made here ----------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Kontrollpunkt"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ooxml(main_part: str, *, padding: int = 0) -> bytes:
    """A minimal OOXML package whose [Content_Types].xml names ``main_part``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="' + main_part + '"/></Types>',
        )
        if padding:  # entries before the document, past where header-only sniffers look
            archive.writestr("customXml/item1.xml", "x" * padding, zipfile.ZIP_STORED)
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hej")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- validate_upload ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("protokoll.pdf", PDF, "application/pdf"),
        ("skärmbild.PNG", png(), "image/png"),
        ("foto.jpg", JPEG, "image/jpeg"),
        ("foto.jpeg", JPEG, "image/jpeg"),
        ("figur.gif", GIF, "image/gif"),
        (
            "lista.xlsx",
            xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "rapport.docx",
            ooxml(DOCX_MAIN, padding=20_000),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("rapport.odt", odt(), "application/vnd.oasis.opendocument.text"),
        ("konton.csv", "namn;enhet\nÅsa Öberg;SN\n".encode(), "text/csv"),
        ("konton.csv", "\ufeffnamn;enhet\nÅsa;SN\n".encode(), "text/csv"),
        ("anteckning.txt", "Åtgärd klar – se bilaga.\r\n".encode("cp1252"), "text/plain"),
    ],
)
def test_accepted_files_return_their_sniffed_type_and_hash(name, content, content_type):
    uploaded = upload(name, content)
    assert validate_upload(uploaded) == (content_type, hashlib.sha256(content).hexdigest())
    assert uploaded.tell() == 0


def test_a_file_over_the_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    big = upload("stor.pdf", PDF + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        validate_upload(big)
    assert error.value.messages == ["Filen är för stor (max 20 MB)."]


def test_the_limit_can_be_given_per_call():
    with pytest.raises(ValidationError, match="för stor"):
        validate_upload(upload("a.pdf", PDF), max_bytes=10)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.exe", EXE, "Filtypen .exe är inte tillåten."),
        ("sida.html", HTML, "Filtypen .html är inte tillåten."),
        ("bild.svg", SVG, "Filtypen .svg är inte tillåten."),
        ("arkiv.zip", plain_zip(), "Filtypen .zip är inte tillåten."),
        ("utan-ändelse", PDF, "Filen saknar filändelse."),
        ("tom.pdf", b"", "Filen är tom."),
        # the extension lies about the content
        ("faktura.pdf", EXE, "Filens innehåll stämmer inte med filändelsen .pdf."),
        ("bild.png", ELF, "Filens innehåll stämmer inte med filändelsen .png."),
        ("bild.jpg", png(), "Filens innehåll stämmer inte med filändelsen .jpg."),
        ("text.txt", HTML, "Filens innehåll stämmer inte med filändelsen .txt."),
        ("data.csv", SVG, "Filens innehåll stämmer inte med filändelsen .csv."),
        ("data.csv", b"namn;\x00\x01\x02", "Filens innehåll stämmer inte med filändelsen .csv."),
        ("lista.xlsx", plain_zip(), "Filens innehåll stämmer inte med filändelsen .xlsx."),
        ("lista.xlsx", ooxml(DOCX_MAIN), "Filens innehåll stämmer inte med filändelsen .xlsx."),
        ("makro.docx", ooxml(DOCM_MAIN), "Filens innehåll stämmer inte med filändelsen .docx."),
        (
            "trasig.docx",
            b"PK\x03\x04" + b"\x00" * 50,
            "Filens innehåll stämmer inte med filändelsen .docx.",
        ),
        ("rapport.pdf", xlsx(), "Filens innehåll stämmer inte med filändelsen .pdf."),
    ],
)
def test_refused_files_get_a_clear_swedish_message(name, content, message):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, content))
    assert error.value.messages == [message]


@pytest.mark.parametrize("how", ["deflate", "encrypted", "method"])
def test_a_damaged_archive_is_refused_not_a_server_error(how):
    """zlib.error, RuntimeError and NotImplementedError used to escape the sniffing (a 500)."""
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("lista.xlsx", damaged_manifest(xlsx(), how)))
    assert error.value.messages == ["Filens innehåll stämmer inte med filändelsen .xlsx."]


def test_a_caller_can_narrow_the_allowed_types():
    with pytest.raises(ValidationError, match=r"Filtypen \.pdf är inte tillåten\."):
        validate_upload(upload("a.pdf", PDF), allowed={"csv", "xlsx"})
    assert validate_upload(upload("a.csv", b"a;b\n"), allowed={"csv", "xlsx"})[0] == "text/csv"


# --- the form field -------------------------------------------------------------------------


class EvidenceForm(forms.Form):
    underlag = EvidenceFileField(label="Underlag", allowed={"pdf", "png"})


def test_the_form_field_applies_the_checks_with_swedish_errors():
    form = EvidenceForm(data={}, files={"underlag": upload("faktura.pdf", EXE)})
    assert not form.is_valid()
    assert form.errors["underlag"] == ["Filens innehåll stämmer inte med filändelsen .pdf."]

    form = EvidenceForm(data={}, files={"underlag": upload("protokoll.pdf", PDF)})
    assert form.is_valid(), form.errors


def test_the_form_field_tells_the_allowed_types_and_limit(settings):
    settings.UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    html = str(EvidenceForm()["underlag"])
    field = EvidenceForm().fields["underlag"]
    assert field.help_text == "Tillåtna filtyper: .pdf, .png. Högst 20 MB."
    assert 'accept=".pdf,.png"' in html


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Protokoll § 12 – åtgärder.pdf", "Protokoll § 12 – åtgärder.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\kalle\\rapport.docx", "rapport.docx"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ('a<b>:"c".txt', "a_b___c_.txt"),
        (".htaccess", "htaccess"),
        ("", "fil"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean


def test_content_disposition_keeps_swedish_letters_with_an_ascii_fallback():
    header = content_disposition("Åtgärdsplan för IT-säkerhet.pdf")
    assert header.startswith('attachment; filename="Atgardsplan for IT-sakerhet.pdf"; ')
    encoded = header.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "Åtgärdsplan för IT-säkerhet.pdf"
    assert content_disposition("plain.pdf") == 'attachment; filename="plain.pdf"'
    assert '"' not in content_disposition('a"b.pdf').split('filename="')[1][:-1]


# --- storing and serving --------------------------------------------------------------------


@pytest.fixture
def occurrence(world):
    plan = f.ControlPlanFactory(unit=world.sn)
    return f.ControlOccurrenceFactory(control_point=f.ControlPointFactory(plan=plan))


def test_save_stored_file_keeps_the_facts_and_an_unguessable_name(occurrence, controller):
    evidence = save_stored_file(
        OccurrenceEvidence,
        uploaded=upload("../Stickprov Åsa.pdf", PDF),
        user=controller,
        occurrence=occurrence,
    )

    evidence.refresh_from_db()
    assert evidence.original_name == "Stickprov Åsa.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.uploaded_by == controller
    assert evidence.file.name.startswith("controls/occurrenceevidence/")
    assert "Stickprov" not in evidence.file.name
    assert evidence.file.name.endswith(".pdf")
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF


def _stored_files(settings) -> list[Path]:
    uploads = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [p for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else []


def test_save_stored_file_refuses_a_bad_upload_and_stores_nothing(occurrence, controller, settings):
    with pytest.raises(ValidationError):
        save_stored_file(
            OccurrenceEvidence,
            uploaded=upload("faktura.pdf", EXE),
            user=controller,
            occurrence=occurrence,
        )
    assert not OccurrenceEvidence.objects.exists()
    assert _stored_files(settings) == []


def test_save_stored_file_refuses_an_invalid_row_and_stores_no_file(controller, settings):
    with pytest.raises(ValidationError) as error:
        save_stored_file(OccurrenceEvidence, uploaded=upload("a.pdf", PDF), user=controller)
    assert "occurrence" in error.value.message_dict
    assert not OccurrenceEvidence.objects.exists()
    assert _stored_files(settings) == []


def test_serve_attachment_never_renders_inline(occurrence, controller):
    evidence = save_stored_file(
        OccurrenceEvidence,
        uploaded=upload("Åtgärder 2025.pdf", PDF),
        user=controller,
        occurrence=occurrence,
    )

    response = serve_attachment(evidence)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="Atgarder 2025.pdf"')
    assert "filename*=UTF-8''%C3%85tg%C3%A4rder%202025.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert "no-store" in response["Cache-Control"]
    response.close()


def test_serve_attachment_takes_a_field_file_and_an_explicit_name(occurrence, controller):
    evidence = save_stored_file(
        OccurrenceEvidence,
        uploaded=upload("konton.csv", b"namn;enhet\n"),
        user=controller,
        occurrence=occurrence,
    )

    response = serve_attachment(evidence.file, filename="export.csv", content_type="text/csv")

    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="export.csv"'
    response.close()


def test_a_missing_file_is_a_404_not_a_server_error(client_for, occurrence, controller, caplog):
    evidence = save_stored_file(
        OccurrenceEvidence, uploaded=upload("a.pdf", PDF), user=controller, occurrence=occurrence
    )
    evidence.file.storage.delete(evidence.file.name)  # e.g. a restore without the uploads
    response = client_for(controller).get(reverse("controls:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404
    assert "Stored file missing" in caplog.text
