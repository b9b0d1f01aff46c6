"""Which column of an uploaded file holds what: guessing from the header, checking a choice,
and reading the values (dates, employee numbers)."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from systems.tabular import TOKEN


@dataclass(frozen=True)
class MappedField:
    key: str
    label: Promise
    help: Promise
    synonyms: tuple[str, ...]
    required: bool = False


ACCOUNT_FIELDS: tuple[MappedField, ...] = (
    MappedField(
        "account_id",
        _("Konto (användarnamn)"),
        _("Kontots unika id i systemet."),
        (
            "konto",
            "kontoid",
            "kontonamn",
            "anvandarnamn",
            "anvandare",
            "anvandarid",
            "anvandarkonto",
            "inloggningsnamn",
            "inloggning",
            "login",
            "loginid",
            "username",
            "userid",
            "user",
            "account",
            "accountname",
            "samaccountname",
            "uid",
        ),
        required=True,
    ),
    MappedField(
        "name",
        _("Namn"),
        _("Används för att matcha när personnummer och anställningsnummer saknas (osäker)."),
        ("namn", "fullstandigtnamn", "name", "fullname", "displayname", "visningsnamn"),
    ),
    MappedField(
        "personnummer",
        _("Personnummer"),
        _("10 eller 12 siffror, med eller utan bindestreck. Sparas aldrig i klartext."),
        ("personnummer", "personnr", "persnr", "pnr", "personidentitet", "ssn"),
    ),
    MappedField(
        "employee_number",
        _("Anställningsnummer"),
        _("Jämförs med anställningsnumret i personalförteckningen."),
        (
            "anstallningsnummer",
            "anstallningsnr",
            "anstnr",
            "personalnummer",
            "personalnr",
            "employeeid",
            "employeenumber",
            "employeeno",
        ),
    ),
    MappedField(
        "last_login",
        _("Senaste inloggning"),
        _("Datum, t.ex. 2025-05-31. Konton utan inloggning på länge flaggas som inaktiva."),
        (
            "senasteinloggning",
            "senastinloggad",
            "senastinloggning",
            "senasteinloggad",
            "lastlogin",
            "lastlogon",
            "lastlogondate",
            "lastlogintime",
            "inloggad",
        ),
    ),
    MappedField(
        "role",
        _("Roll i systemet"),
        _("Behörighet, grupp eller profil."),
        ("roll", "role", "roller", "behorighet", "behorigheter", "grupp", "profil", "group"),
    ),
    MappedField(
        "unit",
        _("Enhet"),
        _("Används för att känna igen konton från andra organisationer."),
        (
            "enhet",
            "avdelning",
            "forvaltning",
            "organisation",
            "arbetsplats",
            "unit",
            "department",
            "company",
            "foretag",
        ),
    ),
)

ROSTER_FIELDS: tuple[MappedField, ...] = (
    MappedField(
        "personnummer",
        _("Personnummer"),
        _("10 eller 12 siffror. Hashas vid uppladdningen och sparas aldrig i klartext."),
        ("personnummer", "personnr", "persnr", "pnr", "personidentitet", "ssn"),
    ),
    MappedField(
        "employee_number",
        _("Anställningsnummer"),
        _("Används om kontoexporten har anställningsnummer."),
        (
            "anstallningsnummer",
            "anstallningsnr",
            "anstnr",
            "personalnummer",
            "personalnr",
            "employeeid",
            "employeenumber",
            "employeeno",
        ),
    ),
    MappedField(
        "name",
        _("Namn"),
        _("För matchning på namn när kontot saknar personnummer."),
        ("namn", "fullstandigtnamn", "name", "fullname"),
    ),
    MappedField(
        "employment_end",
        _("Anställningens slutdatum"),
        _("Tomt för en tillsvidareanställning."),
        (
            "slutdatum",
            "anstallningupphor",
            "anstallningenupphor",
            "anstallningensslutdatum",
            "anstalldtill",
            "anstalldtom",
            "tom",
            "tillochmed",
            "avgangsdatum",
            "enddate",
            "sistaanstallningsdag",
            "upphor",
        ),
    ),
    MappedField(
        "unit",
        _("Enhet"),
        _("Visas i granskningen."),
        ("enhet", "avdelning", "forvaltning", "organisation", "arbetsplats", "unit"),
    ),
)

IDENTIFIERS = ("personnummer", "employee_number")


def _normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text)


def guess_mapping(header: Sequence[str], fields: Sequence[MappedField]) -> dict[str, str]:
    """Each field's column by its header: an exact synonym first, then a synonym within it."""
    normalised = [_normalise_header(h) for h in header]
    taken: set[int] = set()
    mapping: dict[str, str] = {f.key: "" for f in fields}
    for exact in (True, False):
        for mapped in fields:
            if mapping[mapped.key]:
                continue
            for index, name in enumerate(normalised):
                if index in taken or not name:
                    continue
                hit = (
                    name in mapped.synonyms
                    if exact
                    else any(len(s) >= 4 and s in name for s in mapped.synonyms)
                )
                if hit:
                    mapping[mapped.key] = header[index]
                    taken.add(index)
                    break
    return mapping


