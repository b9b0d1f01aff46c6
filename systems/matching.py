"""Matching a system's accounts against the payroll roster, and flagging each account.

Pure functions over plain data: no database, so the rules are tested directly and 50,000
accounts against 20,000 people take well under a second (dictionaries keyed on the keyed hash
of the personnummer, on the employee number and on the normalised name).

The rules, in order, for each account:

1. **Personnummer** (valid, by its keyed hash), else **employee number**: a certain match.
   A matched person whose employment ended before the review date → *slutat*; else no login
   for more than N days (or none at all) → *inaktiv*; else *OK*.
2. Not matched: the account name or id matches a test/service pattern → *test- eller
   tjänstekonto*; its unit names another organisation (e.g. Räddningstjänsten) → *annan
   organisation*.
3. Still not matched and the account carries no valid identifier of its own: exactly one person
   in the roster with the same name → an **uncertain** name match (categorised as in 1, always
   flagged for the reviewer); otherwise → *okänd*.

A personnummer with a wrong check digit or an impossible date is not used to match; the account
gets a remark. When one person has several accounts, each account gets a remark.
"""

from __future__ import annotations

import datetime
import fnmatch
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext as _

from systems.models import AccessReviewItem
from systems.personnummer import ERRORS
from systems.tabular import PnrCell

Category = AccessReviewItem.Category
Match = AccessReviewItem.Match


@dataclass(slots=True)
class Person:
    """A row of the roster, reduced: keyed hash, employee number, name, end date, unit."""

    person_hash: str = ""
    masked: str = ""
    employee_number: str = ""
    name: str = ""
    employment_end: datetime.date | None = None
    unit: str = ""


@dataclass(slots=True)
class Account:
    row_number: int
    account_id: str
    name: str = ""
    pnr: PnrCell | None = None
    pnr_text: str = ""  # a non-empty personnummer cell that does not even look like one
    employee_number: str = ""
    last_login: datetime.date | None = None
    role: str = ""
    unit: str = ""


@dataclass(slots=True)
class Result:
    account: Account
    category: str
    match: str
    person: Person | None = None
    remarks: list[str] = field(default_factory=list)

    @property
    def person_hash(self) -> str:
        if self.account.pnr is not None and self.account.pnr.valid:
            return self.account.pnr.hash
        return self.person.person_hash if self.person else ""

    @property
    def person_masked(self) -> str:
        if self.account.pnr is not None:
            return self.account.pnr.masked
        return self.person.masked if self.person else ""

    @property
    def is_flagged(self) -> bool:
        return self.category != Category.OK or self.match == Match.NAME_UNCERTAIN


@dataclass
class Rules:
    review_date: datetime.date
    inactive_days: int = 90
    test_patterns: Sequence[str] = ()
    external_units: Sequence[str] = ()
    has_last_login: bool = True

    def __post_init__(self) -> None:
        self._test = _compile_globs(self.test_patterns)
        self._external = _compile_contains(self.external_units)
        self.inactive_before = self.review_date - datetime.timedelta(days=self.inactive_days)

    def is_test(self, account: Account) -> bool:
        if self._test is None:
            return False
        return bool(self._test.match(account.account_id) or self._test.match(account.name))

    def is_external(self, unit: str) -> bool:
        return bool(self._external and unit and self._external.search(unit))


def _compile_globs(patterns: Iterable[str]) -> re.Pattern | None:
    parts = [fnmatch.translate(p.strip()) for p in patterns if p.strip()]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE) if parts else None


def _compile_contains(texts: Iterable[str]) -> re.Pattern | None:
    parts = [re.escape(t.strip()) for t in texts if t.strip()]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


_NON_LETTERS = re.compile(r"[^\w\s]|\d|_", re.UNICODE)


def name_key(name: str) -> str:
    """``"Johansson, Kerstin"`` and ``"kerstin  johansson"`` give the same key."""
    if not name:
        return ""
    text = unicodedata.normalize("NFC", name).casefold()
    text = _NON_LETTERS.sub(" ", text)
    return " ".join(sorted(text.split()))


