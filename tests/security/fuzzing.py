"""Hypothesis strategies for the parser fuzz tests: nasty cells, CSV and XLSX files that are
well-formed, structurally broken or plain garbage, and a check that a message is Swedish.

The XLSX files are written by hand (a zip of a few XML parts), not with openpyxl: that is
faster, and it lets a strategy break exactly one thing (an attribute, a shared-string index,
the row number, an XML entity) while the rest of the workbook stays valid, which is where a
reader's error handling is thin.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import struct
import zipfile
from xml.sax.saxutils import escape

from hypothesis import strategies as st

from systems.personnummer import check_digit

# --- cells -----------------------------------------------------------------------------------

#: Digits of other scripts that Python's ``\d`` and ``int()`` accept: fullwidth, Arabic-Indic.
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@st.composite
def valid_personnummer(draw, *, today: datetime.date = datetime.date(2026, 6, 10)) -> str:
    """Twelve digits of a valid personnummer or samordningsnummer, born before ``today``."""
    born = draw(
        st.dates(
            min_value=today.replace(year=today.year - 199) + datetime.timedelta(days=1)
        ).filter(lambda d: d <= today)
    )
    serial = draw(st.integers(0, 999))
    day = born.day + (60 if draw(st.booleans()) else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    return f"{born.year // 100:02d}{nine}{check_digit(nine)}"


def _pnr_like() -> st.SearchStrategy[str]:
    """Personnummer-shaped text, mostly invalid: wrong check digits, dates, separators."""
    digits = st.text(alphabet="0123456789", min_size=10, max_size=12)
    sep = st.sampled_from(["", "-", "+", " - ", " ", "--", "−"])
    return st.one_of(
        st.builds(lambda d, s: f"{d[:-4]}{s}{d[-4:]}", digits, sep),
        valid_personnummer(),
        valid_personnummer().map(lambda p: p.translate(FULLWIDTH)),
        valid_personnummer()
        .map(lambda p: p[2:8] + "-" + p[8:])
        .map(lambda p: p.translate(ARABIC_INDIC)),
    )


def _date_like() -> st.SearchStrategy[str]:
    return st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.dates().map(lambda d: d.strftime("%d.%m.%Y")),
        st.builds(
            lambda y, m, d, fmt: fmt.format(y, m, d),
            st.integers(0, 99999),
            st.integers(0, 99),
            st.integers(0, 99),
            st.sampled_from(["{}-{}-{}", "{:04d}{:02d}{:02d}", "{}/{}/{}", "{2}.{1}.{0}"]),
        ),
        st.sampled_from(["aldrig", "0", "-", "2025-02-29", "2024-02-29 12:00", "31.04.2025"]),
    )


#: Text that has broken parsers before: delimiters, quotes, line breaks, control characters,
#: byte-order marks, markup, formula triggers, digits of other scripts, superscripts.
NASTY = st.sampled_from(
    [
        "",
        " ",
        ";",
        ",",
        "\t",
        '"',
        '""',
        "'",
        "\r",
        "\n",
        "\r\n",
        "\x00",
        "\x01",
        "\x02",
        "\x0b",
        "\ufeff",
        "\u202e",
        "\u2028",
        "\xa0",
        "=1+1",
        "'=cmd",
        "@SUM(A1)",
        "+46",
        "<script>alert(1)</script>",
        "<svg onload=alert(1)>",
        "²",
        "³",
        "½",
        "٣",
        "１２",
        "9" * 40,
        "1e400",
        "-0",
        "nan",
        "inf",
        "ja",
        "nej",
        "Ja",
        "x",
        "årligen",
        "Angivna månader",
        "februari, maj",
        "13",
        "0",
        "kontrollant",
        "SN",
        "KF",
        "Kontrollpunkt",
        "Konto",
        "Personnummer",
        "Namn",
        "%s",
        "%(x)s",
        "{}",
        "\\",
    ]
)

cell_text = st.one_of(
    NASTY,
    st.text(max_size=30),
    _pnr_like(),
    _date_like(),
    st.integers(-(10**30), 10**30).map(str),
    st.lists(NASTY, min_size=2, max_size=4).map("".join),
)


# --- the "is this Swedish" check -----------------------------------------------------------

_QUOTED = re.compile(r"”[^”]*”|\"[^\"]*\"|«[^»]*»")
#: Words of Python's and libraries' exception messages; none is Swedish.
_ENGLISH = re.compile(
    r"\b(the|is|not|of|and|invalid|literal|error|exception|exceeds|limit|expected|could|"
    r"found|line|field|unexpected|cannot|unable|none|object|attribute|index|out of range|"
    r"must|should|value|type|string|integer|base|conversion|digits|element|column \d+)\b",
    re.IGNORECASE,
)


def assert_swedish(message: object, *, echoed: tuple[str, ...] = ()) -> None:
    """The message reads as one of ours: not empty, and no English exception text in it.

    Values the message quotes (”…”) and the ``echoed`` strings (say, a file extension it
    names) are user input and left out of the check.
    """
    text = str(message)
    for part in echoed:
        text = text.replace(part, "")
    text = _QUOTED.sub("", text)
    assert text.strip(), f"empty message: {message!r}"
    english = _ENGLISH.search(text)
    assert english is None, f"not a Swedish message ({english.group(0)!r}): {message!r}"


# --- CSV -------------------------------------------------------------------------------------


def csv_text(rows: list[list[str]], delimiter: str = ";") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="strict" if encoding.startswith("utf") else "replace")


@st.composite
def csv_files(draw, *, header: list[str] | None = None) -> bytes:
    """CSV files from tidy to broken: ragged rows, odd quoting, any of the usual encodings."""
    width = len(header) if header else draw(st.integers(1, 8))
    rows = draw(
        st.lists(st.lists(cell_text, min_size=0, max_size=width + 2), min_size=0, max_size=8)
    )
    if header is not None:
        rows = [header, *rows]
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    text = csv_text(rows, delimiter)
    if draw(st.booleans()):  # hand-made lines, not quoted the way csv.writer quotes
        raw_lines = draw(st.lists(st.lists(cell_text, max_size=6), max_size=4))
        text += "\r\n".join(delimiter.join(line) for line in raw_lines)
    # (Rare branches test the high end: Hypothesis draws small numbers, 0 included, most.)
    if draw(st.integers(0, 9)) == 9:  # one field longer than the csv module's field limit
        text += '"' + "x" * 140_000 + '"\r\n'
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    data = _encode(text, encoding)
    if draw(st.integers(0, 4)) == 4:
        data = _splice(data, draw(st.binary(max_size=16)), draw(st.integers(0, max(len(data), 1))))
    return data


def _splice(data: bytes, junk: bytes, at: int) -> bytes:
    return data[:at] + junk + data[at:]


# --- XLSX ------------------------------------------------------------------------------------

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
# Style 0: General; style 1: a date (numFmtId 14), so numbers in style-1 cells read as dates.
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""
_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "{dimension}<sheetData>{rows}</sheetData></worksheet>"
)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _xml_text(text: str) -> str:
    return escape(_XML_ILLEGAL.sub("", text))


@st.composite
def xlsx_cells(draw):
    """One cell as ``(kind, value)``: a shared or inline string, a number, a date, a bool."""
    kind = draw(st.sampled_from(["shared", "inline", "number", "date", "bool"]))
    if kind in ("shared", "inline"):
        return kind, draw(cell_text)
    if kind == "number":
        return kind, draw(
            st.one_of(
                st.integers(-(10**15), 10**15),
                st.floats(allow_nan=False, allow_infinity=False),
                st.sampled_from([198001011234, 8001011234.0, 0.5]),
            )
        )
    if kind == "date":
        return kind, draw(st.integers(-10, 3_000_000))  # serial days; Excel ends at 2958465
    return kind, draw(st.booleans())


def xlsx_workbook(rows: list[list[tuple[str, object]]], *, dimension: str | None = None):
    """The parts of a workbook holding ``rows`` of ``(kind, value)`` cells."""
    shared: list[str] = []
    row_xml = []
    for r, cells in enumerate(rows, start=1):
        out = []
        for c, (kind, value) in enumerate(cells):
            ref = f"{_column(c)}{r}"
            if kind == "shared":
                shared.append(str(value))
                out.append(f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>')
            elif kind == "inline":
                out.append(
                    f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{_xml_text(str(value))}</t></is></c>"
                )
            elif kind == "number":
                out.append(f'<c r="{ref}"><v>{value!r}</v></c>')
            elif kind == "date":
                out.append(f'<c r="{ref}" s="1"><v>{value}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="b"><v>{int(bool(value))}</v></c>')
        row_xml.append(f'<row r="{r}">{"".join(out)}</row>')
    sst = "".join(f'<si><t xml:space="preserve">{_xml_text(s)}</t></si>' for s in shared)
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/styles.xml": _STYLES,
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(shared)}" uniqueCount="{len(shared)}">{sst}</sst>'
        ),
        "xl/worksheets/sheet1.xml": _SHEET.format(dimension=dim, rows="".join(row_xml)),
    }


def zip_parts(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def xlsx_from_text_rows(rows: list[list[str]]) -> bytes:
    """A valid workbook of string cells (shared strings), as Excel writes them."""
    return zip_parts(xlsx_workbook([[("shared", v) for v in row] for row in rows]))


#: One targeted break of the sheet's XML (``{}`` is replaced by a drawn junk value).
SHEET_BREAKS = (
    ('<row r="1">', '<row r="{}">'),  # row number: junk, negative, beyond Excel's last row
    ('r="A1"', 'r="{}"'),  # cell reference
    ('r="A1"', 'r="A1" s="{}"'),  # style index: junk or out of range
    ('r="A1"', 'r="A1" t="{}"'),  # cell type
    ("<v>0</v>", "<v>{}</v>"),  # shared-string index (or value)
    ("</sheetData>", '<row r="{}"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'),
    ("</sheetData>", '<row><c t="d"><v>{}</v></c><c t="b"><v>{}</v></c></row></sheetData>'),
    ("</sheetData>", '<row><c s="1"><v>{}</v></c><c t="e"><v>#N/A</v></c></row></sheetData>'),
    ("</sheetData>", "<row><c><f>{}</f><v>1</v></c></row></sheetData>"),
    ("<sheetData>", '<dimension ref="{}"/><sheetData>'),
    ("<sheetData>", "<sheetData>&#0;"),
    ("<sheetData>", "<sheetData>&undefined;"),
    ("<worksheet ", '<!DOCTYPE w [<!ENTITY a "{}">]><worksheet '),
)
JUNK = st.one_of(
    st.sampled_from(
        [
            "",
            "x",
            "-1",
            "0",
            "1.5",
            "1e300",
            "99",
            "9999999999",
            "2000000000",
            "1048577",
            "A",
            "ZZZZ1",
            "XFD1048576",
            "A1:XFD1048576",
            "A0",
            "&amp;",
            "NaN",
            "inf",
            "s",
            "n",
            "d",
            "b",
            "e",
            "str",
            "inlineStr",
            "2025-13-45T99:99",
        ]
    ),
    st.text(alphabet="0123456789.-+eEAZaz:", max_size=12),
)
WORKBOOK_PARTS = (
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "xl/sharedStrings.xml",
    "xl/worksheets/sheet1.xml",
)


@st.composite
def xlsx_files(draw, *, header: list[str] | None = None) -> bytes:
    """Workbooks from valid to broken: one targeted break, a missing or truncated part,
    or flipped bytes in the zip."""
    width = len(header) if header else draw(st.integers(1, 6))
    body = draw(st.lists(st.lists(xlsx_cells(), min_size=1, max_size=width + 1), max_size=6))
    rows = [[("shared", h) for h in header], *body] if header else body
    if not rows or not rows[0]:
        rows = [[("shared", "Rubrik")], *rows]
    dimension = draw(st.sampled_from(["right", "none", "right", "junk"]))
    if dimension == "right":  # as Excel writes it
        dimension = f"A1:{_column(max(len(r) for r in rows) - 1)}{len(rows)}"
    elif dimension == "junk":
        dimension = draw(JUNK)
    else:
        dimension = None
    parts: dict[str, str | bytes] = dict(xlsx_workbook(rows, dimension=dimension))
    how = draw(st.sampled_from(["none", "sheet", "sheet", "sheet", "part", "truncate", "bytes"]))
    if how == "sheet":
        old, new = draw(st.sampled_from(SHEET_BREAKS))
        sheet = str(parts["xl/worksheets/sheet1.xml"])
        if old in sheet:
            new = new.replace("{}", draw(JUNK), 1).replace("{}", draw(JUNK))
            parts["xl/worksheets/sheet1.xml"] = sheet.replace(old, new, 1)
    elif how == "part":
        name = draw(st.sampled_from(WORKBOOK_PARTS))
        if draw(st.booleans()):
            del parts[name]
        else:
            content = str(parts[name])
            parts[name] = content[: draw(st.integers(0, len(content)))]
    data = zip_parts(parts)
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "bytes":
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
        data = bytes(data)
    return data


#: A workbook whose sheet XML expands one entity into a billion (the "billion laughs").
def billion_laughs_xlsx() -> bytes:
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    parts = dict(xlsx_workbook([[("inline", "Rubrik")]]))
    sheet = str(parts["xl/worksheets/sheet1.xml"])
    sheet = sheet.replace("<worksheet ", f"<!DOCTYPE w [{entities}]><worksheet ", 1)
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        '<t xml:space="preserve">Rubrik', "<t>&a9;", 1
    )
    return zip_parts(parts)


def damaged_manifest(archive: bytes, how: str) -> bytes:
    """``archive`` with its manifest entry broken the way a damaged file can be."""
    name = b"[Content_Types].xml"
    data = bytearray(archive)
    local = zipfile.ZipFile(io.BytesIO(archive)).getinfo(name.decode()).header_offset
    central = data.index(name, data.index(b"PK\x01\x02")) - 46  # what zipfile trusts
    if how == "deflate":  # the compressed bytes themselves
        start = local + 30 + struct.unpack("<H", data[local + 26 : local + 28])[0]
        start += struct.unpack("<H", data[local + 28 : local + 30])[0]
        data[start + 3] ^= 0xFF
    elif how == "encrypted":
        data[central + 8] |= 1
    elif how == "method":
        data[central + 10] = 99
    return bytes(data)


#: Any file an upload field might get: a broken CSV, a broken workbook, or random bytes.
def any_upload(*, header: list[str] | None = None) -> st.SearchStrategy[bytes]:
    return st.one_of(
        csv_files(header=header),
        xlsx_files(header=header),
        st.binary(max_size=300),
        st.sampled_from([b"", b"PK\x03\x04", b"%PDF-1.7\n", b"<html><body>x</body></html>"]),
    )