class MappingError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors)
        self.errors = errors


def check_mapping(
    mapping: Mapping[str, str], header: Sequence[str], fields: Sequence[MappedField]
) -> dict[str, str]:
    """The mapping cleaned: every field present, columns that exist, no column used twice."""
    errors: list[str] = []
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    is_roster = fields is ROSTER_FIELDS
    what = gettext("personalförteckningen") if is_roster else gettext("kontoexporten")
    for mapped in fields:
        column = (mapping.get(mapped.key) or "").strip()
        if column and column not in header:
            errors.append(
                gettext("Kolumnen ”%(column)s” finns inte i %(what)s.")
                % {"column": column, "what": what}
            )
            column = ""
        if column and column in used:
            errors.append(
                gettext("Kolumnen ”%(column)s” är vald både för %(a)s och %(b)s.")
                % {"column": column, "a": used[column], "b": str(mapped.label).lower()}
            )
        elif column:
            used[column] = str(mapped.label).lower()
        if mapped.required and not column:
            errors.append(
                gettext("Välj vilken kolumn i %(what)s som innehåller %(field)s.")
                % {"what": what, "field": str(mapped.label).lower()}
            )
        clean[mapped.key] = column
    if is_roster and not any(clean.get(k) for k in IDENTIFIERS):
        errors.append(
            gettext(
                "Personalförteckningen saknar en kolumn för personnummer eller "
                "anställningsnummer. Välj minst en av dem."
            )
        )
    if not is_roster and not any(clean.get(k) for k in (*IDENTIFIERS, "name")):
        errors.append(
            gettext(
                "Välj en kolumn i kontoexporten med personnummer, anställningsnummer eller namn: "
                "utan någon av dem kan kontona inte matchas."
            )
        )
    if errors:
        raise MappingError(errors)
    return clean


# --- values ----------------------------------------------------------------------------------

_EMPTY_DATES = {"", "-", "–", "aldrig", "never", "saknas", "n/a", "na", "null", "0"}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T].*)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: .*)?$")


def parse_date(text: str) -> datetime.date | None:
    """``2025-05-31``, ``2025-05-31 14:02``, ``20250531``, ``2025/05/31``, ``31.05.2025``;
    empty or "aldrig" → ``None``. Anything else raises ``ValueError``."""
    value = (text or "").strip()
    if value.casefold() in _EMPTY_DATES:
        return None
    for pattern, order in ((_ISO, "ymd"), (_COMPACT, "ymd"), (_SLASHED, "ymd"), (_DOTTED, "dmy")):
        match = pattern.match(value)
        if match:
            a, b, c = (int(g) for g in match.groups())
            year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
            return datetime.date(year, month, day)
    raise ValueError(value)


_SPACES = re.compile(r"\s+")


def employee_key(cell: str) -> str:
    """An employee number as compared: no spaces, no leading zeros (Excel drops them)."""
    if not cell:
        return ""
    if cell.isdigit():
        return cell.lstrip("0") or "0"
    if cell[0] == TOKEN:
        return f"#{cell[2:66]}"
    value = _SPACES.sub("", cell)
    if value.isdigit():
        value = value.lstrip("0") or "0"
    return value.casefold()
