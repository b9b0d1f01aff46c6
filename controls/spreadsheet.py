"""Plans in and out of spreadsheets: ``.xlsx`` and ``.csv`` import, ``.xlsx`` export and template.

The columns are those of a real municipal internkontrollplan (DOMAIN.md §1):
Nr · Process/rutin · Kontrollpunkt · Risk · Sannolikhet · Konsekvens · Kontrollmoment ·
Kontrollmetod · Urval · Frekvens · Månader · Kontrollansvarig · Rapporteras till ·
Kommungemensam (ja/nej) · System. Headings are matched leniently (case, spacing, a trailing
"(1–4)" and common variants); the heading row may sit below a title row or two. The export writes
the same columns (plus the derived Riskvärde, which the import ignores), so an exported plan
imports back into the same control points.

Reading is strict and all-or-nothing: every problem becomes an :class:`ImportProblem` naming the
row and the column in Swedish, and nothing is written while any problem remains.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from controls.models import ControlPoint, RiskScale
from controls.schedule import schedule_errors
from core.exports import FORMULA_TRIGGERS
from core.spreadsheets import SpreadsheetError, xlsx_rows
from organisation.models import User

#: An import file may be at most this large, and hold at most this many control points.
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 500
#: Guard against zip bombs: the unpacked workbook may be at most this large.
XLSX_MAX_UNPACKED_BYTES = 40 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
#: What the import reads: the extensions, and the columns of a row (the plan has 17).
IMPORT_TYPES = frozenset({"xlsx", "csv", "txt"})
MAX_COLUMNS = 100
#: Reading stops after this many rows in all, or this many empty rows in a row after the data
#: (sheets often carry formatting far below the last row).
MAX_SHEET_ROWS = 20_000
MAX_BLANK_RUN = 200


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 18


COLUMNS: tuple[Column, ...] = (
    Column("number", "Nr", ("nr", "nummer", "nr.", "#"), width=6),
    Column("process", "Process/rutin", ("process", "rutin", "rutin/process"), True, 24),
    Column("title", "Kontrollpunkt", ("kontrollområde", "kontrollpunkt/område"), True, 30),
    Column("risk_description", "Risk", ("riskbeskrivning", "risker"), True, 36),
    Column("likelihood", "Sannolikhet", ("sannolikhet s",), True, 12),
    Column("consequence", "Konsekvens", ("konsekvens k",), True, 12),
    Column("control_activity", "Kontrollmoment", ("kontrollaktivitet",), True, 36),
    Column("method", "Kontrollmetod", ("metod",), width=30),
    Column("sample", "Urval", ("stickprov", "urval/stickprov"), width=22),
    Column("frequency", "Frekvens", ("frekvens/tidpunkt",), True, 16),
    Column("months", "Månader", ("månad", "tidpunkt", "planerade månader"), width=22),
    Column("owner", "Kontrollansvarig", ("ansvarig", "ansvarig för kontroll"), True, 24),
    Column("reports_to", "Rapporteras till", ("rapportering", "rapporteras"), width=26),
    Column(
        "scope",
        "Kommungemensam",
        ("kommungemensam/förvaltningsspecifik", "kommungemensam (ja/nej)", "kommungemensamt"),
        width=16,
    ),
    Column("systems", "System", ("berörda system", "it-system"), width=24),
    # Not in every municipal plan; the export writes it so that a plan round-trips.
    Column("is_access_review", "Behörighetsgranskning", ("behörighetsgenomgång",), width=14),
)
#: Written by the export for people to read; ignored by the import.
DERIVED_HEADINGS = ("Riskvärde",)

#: Words a real plan uses for each frequency (compared in lower case, spaces collapsed).
FREQUENCY_WORDS: dict[str, str] = {
    word: value
    for value, words in {
        ControlPoint.Frequency.YEARLY: "årligen|årlig|årsvis|en gång per år|1 gång per år|"
        "1 ggr/år|1 ggr per år|helår|år|varje år",
        ControlPoint.Frequency.HALF_YEARLY: "halvårsvis|halvår|halvårs|två gånger per år|"
        "2 gånger per år|2 ggr/år|2 ggr per år|varje halvår",
        ControlPoint.Frequency.QUARTERLY: "kvartalsvis|kvartal|fyra gånger per år|"
        "4 gånger per år|4 ggr/år|4 ggr per år|varje kvartal",
        ControlPoint.Frequency.MONTHLY: "månadsvis|månatligen|varje månad|månad|"
        "12 gånger per år|12 ggr/år",
        ControlPoint.Frequency.GIVEN_MONTHS: "angivna månader|vissa månader|enligt månader|"
        "enligt angivna månader",
        ControlPoint.Frequency.ONCE: "vid ett tillfälle|engång|en gång|engångskontroll|"
        "ett tillfälle|1 gång",
    }.items()
    for word in words.split("|")
}

MONTH_WORDS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("januari", "jan"),
        ("februari", "feb"),
        ("mars", "mar"),
        ("april", "apr"),
        ("maj",),
        ("juni", "jun"),
        ("juli", "jul"),
        ("augusti", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "okt"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):
    for _name in _names:
        MONTH_WORDS[_name] = _number

YES_WORDS = {"ja", "j", "x", "yes", "1", "sant", "true", "kommungemensam", "kommungemensamt"}
NO_WORDS = {
    "",
    "nej",
    "n",
    "no",
    "0",
    "falskt",
    "false",
    "förvaltningsspecifik",
    "förvaltningsspecifikt",
    "enhetsspecifik",
}


# --------------------------------------------------------------------------------------------
# Problems and parsed rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Rad %(row)s, kolumn %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("Rad %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        if self.column:
            return _("Kolumn %(column)s: %(message)s") % {
                "column": self.column,
                "message": self.message,
            }
        return self.message


class ImportFailed(Exception):
    """The file or its rows have problems; nothing was imported."""

    def __init__(self, problems: list[ImportProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ParsedRow:
    row: int
    data: dict[str, Any]
    owner_text: str = ""
    systems: list[Any] = field(default_factory=list)
    #: Why the row is left out (it is already in the plan as KS's municipality-wide point).
    skip: str = ""

    @property
    def risk_score(self) -> int | None:
        likelihood, consequence = self.data.get("likelihood"), self.data.get("consequence")
        return likelihood * consequence if likelihood and consequence else None

    @property
    def frequency_label(self) -> str:
        value = self.data.get("frequency")
        return str(ControlPoint.Frequency(value).label) if value else ""


@dataclass
class Table:
    """The cells of an uploaded sheet as text: its heading row and the data rows below it."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