class Roster:
    """The roster indexed for lookups. A person listed twice (several employments) counts as
    employed if any of the rows has no end date or the latest end date."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.by_hash: dict[str, Person] = {}
        self.by_employee: dict[str, Person] = {}
        people = list(people)
        self._people = people
        self.size = len(people)
        for person in people:
            if person.person_hash:
                self.by_hash[person.person_hash] = _later(
                    self.by_hash.get(person.person_hash), person
                )
            if person.employee_number:
                self.by_employee[person.employee_number] = _later(
                    self.by_employee.get(person.employee_number), person
                )

    @cached_property
    def by_name(self) -> dict[str, list[Person]]:
        """Distinct people (one per personnummer or employee number) by name; built when first
        needed, since most accounts match on an identifier."""
        by_name: dict[str, list[Person]] = defaultdict(list)
        seen: set[int] = set()
        for person in self._people:
            if person.person_hash:
                person = self.by_hash[person.person_hash]
            elif person.employee_number:
                person = self.by_employee[person.employee_number]
            if id(person) in seen:
                continue
            seen.add(id(person))
            key = name_key(person.name)
            if key:
                by_name[key].append(person)
        return by_name


def _later(current: Person | None, new: Person) -> Person:
    if current is None:
        return new
    if current.employment_end is None:
        return current
    if new.employment_end is None or new.employment_end > current.employment_end:
        return new
    return current


class _Texts:
    """The remarks, translated once per run rather than once per account."""

    def __init__(self) -> None:
        self.left = _("Anställningen upphörde %(date)s.")
        self.never = _("Ingen inloggning registrerad.")
        self.last_login = _("Senaste inloggning %(date)s.")
        self.invalid = _("Ogiltigt personnummer: %(error)s")
        self.not_pnr = _("Personnummerfältet innehåller inget personnummer.")
        self.unit = _("Enhet: %(unit)s.")
        self.name_only = _("Matchad endast på namn: kontrollera att det är rätt person.")
        self.same_name = _("%(n)s personer i personalförteckningen har samma namn.")
        self.not_in_roster = _("Finns inte i personalförteckningen.")
        self.errors = {code: str(text) for code, text in ERRORS.items()}


def _employment_category(
    person: Person, account: Account, rules: Rules, texts: _Texts
) -> tuple[str, str]:
    if person.employment_end is not None and person.employment_end < rules.review_date:
        return Category.LEFT, texts.left % {"date": person.employment_end.isoformat()}
    if rules.has_last_login:
        if account.last_login is None:
            return Category.INACTIVE, texts.never
        if account.last_login < rules.inactive_before:
            return Category.INACTIVE, texts.last_login % {"date": account.last_login.isoformat()}
    return Category.OK, ""


def classify(accounts: Sequence[Account], roster: Roster, rules: Rules) -> list[Result]:
    texts = _Texts()
    by_hash, by_employee = roster.by_hash, roster.by_employee
    results: list[Result] = []
    for account in accounts:
        remarks: list[str] = []
        person: Person | None = None
        match = Match.NONE
        pnr = account.pnr
        has_identifier = False
        if pnr is not None:
            if pnr.valid:
                has_identifier = True
                person = by_hash.get(pnr.hash)
                if person is not None:
                    match = Match.PERSONAL_NUMBER
            else:
                remarks.append(texts.invalid % {"error": texts.errors.get(pnr.error, "")})
        elif account.pnr_text:
            remarks.append(texts.not_pnr)
        if person is None and account.employee_number:
            has_identifier = True
            person = by_employee.get(account.employee_number)
            if person is not None:
                match = Match.EMPLOYEE_NUMBER

        if person is not None:
            category, remark = _employment_category(person, account, rules, texts)
        elif rules.is_test(account):
            category, remark = Category.TEST, ""
        elif rules.is_external(account.unit):
            category, remark = Category.EXTERNAL, texts.unit % {"unit": account.unit}
        else:
            candidates = [] if has_identifier else roster.by_name.get(name_key(account.name), [])
            if len(candidates) == 1:
                person = candidates[0]
                match = Match.NAME_UNCERTAIN
                category, remark = _employment_category(person, account, rules, texts)
                remarks.append(texts.name_only)
            else:
                category, remark = Category.UNKNOWN, ""
                if len(candidates) > 1:
                    remarks.append(texts.same_name % {"n": len(candidates)})
                elif has_identifier:
                    remarks.append(texts.not_in_roster)
        if remark:
            remarks.insert(0, remark)
        results.append(Result(account, category, match, person, remarks))

    _remark_shared_people(results)
    return results


def _remark_shared_people(results: list[Result]) -> None:
    keys = [r.person_hash or (r.person.employee_number if r.person else "") for r in results]
    counts = Counter(k for k in keys if k)
    if not counts or max(counts.values()) < 2:
        return
    text = _("Samma person har %(n)s konton i systemet.")
    for result, key in zip(results, keys, strict=True):
        if key and counts[key] > 1:
            result.remarks.append(text % {"n": counts[key]})
