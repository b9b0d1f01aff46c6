"""Fuzz tests of every parser of uploaded or typed input (issue 8, point 8).

Each parser gets arbitrary and structured-but-broken input and may only answer with a value or
its module's documented Swedish validation error, never with any other exception (which a view
would turn into a 500). Valid generated input must round-trip. The views that use these parsers
are fuzzed in test_fuzz_imports.py.

Reproducibility: CI runs these with the ``ci`` Hypothesis profile (tests/conftest.py), which
derandomizes, so a CI failure reproduces exactly and CI never goes red on an example found by
chance in an unrelated change; locally the examples are random and failures are replayed from
the example database in ``.hypothesis/``. Every bug these tests found is pinned with
``@example``.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from controls import spreadsheet
from controls.models import ControlPoint, RiskScale
from core import files
from findings.deadlines import MAX_YEAR, MIN_YEAR, parse_deadline
from findings.forms import DeadlineField
from findings.models import DeadlinePrecision, end_of_period, format_deadline
from systems import importing, mapping, personnummer, tabular
from tests.security.fuzzing import (
    ARABIC_INDIC,
    FULLWIDTH,
    any_upload,
    assert_swedish,
    billion_laughs_xlsx,
    cell_text,
    csv_files,
    csv_text,
    damaged_manifest,
    valid_personnummer,
    xlsx_files,
    xlsx_from_text_rows,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")  # broken files warn

PURE = settings(max_examples=200)
FILES = settings(max_examples=150, deadline=None)  # openpyxl's time varies on a busy machine
TODAY = datetime.date(2026, 6, 10)


# =============================================================================================
# Personnummer
# =============================================================================================


@PURE
@given(st.one_of(cell_text, st.text(), st.integers(), st.none(), st.floats()))
@example("８００１０１-１２３４")  # fullwidth digits: KeyError in the Luhn table (was a 500)
@example("١٩٨٠٠١٠١١٢٣٤")
def test_personnummer_parse_raises_only_its_own_error(value):
    try:
        number = personnummer.parse(value, today=TODAY)
    except personnummer.PersonnummerError as exc:
        assert exc.code in personnummer.ERRORS
        assert_swedish(exc)
        return
    assert re.fullmatch(r"[0-9]{12}", number.digits)
    assert len(number.hashed) == 64
    assert number.masked.endswith("-****")
    assert personnummer.looks_like(value)


@PURE
@given(st.one_of(cell_text, st.text()))
@example("８００１０１-１２３４")
def test_shape_checks_and_masking_never_raise_and_never_show_the_serial(value):
    masked = personnummer.mask_text(value)
    assert personnummer.looks_like(value) == bool(masked)
    if masked:
        # The birth date at most: the four last digits are never shown.
        assert masked.endswith("-****") and len(re.sub(r"\D", "", masked)) <= 8


def _written_forms(digits: str, today: datetime.date) -> list[str]:
    """Every way people and systems write the number ``digits`` (twelve digits)."""
    born = datetime.date(
        int(digits[:4]), int(digits[4:6]), int(digits[6:8]) - (60 if digits[6] >= "6" else 0)
    )
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    ten_sep = "+" if age >= 100 else "-"
    forms_ = [digits, f"{digits[:8]}-{digits[8:]}", f" {digits[:8]} - {digits[8:]} "]
    if age < 200:  # ten digits carry the century only up to 199 years
        forms_ += [f"{digits[2:8]}{ten_sep}{digits[8:]}", f"{digits[2:8]} {ten_sep} {digits[8:]}"]
    if age < 100:
        forms_.append(digits[2:])  # ten digits without a separator: under 100 years
    forms_ += [f.translate(FULLWIDTH) for f in forms_[:2]]
    forms_.append(forms_[0].translate(ARABIC_INDIC))
    return forms_


@PURE
@given(valid_personnummer(today=TODAY))
@example("180001011238")  # 226 years old on TODAY: only the twelve-digit forms say so
@example("190006109292")  # the 126th birthday: ten digits with "+"
@example("192606100010")  # the 100th birthday today: "+" from today
@example("192606110027")  # 99 years old, 100 tomorrow: still "-"
def test_every_written_form_of_a_valid_number_gives_the_same_key(digits):
    try:
        expected = personnummer.parse(digits, today=TODAY)
    except personnummer.PersonnummerError:
        assume(False)
    for written in _written_forms(expected.digits, TODAY):
        number = personnummer.parse(written, today=TODAY)
        assert number.digits == expected.digits, written
        assert number.hashed == personnummer.hash_personnummer(expected.digits)
        assert tabular.as_pnr(tabular.pnr_token(written, today=TODAY)) == tabular.PnrCell(
            hash=expected.hashed, masked=expected.masked, valid=True
        )


@PURE
@given(valid_personnummer(today=TODAY), st.integers(0, 9))
def test_a_wrong_check_digit_is_a_checksum_error(digits, other):
    assume(str(other) != digits[-1])
    with pytest.raises(personnummer.PersonnummerError) as error:
        personnummer.parse(digits[:-1] + str(other), today=TODAY)
    assert error.value.code == "checksum"


# =============================================================================================
# Access review files (systems.tabular) and column mapping (systems.mapping)
# =============================================================================================


def _read_table(content: bytes, name: str) -> tabular.Table | None:
    try:
        table = tabular.read_table(io.BytesIO(content), name=name, today=TODAY)
    except tabular.TableError as exc:
        for message in exc.messages:
            assert_swedish(message)
        return None
    assert table.rows and table.header
    assert len(set(table.header)) == len(table.header), table.header
    assert all(len(row) == len(table.header) for row in table.rows)
    for row in table.rows:
        for cell in row:
            # A personnummer-shaped cell is never kept in clear.
            assert cell.startswith(tabular.TOKEN) or not personnummer.looks_like(cell)
    tabular.unpack(tabular.pack(table), table.header)  # the reduced table stores
    return table


@FILES
@given(csv_files(), st.sampled_from(["konton.csv", "personal.txt"]))
@example("Konto;Pnr\r\na;８００１０１-１２３４\r\n".encode(), "konton.csv")  # was KeyError
@example(b"A;A;A (2)\r\n1;2;3\r\n", "konton.csv")  # headers must stay apart
def test_read_table_on_any_csv(content, name):
    _read_table(content, name)


@FILES
@given(st.one_of(xlsx_files(), st.binary(max_size=200)))
@example(billion_laughs_xlsx())
def test_read_table_on_any_xlsx(content):
    _read_table(content, "konton.xlsx")


_SAFE_CELL = st.text(
    alphabet=st.characters(
        categories=("L", "Nd", "Zs"), include_characters="-./:()'\"\n", exclude_characters="\x85"
    ),
    max_size=15,
).filter(lambda s: not re.search(r"\d{6}", s))  # six digits in a row are masked
_HEADER_CELL = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöABC ", min_size=1, max_size=12)


@FILES
@given(
    st.lists(_HEADER_CELL.map(str.strip).filter(bool), min_size=1, max_size=5, unique=True),
    st.data(),
)
def test_the_same_table_reads_the_same_from_csv_and_xlsx(header, data):
    rows = data.draw(
        st.lists(
            st.lists(_SAFE_CELL, min_size=len(header), max_size=len(header)).filter(any),
            min_size=1,
            max_size=6,
        )
    )
    rows = [[cell.strip() for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    assume(rows)
    # A one-column header has no delimiter to sniff: such files are read with ";".
    delimiter = data.draw(st.sampled_from([";", ",", "\t"])) if len(header) > 1 else ";"
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    from_csv = tabular.read_table(
        io.BytesIO(csv_text([header, *rows], delimiter).encode(encoding)), name="a.csv"
    )
    from_xlsx = tabular.read_table(io.BytesIO(xlsx_from_text_rows([header, *rows])), name="a.xlsx")
    assert from_csv.header == from_xlsx.header == header
    assert from_csv.rows == from_xlsx.rows == rows


_ACCOUNT_HEADERS = ["Användarnamn", "Namn", "Personnummer", "Senaste inloggning", "Enhet"]


@PURE
@given(
    st.lists(st.one_of(cell_text, st.sampled_from(_ACCOUNT_HEADERS)), max_size=8),
    st.dictionaries(
        st.sampled_from([f.key for f in mapping.ACCOUNT_FIELDS] + ["x"]),
        st.one_of(cell_text, st.sampled_from(_ACCOUNT_HEADERS)),
    ),
    st.sampled_from([mapping.ACCOUNT_FIELDS, mapping.ROSTER_FIELDS]),
)
def test_guessing_and_checking_a_mapping(header, chosen, fields):
    guessed = mapping.guess_mapping(header, fields)
    assert set(guessed) == {f.key for f in fields}
    assert all(column == "" or column in header for column in guessed.values())
    for candidate in (guessed, chosen):
        try:
            clean = mapping.check_mapping(candidate, header, fields)
        except mapping.MappingError as exc:
            for message in exc.errors:
                assert_swedish(message)
        else:
            used = [c for c in clean.values() if c]
            assert len(used) == len(set(used)) and all(c in header for c in used)


@PURE
@given(st.one_of(cell_text, st.text()))
@example("0000-01-01")
@example("٢٠٢٥-٠٥-٣١")
def test_parse_date_gives_a_date_none_or_value_error(text):
    try:
        value = mapping.parse_date(text)
    except ValueError:
        return
    assert value is None or isinstance(value, datetime.date)


@PURE
@given(st.dates(min_value=datetime.date(1000, 1, 1)))
def test_parse_date_reads_every_written_form_of_a_date(day):
    for written in (
        day.isoformat(),
        f"{day.isoformat()} 14:02",
        f"{day.isoformat()}T14:02:00",
        f"{day:%Y%m%d}",
        f"{day:%Y/%m/%d}",
        f"{day.day}.{day.month}.{day.year}",
        f"{day:%d.%m.%Y}",
    ):
        assert mapping.parse_date(written) == day, written


@PURE
@given(st.one_of(cell_text, st.text()))
def test_employee_key_never_raises(cell):
    key = mapping.employee_key(cell)
    assert isinstance(key, str)
    if cell.strip() and cell.isascii() and cell.isdigit():
        assert key == (cell.lstrip("0") or "0")


# =============================================================================================
# Plan import (controls.spreadsheet)
# =============================================================================================

PLAN_HEADER = [c.heading for c in spreadsheet.COLUMNS]


def _read_plan(name: str, content: bytes) -> spreadsheet.Table | None:
    try:
        table = spreadsheet.read_table(name=name, content=content)
    except spreadsheet.ImportFailed as exc:
        for problem in exc.problems:
            assert_swedish(problem)
        return None
    assert len(table.rows) <= spreadsheet.IMPORT_MAX_ROWS
    return table


@FILES
@given(st.one_of(any_upload(), any_upload(header=PLAN_HEADER)))
@example(b"")
@example(  # a field over the csv module's limit: csv.Error (was a 500)
    (";".join(PLAN_HEADER) + '\r\n"' + "x" * 140_000 + '"\r\n').encode()
)
def test_plan_read_table_on_any_csv(content):
    _read_plan("plan.csv", content)


@FILES
@given(st.one_of(xlsx_files(), xlsx_files(header=PLAN_HEADER), st.binary(max_size=200)))
@example(billion_laughs_xlsx())
def test_plan_read_table_on_any_xlsx(content):
    _read_plan("plan.xlsx", content)


SCALE = RiskScale(size=4)


@PURE
@given(st.one_of(cell_text, st.text()))
@example("²")  # isdigit() but not int(): was an English message
@example("1" * 5000)  # int() refuses more than 4300 digits
def test_parse_months_levels_and_frequency_raise_swedish_value_errors(text):
    months: list[int] = []
    try:
        months = spreadsheet.parse_months(text)
    except ValueError as exc:
        assert_swedish(exc)
    else:
        assert all(1 <= m <= 12 for m in months) and months == sorted(set(months))
    try:
        level = spreadsheet.parse_level(text, SCALE, list(SCALE.likelihood_labels))
    except ValueError as exc:
        assert_swedish(exc)
    else:
        assert 1 <= level <= SCALE.size
    try:
        frequency = spreadsheet.parse_frequency(text, months)
    except ValueError as exc:
        assert_swedish(exc)
    else:
        assert frequency in ControlPoint.Frequency.values


@pytest.mark.django_db
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.lists(st.one_of(cell_text, st.sampled_from(["1", "3", "Stor", "Årligen"])), max_size=18),
        min_size=1,
        max_size=5,
    )
)
@example([["²", "p", "t", "r", "3", "1", "k", "", "", "Årligen", "", "", "", "nej", "", ""]])
@example([["9" * 5000, "p", "t", "r", "3", "1", "k", "", "", "Årligen", "", "", "", "", "", ""]])
def test_parse_rows_reports_every_problem_in_swedish(world, rows):
    """The row checks read the database (users, systems) but never write."""
    table = spreadsheet.Table(header=PLAN_HEADER, rows=list(enumerate(rows, start=2)))
    parsed, problems = spreadsheet.parse_rows(
        table=table,
        municipality_id=world.municipality.pk,
        scale=RiskScale(municipality=world.municipality),
    )
    assert len(parsed) == len(rows)
    for problem in problems:
        assert_swedish(problem)


# =============================================================================================
# System register import (systems.importing)
# =============================================================================================


@FILES
@given(st.one_of(xlsx_files(), xlsx_files(header=importing.export_header()), st.binary()))
@example(billion_laughs_xlsx())
def test_system_sheet_reader_on_any_xlsx(content):
    try:
        rows = importing._read_sheet(io.BytesIO(content))
    except ValidationError as exc:
        for message in exc.messages:
            assert_swedish(message)
    else:
        assert all(isinstance(number, int) and isinstance(row, list) for number, row in rows)


@PURE
@given(
    st.one_of(
        cell_text,
        st.integers(),
        st.floats(),
        st.booleans(),
        st.none(),
        st.datetimes(),
        st.dates(),
        st.times(),
    )
)
def test_system_cell_readers_raise_only_value_error(value):
    with contextlib.suppress(ValueError):  # "ska vara Ja eller Nej" in the import
        assert isinstance(importing._bool(value, False), bool)
    try:
        day = importing._date(value)
    except ValueError:
        return
    assert day is None or isinstance(day, datetime.date)


# =============================================================================================
# Deadlines with precision (findings.deadlines)
# =============================================================================================


@PURE
@given(st.one_of(cell_text, st.text(), st.text(alphabet="0123456789qkvQKV år-/. ", max_size=14)))
def test_parse_deadline_raises_only_swedish_validation_errors(text):
    try:
        day, precision = parse_deadline(text)
    except ValidationError as exc:
        for message in exc.messages:
            assert_swedish(message)
        return
    assert precision in DeadlinePrecision.values
    assert MIN_YEAR <= day.year <= MAX_YEAR
    assert end_of_period(day, precision) == day


@PURE
@given(
    st.dates(min_value=datetime.date(MIN_YEAR, 1, 1), max_value=datetime.date(MAX_YEAR, 12, 31)),
    st.sampled_from(DeadlinePrecision.values),
)
def test_format_then_parse_of_a_deadline_is_the_identity(day, precision):
    deadline = end_of_period(day, precision)
    written = format_deadline(deadline, precision)
    assert parse_deadline(written) == (deadline, precision)
    assert format_deadline(*parse_deadline(written)) == written
    # People write it in other cases and with other spacing too.
    assert parse_deadline(f"  {written.upper()}  ") == (deadline, precision)


class _DeadlineForm(forms.Form):
    deadline = DeadlineField(required=False)


@PURE
@given(st.one_of(cell_text, st.text(max_size=60)))
def test_the_deadline_form_field_cleans_or_gives_a_form_error(text):
    form = _DeadlineForm({"deadline": text})
    if form.is_valid():
        value = form.cleaned_data["deadline"]
        assert value is None or value[1] in DeadlinePrecision.values
    else:
        for message in form.errors["deadline"]:
            assert_swedish(message)


# =============================================================================================
# Uploads (core.files): sniffing, names, the attachment header
# =============================================================================================

_NAMES = st.one_of(
    st.sampled_from(sorted(f"underlag.{ext}" for ext in files.EXTENSION_TYPES)),
    st.sampled_from(["x.html", "x.svg", "x.exe", "x.xlsm", "x.PDF", "noext", ".csv", "a.b.xlsx"]),
)


@FILES
@given(any_upload(), _NAMES)
@example(damaged_manifest(xlsx_from_text_rows([["Konto"]]), "deflate"), "a.xlsx")  # zlib.error
@example(damaged_manifest(xlsx_from_text_rows([["Konto"]]), "encrypted"), "a.docx")
@example(damaged_manifest(xlsx_from_text_rows([["Konto"]]), "method"), "a.pptx")
def test_validate_upload_accepts_only_content_of_the_named_type(content, name):
    upload = SimpleUploadedFile(name, content)
    try:
        content_type, digest = files.validate_upload(upload)
    except ValidationError as exc:
        for message in exc.messages:
            assert_swedish(message, echoed=(files.extension_of(name),))
        return
    assert content_type == files.EXTENSION_TYPES[files.extension_of(name)]
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert upload.tell() == 0


_MARKUP = st.sampled_from(
    [
        "<!DOCTYPE html><html><body>x</body></html>",
        "<html><script>alert(1)</script>",
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        '<?xml version="1.0"?><svg/>',
        "<SCRIPT>alert(1)</SCRIPT>",
        "<iframe src=//evil>",
        "<body onload=alert(1)>",
    ]
)


@PURE
@given(
    _MARKUP,
    st.text(alphabet=" \t\r\n", max_size=200),
    st.sampled_from(["", "\ufeff"]),
    st.sampled_from(sorted(files.EXTENSION_TYPES)),
)
def test_html_and_svg_are_refused_under_every_extension(markup, space, bom, ext):
    content = (bom + space + markup + "\nKonto;Namn\n").encode()
    with pytest.raises(ValidationError):
        files.validate_upload(SimpleUploadedFile(f"fil.{ext}", content))


@PURE
@given(st.one_of(st.text(), cell_text, st.sampled_from(["../../etc/passwd", "a\\b.pdf"])))
@example("evil\u202egnp.exe")
@example("日本.pdf")
def test_clean_filename_and_the_attachment_header(name):
    clean = files.clean_filename(name)
    assert clean and len(clean) <= 255
    assert not re.search(r"[\\/<>:\"|?*]", clean)
    assert not clean.startswith(".")
    header = files.content_disposition(name)
    header.encode("ascii")  # HTTP headers are ASCII
    assert "\r" not in header and "\n" not in header
    match = re.fullmatch(
        r'attachment; filename="([^"\\;]*)"(?:; filename\*=UTF-8\'\'(\S+))?', header
    )
    assert match, header
    fallback, extended = match.groups()
    assert fallback.strip() == fallback and fallback
    assert unquote(extended) == clean if extended else fallback == clean