# --------------------------------------------------------------------------------------------
# Reading files into text cells
# --------------------------------------------------------------------------------------------


def normalise_heading(text: str) -> str:
    text = str(text or "").replace("\xa0", " ").strip().lower()
    text = re.sub(r"\s*\((?:[^)]*)\)\s*$", "", text)  # "Sannolikhet (1–4)" → "sannolikhet"
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\s+", " ", text).strip(" :*")
    return text


_HEADING_KEYS: dict[str, str] = {}
for _column in COLUMNS:
    for _alias in (_column.heading, *_column.aliases):
        _HEADING_KEYS[normalise_heading(_alias)] = _column.key
_IGNORED_HEADINGS = {normalise_heading(h) for h in DERIVED_HEADINGS}
_COLUMN_BY_KEY = {c.key: c for c in COLUMNS}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").strip()
    # Undo the export's guard against spreadsheet formulas ('=…, '+…, '-…, '@…).
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        text = text[1:]
    return text


def _read_xlsx(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in xlsx_rows(
            content, max_columns=MAX_COLUMNS, max_unpacked_bytes=XLSX_MAX_UNPACKED_BYTES
        ):
            if number > MAX_SHEET_ROWS:
                break
            yield number, [_cell_text(v) for v in values]
    except SpreadsheetError as exc:
        raise ImportFailed([ImportProblem(exc.message)]) from exc


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _is_header(values: list[str]) -> bool:
    keys = {_HEADING_KEYS.get(normalise_heading(v)) for v in values} - {None}
    return "title" in keys and len(keys) >= 3


def _csv_failed(line: int) -> ImportFailed:
    return ImportFailed(
        [
            ImportProblem(
                _(
                    "Filen kunde inte läsas som CSV: ett fält är för långt eller har ett "
                    'citattecken (") som inte avslutas.'
                ),
                row=line or None,
            )
        ]
    )


def _delimiter(text: str) -> str:
    """``;`` or ``,``: the one that splits a heading row among the first lines into columns."""
    head = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    for delimiter in (";", ","):
        try:
            if any(_is_header(row) for row in csv.reader(io.StringIO(head), delimiter=delimiter)):
                return delimiter
        except csv.Error:
            continue
    return ";" if head.count(";") >= head.count(",") else ","


def _read_csv(content: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(content)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            if number > MAX_SHEET_ROWS:
                break
            yield number, [_cell_text(v) for v in values]
    except csv.Error as exc:  # a field over the csv module's limit, or a stray quote
        raise _csv_failed(number + 1) from exc


def check_name(name: str) -> None:
    """Refuse a file that is no .xlsx or .csv by its name, with a hint for the old .xls."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "xls":
        raise ImportFailed(
            [ImportProblem(_("Det gamla Excel-formatet .xls stöds inte. Spara filen som .xlsx."))]
        )
    if suffix not in IMPORT_TYPES:
        raise ImportFailed([ImportProblem(_("Välj en fil av typen .xlsx eller .csv."))])


def read_table(*, name: str, content: bytes) -> Table:
    """Find the heading row and the data rows of an ``.xlsx`` or ``.csv`` file."""
    if len(content) > IMPORT_MAX_BYTES:
        raise ImportFailed(
            [
                ImportProblem(
                    _("Filen är för stor (högst %(mb)s MB).")
                    % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)}
                )
            ]
        )
    check_name(name)
    suffix = name.lower().rsplit(".", 1)[-1]
    is_zip = content[:4] == b"PK\x03\x04"
    if suffix == "xlsx":
        rows: Iterable[tuple[int, list[str]]] = _read_xlsx(content)
    else:
        if is_zip or b"\x00" in content:
            raise ImportFailed([ImportProblem(_("Filen är ingen textfil (CSV)."))])
        rows = _read_csv(content)
    header: list[str] | None = None
    data: list[tuple[int, list[str]]] = []
    last = 0  # the number of the heading row or of the last row with data
    for number, values in rows:
        if header is None:
            if _is_header(values):
                header, last = values, number
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if number - last > MAX_BLANK_RUN + 1:
            break  # formatting far below the data, not more rows
        if not any(values):
            continue
        last = number
        if len(data) >= IMPORT_MAX_ROWS:
            raise ImportFailed(
                [ImportProblem(_("Filen har fler än %(n)s rader.") % {"n": IMPORT_MAX_ROWS})]
            )
        data.append((number, values))
    if header is None:
        raise ImportFailed(
            [
                ImportProblem(
                    _(
                        "Hittade ingen rubrikrad. Första raden (eller en av de tio första) ska "
                        "ha kolumnerna %(columns)s."
                    )
                    % {"columns": ", ".join(c.heading for c in COLUMNS)}
                )
            ]
        )
    return Table(header=header, rows=data)


# --------------------------------------------------------------------------------------------
# Parsing text cells into control points
# --------------------------------------------------------------------------------------------


#: A number as the import reads one: ASCII digits, at most four. (``str.isdigit()`` is true for
#: "²", which ``int()`` refuses, and ``int()`` refuses more than 4,300 digits.)
_NUMBER = re.compile(r"[0-9]{1,4}")


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;\n/]|\boch\b|\s+-\s+", text) if p.strip()]


def parse_months(text: str) -> list[int]:
    months = []
    for token in _split(text):
        word = token.lower().rstrip(".")
        if _NUMBER.fullmatch(word) and 1 <= int(word) <= 12:
            months.append(int(word))
        elif word in MONTH_WORDS:
            months.append(MONTH_WORDS[word])
        else:
            raise ValueError(_("”%(value)s” är ingen månad.") % {"value": token})
    return sorted(set(months))


def parse_level(text: str, scale: RiskScale, labels: list[str]) -> int:
    value = text.strip()
    match = re.match(r"^([0-9]{1,4})(?:[.,]0+)?(?:\s*[-–:]\s*.*)?$", value)
    if match:
        level = int(match.group(1))
        if 1 <= level <= scale.size:
            return level
    else:
        for index, label in enumerate(labels, start=1):
            if value.lower() == str(label).lower():
                return index
    raise ValueError(
        _("”%(value)s” är ingen nivå på kommunens riskskala (1–%(n)s eller %(labels)s).")
        % {"value": value, "n": scale.size, "labels": ", ".join(str(x) for x in labels)}
    )


def parse_frequency(text: str, months: list[int]) -> str:
    word = re.sub(r"\s+", " ", text.strip().lower())
    if not word:
        if months:
            return ControlPoint.Frequency.GIVEN_MONTHS
        raise ValueError(_("Ange frekvens, t.ex. Årligen, Halvårsvis eller Angivna månader."))
    for value, label in ControlPoint.Frequency.choices:
        if word == str(label).lower():
            return value
    if word in FREQUENCY_WORDS:
        return FREQUENCY_WORDS[word]
    if re.match(r"^\d+ (gånger|ggr) (per|/) ?år$", word) and months:
        return ControlPoint.Frequency.GIVEN_MONTHS
    raise ValueError(
        _("”%(value)s” är ingen känd frekvens. Använd %(choices)s.")
        % {
            "value": text.strip(),
            "choices": ", ".join(str(label) for _v, label in ControlPoint.Frequency.choices),
        }
    )


def owner_text(point: ControlPoint) -> str:
    """How the export writes the control owner, and the import reads it back."""
    if point.owner_id:
        name = point.owner.get_full_name() or point.owner.username
        return f"{name} ({point.owner_description})" if point.owner_description else name
    return point.owner_description


class _People:
    """The municipality's users, found by username, e-mail or full name (once per import)."""

    def __init__(self, municipality_id: int):
        self.by_key: dict[str, list[User]] = {}
        for user in User.objects.filter(municipality_id=municipality_id, is_active=True):
            keys = {user.username.lower(), (user.email or "").lower()}
            full_name = user.get_full_name().strip().lower()
            if full_name:
                keys.add(full_name)
            for key in keys - {""}:
                self.by_key.setdefault(key, []).append(user)

    def find(self, text: str) -> User | None:
        found = self.by_key.get(text.strip().lower(), [])
        if len(found) > 1:
            raise ValueError(
                _("Flera användare heter ”%(name)s”. Ange användarnamn eller e-postadress.")
                % {"name": text.strip()}
            )
        return found[0] if found else None

    def resolve(self, text: str) -> tuple[User | None, str]:
        """(owner, description): a user, a function such as "Systemförvaltare", or both."""
        text = text.strip()
        if not text:
            return None, ""
        user = self.find(text)
        if user is not None:
            return user, ""
        match = re.match(r"^(.+?)\s*\((.+)\)$", text)
        if match:
            user = self.find(match.group(1))
            if user is not None:
                return user, match.group(2).strip()
        return None, text


def parse_rows(
    *,
    table: Table,
    municipality_id: int,
    scale: RiskScale,
    existing: Iterable[ControlPoint] = (),
    inherited_titles: Iterable[str] = (),
) -> tuple[list[ParsedRow], list[ImportProblem]]:
    """Turn text rows into unsaved control-point data; collect every problem with row and column.

    ``existing`` are the points already in the target plan (numbers and titles must not clash);
    rows with the title of a municipality-wide point the plan inherits (``inherited_titles``)
    are skipped, not duplicated.
    """
    from systems.models import System

    problems: list[ImportProblem] = []
    index: dict[str, int] = {}
    for position, heading in enumerate(table.header):
        key = _HEADING_KEYS.get(normalise_heading(heading))
        if key and key not in index:
            index[key] = position
    for column in COLUMNS:
        if column.required and column.key not in index:
            problems.append(
                ImportProblem(
                    _("Kolumnen ”%(heading)s” saknas i rubrikraden.") % {"heading": column.heading}
                )
            )
    if problems:
        return [], problems
    if not table.rows:
        return [], [ImportProblem(_("Filen har inga rader med kontrollpunkter under rubrikraden."))]

    people = _People(municipality_id)
    systems_by_name = {
        s.name.lower(): s for s in System.objects.filter(municipality_id=municipality_id)
    }
    existing = list(existing)
    taken_numbers = {p.number: p for p in existing}
    existing_titles = {p.title.strip().lower() for p in existing}
    inherited = {t.strip().lower() for t in inherited_titles} | {
        p.title.strip().lower() for p in existing if p.inherited_from_id
    }
    likelihood_labels = list(scale.likelihood_labels)
    consequence_labels = list(scale.consequence_labels)
    seen_numbers: dict[int, int] = {}
    seen_titles: dict[str, int] = {}
    parsed: list[ParsedRow] = []

    for row_number, values in table.rows:

        def cell(key: str, values: list[str] = values) -> str:
            position = index.get(key)
            return (
                values[position].strip() if position is not None and position < len(values) else ""
            )

        def problem(key: str, message: str, row_number: int = row_number) -> None:
            problems.append(ImportProblem(message, row_number, _COLUMN_BY_KEY[key].heading))

        data: dict[str, Any] = {}
        count_before = len(problems)

        number_text = cell("number")
        if number_text:
            if _NUMBER.fullmatch(number_text) and 1 <= int(number_text) <= 9999:
                number = int(number_text)
                if number in seen_numbers:
                    problem(
                        "number",
                        _("Nr %(n)s finns redan på rad %(row)s.")
                        % {"n": number, "row": seen_numbers[number]},
                    )
                elif number in taken_numbers:
                    problem("number", _("Nr %(n)s finns redan i planen.") % {"n": number})
                seen_numbers[number] = row_number
                data["number"] = number
            else:
                problem(
                    "number", _("”%(value)s” är inget nummer (1–9999).") % {"value": number_text}
                )

        title = cell("title")
        if not title:
            problem("title", _("Kontrollpunkten saknar namn."))
        data["title"] = title
        for key in (
            "process",
            "risk_description",
            "control_activity",
            "method",
            "sample",
            "reports_to",
        ):
            data[key] = cell(key)

        for key, labels in (("likelihood", likelihood_labels), ("consequence", consequence_labels)):
            text = cell(key)
            if not text:
                problem(key, _("Värde saknas."))
                continue
            try:
                data[key] = parse_level(text, scale, labels)
            except ValueError as exc:
                problem(key, str(exc))

        months: list[int] = []
        months_ok = True
        try:
            months = parse_months(cell("months"))
        except ValueError as exc:
            problem("months", str(exc))
            months_ok = False
        try:
            frequency = parse_frequency(cell("frequency"), months)
        except ValueError as exc:
            problem("frequency", str(exc))
            frequency = None
        if frequency == ControlPoint.Frequency.MONTHLY:
            months = []
        if frequency:
            data["frequency"] = frequency
            data["planned_months"] = months
            for message in schedule_errors(frequency, months) if months_ok else []:
                problem("months", message)

        try:
            owner, description = people.resolve(cell("owner"))
            data["owner"], data["owner_description"] = owner, description
        except ValueError as exc:
            problem("owner", str(exc))

        scope_text = cell("scope").lower()
        if scope_text in YES_WORDS:
            data["scope"] = ControlPoint.Scope.MUNICIPALITY_WIDE
        elif scope_text in NO_WORDS:
            data["scope"] = ControlPoint.Scope.UNIT_SPECIFIC
        else:
            problem("scope", _("Ange ja eller nej, inte ”%(value)s”.") % {"value": cell("scope")})

        review_text = cell("is_access_review").lower()
        if review_text in YES_WORDS:
            data["is_access_review"] = True
        elif review_text in NO_WORDS:
            data["is_access_review"] = False
        else:
            problem(
                "is_access_review",
                _("Ange ja eller nej, inte ”%(value)s”.") % {"value": cell("is_access_review")},
            )

        systems = []
        for name in [p.strip() for p in re.split(r"[,;\n]", cell("systems")) if p.strip()]:
            system = systems_by_name.get(name.lower())
            if system is None:
                problem(
                    "systems",
                    _("Systemet ”%(name)s” finns inte i systemförteckningen.") % {"name": name},
                )
            else:
                systems.append(system)

        skip = ""
        key = title.lower()
        if title and key in inherited:
            skip = _("Finns redan som kommungemensam kontrollpunkt från kommunstyrelsen.")
        elif title and key in existing_titles:
            problem(
                "title", _("Kontrollpunkten ”%(title)s” finns redan i planen.") % {"title": title}
            )
        elif title and key in seen_titles:
            problem(
                "title",
                _("Samma kontrollpunkt finns redan på rad %(row)s.") % {"row": seen_titles[key]},
            )
        seen_titles.setdefault(key, row_number)

        if len(problems) == count_before and not skip:
            point = ControlPoint(**{k: v for k, v in data.items() if k != "number"})
            try:
                point.full_clean(
                    exclude=["plan", "number"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    column = _column_for_field(name)
                    for message in messages:
                        problems.append(ImportProblem(message, row_number, column))
        parsed.append(
            ParsedRow(
                row=row_number, data=data, owner_text=cell("owner"), systems=systems, skip=skip
            )
        )
    return parsed, problems


def _column_for_field(name: str) -> str | None:
    mapping = {"planned_months": "months", "owner_description": "owner"}
    key = mapping.get(name, name)
    column = _COLUMN_BY_KEY.get(key)
    return column.heading if column else None
