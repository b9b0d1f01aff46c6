"""Writes of the access review, one function per step: DRAFT (files uploaded) → IN_REVIEW
(accounts matched and flagged) → COMPLETED. See systems/README.md for how personnummer are kept
out of storage."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from controls.models import ControlOccurrence
from core.files import validate_upload
from findings.models import Action, Finding, Severity
from organisation import policy
from organisation.models import User
from systems import matching, tabular
from systems.mapping import (
    ACCOUNT_FIELDS,
    ROSTER_FIELDS,
    MappingError,
    check_mapping,
    guess_mapping,
)
from systems.models import (
    AccessReview,
    AccessReviewItem,
    ReviewSettings,
    ReviewUpload,
    System,
    SystemRole,
)
from systems.services.review_data import (
    BATCH_SIZE,
    accounts_from,
    check_unique_accounts,
    insert_items,
    prune_roster,
    roster_from,
)
from systems.uploads import max_upload_bytes

UPLOAD_TYPES = frozenset({"csv", "txt", "xlsx"})

Category = AccessReviewItem.Category
Decision = AccessReviewItem.Decision


def _require(user: User, verb: str, obj: Any) -> None:
    if not policy.can(user, verb, obj):
        raise PermissionDenied


# ============================================================================================
# Access review: start
# ============================================================================================


def occurrence_choices(system: System):
    """Planned control occurrences an access review of ``system`` can report to."""
    return (
        ControlOccurrence.objects.filter(
            control_point__plan__municipality_id=system.municipality_id,
            control_point__is_access_review=True,
            status=ControlOccurrence.Status.PLANNED,
        )
        .filter(Q(control_point__systems=system) | Q(control_point__systems__isnull=True))
        .select_related("control_point__plan__unit")
        .distinct()
        .order_by("due_date", "pk")
    )


@transaction.atomic
def create_review(
    *,
    system: System,
    user: User,
    review_date: datetime.date | None = None,
    occurrence: ControlOccurrence | None = None,
    accounts_source: str = "",
    accounts_exported_on: datetime.date | None = None,
    roster_source: str = "",
    roster_exported_on: datetime.date | None = None,
    inactive_days: int | None = None,
) -> AccessReview:
    _require(user, policy.Verb.REVIEW, system)
    if occurrence is not None and not occurrence_choices(system).filter(pk=occurrence.pk).exists():
        raise ValidationError(
            {"occurrence": _("Kontrolltillfället gäller inte behörighetsgranskning av systemet.")}
        )
    rules = ReviewSettings.for_municipality(system.municipality_id)
    review = AccessReview(
        municipality_id=system.municipality_id,
        system=system,
        occurrence=occurrence,
        review_date=review_date or timezone.localdate(),
        accounts_source=accounts_source,
        accounts_exported_on=accounts_exported_on,
        roster_source=roster_source,
        roster_exported_on=roster_exported_on,
        inactive_days=inactive_days or rules.inactive_days,
        reviewer=user,
    )
    review.full_clean()
    review.save()
    return review


# ============================================================================================
# Access review: upload
# ============================================================================================


@dataclass
class LoadedFile:
    """An uploaded file read and reduced, ready to store (nothing is stored yet)."""

    name: str
    size: int
    sha256: str
    table: tabular.Table
    guessed: dict[str, str]


def load_upload(
    uploaded: IO[bytes], *, kind: str, today: datetime.date | None = None
) -> LoadedFile:
    """Check, read and reduce one file; raise ValidationError with Swedish messages."""
    _, sha256 = validate_upload(uploaded, allowed=UPLOAD_TYPES, max_bytes=max_upload_bytes())
    name = getattr(uploaded, "name", "") or ""
    try:
        table = tabular.read_table(uploaded, name=name, today=today)
    except tabular.TableError as exc:
        raise ValidationError(exc.messages) from exc
    finally:
        uploaded.seek(0)
    fields = ACCOUNT_FIELDS if kind == ReviewUpload.Kind.ACCOUNTS else ROSTER_FIELDS
    guessed = guess_mapping(table.header, fields)
    if kind == ReviewUpload.Kind.ACCOUNTS and guessed.get("account_id"):
        check_unique_accounts(table, guessed["account_id"])
    return LoadedFile(
        name=name[:255],
        size=getattr(uploaded, "size", 0) or 0,
        sha256=sha256,
        table=table,
        guessed=guessed,
    )


def _require_uploads_allowed(review: AccessReview, user: User) -> None:
    _require(user, policy.Verb.REVIEW, review)
    if not review.accepts_uploads:
        raise ValidationError(
            _("Filerna kan inte bytas när beslut har fattats eller granskningen är slutförd.")
        )


def _store_upload(review: AccessReview, user: User, kind: str, loaded: LoadedFile) -> ReviewUpload:
    ReviewUpload.objects.filter(review=review, kind=kind).delete()
    upload = ReviewUpload(
        review=review,
        kind=kind,
        original_name=loaded.name or str(ReviewUpload.Kind(kind).label),
        size=loaded.size,
        sha256=loaded.sha256,
        header=loaded.table.header,
        guessed_mapping=loaded.guessed,
        row_count=len(loaded.table.rows),
        data=tabular.pack(loaded.table),
        uploaded_by=user,
    )
    upload.full_clean(exclude=["data"])
    upload.save()
    return upload


def upload_review_files(
    *,
    review: AccessReview,
    user: User,
    accounts_file: IO[bytes],
    roster_file: IO[bytes],
) -> tuple[ReviewUpload, ReviewUpload]:
    """Read both files; store them reduced, or raise ValidationError per file and store nothing.

    Replaces earlier uploads and any matching made from them (allowed until a decision is taken).
    """
    _require_uploads_allowed(review, user)
    errors: dict[str, list[str]] = {}
    loaded: dict[str, LoadedFile] = {}
    for field_name, kind, file in (
        ("accounts_file", ReviewUpload.Kind.ACCOUNTS, accounts_file),
        ("roster_file", ReviewUpload.Kind.ROSTER, roster_file),
    ):
        try:
            loaded[kind] = load_upload(file, kind=kind, today=review.review_date)
        except ValidationError as exc:
            errors[field_name] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = AccessReview.objects.select_for_update().get(pk=review.pk)
        _require_uploads_allowed(review, user)
        review.items.all().delete()
        accounts = _store_upload(review, user, ReviewUpload.Kind.ACCOUNTS, loaded["accounts"])
        roster = _store_upload(review, user, ReviewUpload.Kind.ROSTER, loaded["roster"])
        review.status = AccessReview.Status.DRAFT
        review.column_mapping = {
            "accounts": accounts.guessed_mapping,
            "roster": roster.guessed_mapping,
        }
        review.accounts_total = 0
        review.flagged_total = 0
        if not review.accounts_source:
            review.accounts_source = accounts.original_name[:200]
        if not review.roster_source:
            review.roster_source = roster.original_name[:200]
        review.full_clean()
        review.save()
    return accounts, roster


# ============================================================================================
# Access review: mapping and matching
# ============================================================================================


@dataclass
class MatchSummary:
    accounts: int
    flagged: int
    roster: int
    by_category: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def match_review(
    *,
    review: AccessReview,
    user: User,
    account_mapping: Mapping[str, str],
    roster_mapping: Mapping[str, str],
) -> MatchSummary:
    """Apply the column mappings, match every account and store the flags.

    All or nothing: a mapping or data error raises ValidationError (Swedish, with row numbers)
    and no item is stored.
    """
    _require_uploads_allowed(review, user)
    uploads = {u.kind: u for u in review.uploads.all()}
    accounts_upload = uploads.get(ReviewUpload.Kind.ACCOUNTS)
    roster_upload = uploads.get(ReviewUpload.Kind.ROSTER)
    if accounts_upload is None or roster_upload is None:
        raise ValidationError(_("Ladda upp kontoexporten och personalförteckningen först."))
    try:
        account_mapping = check_mapping(account_mapping, accounts_upload.header, ACCOUNT_FIELDS)
        roster_mapping = check_mapping(roster_mapping, roster_upload.header, ROSTER_FIELDS)
    except MappingError as exc:
        raise ValidationError(exc.errors) from exc

    accounts, account_errors = accounts_from(accounts_upload, account_mapping)
    people, roster_errors, warnings = roster_from(roster_upload, roster_mapping)
    errors = account_errors + roster_errors
    if errors:
        raise ValidationError(errors)

    rules_settings = ReviewSettings.for_municipality(review.municipality_id)
    rules = matching.Rules(
        review_date=review.review_date,
        inactive_days=review.inactive_days,
        test_patterns=rules_settings.test_patterns,
        external_units=rules_settings.external_unit_names,
        has_last_login=bool(account_mapping.get("last_login")),
    )
    results = matching.classify(accounts, matching.Roster(people), rules)
    flagged = sum(1 for r in results if r.is_flagged)

    with transaction.atomic():
        locked = AccessReview.objects.select_for_update().get(pk=review.pk)
        _require_uploads_allowed(locked, user)
        locked.items.all().delete()
        insert_items(locked, results)
        prune_roster(roster_upload, roster_mapping)
        locked.column_mapping = {"accounts": account_mapping, "roster": roster_mapping}
        locked.accounts_total = len(results)
        locked.flagged_total = flagged
        locked.status = AccessReview.Status.IN_REVIEW
        locked.full_clean()
        locked.save()
    review.refresh_from_db()
    return MatchSummary(
        accounts=len(results),
        flagged=flagged,
        roster=len(people),
        by_category=dict(Counter(r.category for r in results)),
        warnings=warnings,
    )


# ============================================================================================
# Access review: decisions
# ============================================================================================


def _require_reviewing(review: AccessReview, user: User) -> None:
    _require(user, policy.Verb.REVIEW, review)
    if review.status != AccessReview.Status.IN_REVIEW:
        raise ValidationError(_("Beslut kan bara fattas medan granskningen pågår."))


def _check_decision(decision: str, reason: str) -> None:
    if decision and decision not in Decision.values:
        raise ValidationError({"decision": _("Okänt beslut.")})
    if decision == Decision.KEEP and not reason.strip():
        raise ValidationError(
            {"reason": _("Ange en motivering när kontot ska behållas trots flaggan.")}
        )


@transaction.atomic
def decide_item(
    *, item: AccessReviewItem, user: User, decision: str, reason: str = ""
) -> AccessReviewItem:
    """Decide on one account; an empty ``decision`` takes a decision back."""
    _require_reviewing(item.review, user)
    _check_decision(decision, reason)
    item.decision = decision
    item.decision_reason = reason.strip() if decision else ""
    item.decided_by = user if decision else None
    item.decided_at = timezone.now() if decision else None
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def decide_items(
    *,
    review: AccessReview,
    user: User,
    item_ids: Sequence[int],
    decision: str,
    reason: str = "",
) -> int:
    """The same decision for a selection of accounts. Returns how many were decided."""
    _require_reviewing(review, user)
    if not decision:
        raise ValidationError({"decision": _("Välj ett beslut.")})
    _check_decision(decision, reason)
    items = list(review.items.filter(pk__in=list(item_ids)))
    if not items:
        raise ValidationError(_("Markera minst ett konto."))
    now = timezone.now()
    for item in items:
        item.decision = decision
        item.decision_reason = reason.strip()
        item.decided_by = user
        item.decided_at = now
    bulk_update_with_history(
        items,
        AccessReviewItem,
        ["decision", "decision_reason", "decided_by", "decided_at"],
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=_("Beslut för flera konton"),
    )
    return len(items)


# ============================================================================================
# Access review: completion
# ============================================================================================


@dataclass
class Completion:
    review: AccessReview
    finding: Finding | None
    actions: list[Action]
    occurrence_recorded: bool


def review_counts(review: AccessReview) -> dict[str, Any]:
    """Counts per category, per decision and of flagged/undecided accounts, in one query."""
    aggregates = {f"cat_{c}": Count("pk", filter=Q(category=c)) for c in Category.values}
    aggregates |= {f"dec_{d}": Count("pk", filter=Q(decision=d)) for d in Decision.values}
    flagged_q = ~Q(category=Category.OK) | Q(match=AccessReviewItem.Match.NAME_UNCERTAIN)
    aggregates["flagged"] = Count("pk", filter=flagged_q)
    aggregates["undecided"] = Count("pk", filter=flagged_q & Q(decision=""))
    aggregates["uncertain"] = Count("pk", filter=Q(match=AccessReviewItem.Match.NAME_UNCERTAIN))
    aggregates["total"] = Count("pk")
    row = review.items.aggregate(**aggregates)
    return {
        "total": row["total"],
        "flagged": row["flagged"],
        "undecided": row["undecided"],
        "uncertain": row["uncertain"],
        "categories": [(c, Category(c).label, row[f"cat_{c}"]) for c in Category.values],
        "decisions": [(d, Decision(d).label, row[f"dec_{d}"]) for d in Decision.values],
        "by_category": {c: row[f"cat_{c}"] for c in Category.values},
        "by_decision": {d: row[f"dec_{d}"] for d in Decision.values},
    }


def _summary_text(review: AccessReview, counts: Mapping[str, Any]) -> str:
    flagged_parts = [
        f"{n} {str(label).lower()}"
        for c, label, n in counts["categories"]
        if n and c != Category.OK
    ]
    decision_parts = [f"{n} {str(label).lower()}" for _d, label, n in counts["decisions"] if n]
    text = _(
        "%(total)s konton i %(system)s jämfördes med personalförteckningen (%(roster)s). "
        "%(flagged)s flaggades"
    ) % {
        "total": counts["total"],
        "system": review.system.name,
        "roster": review.roster_source or _("lönesystemet"),
        "flagged": counts["flagged"],
    }
    if flagged_parts:
        text += ": " + ", ".join(flagged_parts)
    text += "."
    if decision_parts:
        text += " " + _("Beslut: %(decisions)s.") % {"decisions": ", ".join(decision_parts)}
    return text


def _action_owner(system: System, user: User) -> tuple[User | None, str]:
    managers = list(
        SystemRole.objects.filter(system=system, kind=SystemRole.Kind.MANAGER).order_by("pk")
    )
    if any(role.user_id == user.pk for role in managers):
        return user, ""
    for role in managers:
        if role.user_id:
            return role.user, ""
    for role in managers:
        if role.name:
            return None, role.name[:160]
    return None, (_("Systemförvaltare för %(system)s") % {"system": system.name})[:160]


def _account_lines(items: Sequence[AccessReviewItem]) -> str:
    lines = []
    for item in items:
        details = ", ".join(
            part for part in (item.name, item.get_category_display(), item.decision_reason) if part
        )
        lines.append(f"– {item.account_id}" + (f" ({details})" if details else ""))
    return "\n".join(lines)


@transaction.atomic
def complete_review(*, review: AccessReview, user: User) -> Completion:
    """Close the review: record the control result, register the finding and its actions.

    * The linked control occurrence (if still planned) becomes *genomförd*, outcome *utan
      anmärkning*, or *avvikelse, mindre* when accounts are to be removed or adjusted.
    * Accounts to remove or adjust give one finding (source: access review, the system's owning
      unit, flagged secret as a security weakness) with one action for the removals and one for
      the adjustments, owned by the system manager.
    * The reduced uploads are deleted: the items and the report remain.
    """
    review = AccessReview.objects.select_for_update().select_related("system").get(pk=review.pk)
    _require_reviewing(review, user)
    counts = review_counts(review)
    if counts["undecided"]:
        raise ValidationError(
            ngettext(
                "%(n)s flaggat konto saknar beslut.",
                "%(n)s flaggade konton saknar beslut.",
                counts["undecided"],
            )
            % {"n": counts["undecided"]}
        )
    system = review.system
    today = timezone.localdate()
    summary = _summary_text(review, counts)
    removals = list(review.items.filter(decision=Decision.REMOVE).order_by("account_id"))
    adjustments = list(review.items.filter(decision=Decision.ADJUST).order_by("account_id"))
    rules = ReviewSettings.for_municipality(review.municipality_id)

    finding = None
    actions: list[Action] = []
    if removals or adjustments:
        severe = any(i.category in (Category.LEFT, Category.UNKNOWN) for i in removals)
        finding = Finding(
            municipality_id=review.municipality_id,
            unit=system.owning_unit,
            title=_("Behörighetsgranskning %(system)s %(date)s: %(what)s")
            % {
                "system": system.name,
                "date": review.review_date.isoformat(),
                "what": ", ".join(
                    part
                    for part in (
                        ngettext(
                            "%(n)s konto ska tas bort", "%(n)s konton ska tas bort", len(removals)
                        )
                        % {"n": len(removals)}
                        if removals
                        else "",
                        ngettext(
                            "%(n)s konto ska justeras",
                            "%(n)s konton ska justeras",
                            len(adjustments),
                        )
                        % {"n": len(adjustments)}
                        if adjustments
                        else "",
                    )
                    if part
                ),
            },
            description=summary,
            source=Finding.Source.ACCESS_REVIEW,
            access_review=review,
            occurrence=review.occurrence,
            severity=Severity.HIGH if severe else Severity.MEDIUM,
            is_secret=True,
            identified_date=review.review_date,
            created_by=user,
        )
        finding.full_clean()
        finding.save()
        finding.systems.add(system)
        owner, owner_description = _action_owner(system, user)
        deadline = today + datetime.timedelta(days=rules.action_deadline_days)
        for decided, title in (
            (removals, _("Ta bort %(n)s konton i %(system)s")),
            (adjustments, _("Justera behörigheten för %(n)s konton i %(system)s")),
        ):
            if not decided:
                continue
            action = Action(
                municipality_id=review.municipality_id,
                unit=system.owning_unit,
                title=(title % {"n": len(decided), "system": system.name})[:255],
                description=_account_lines(decided),
                owner=owner,
                owner_description=owner_description,
                deadline=deadline,
                created_by=user,
            )
            action.full_clean()
            action.save()
            action.findings.add(finding)
            actions.append(action)

    occurrence_recorded = False
    occurrence = review.occurrence
    if occurrence is not None and occurrence.status == ControlOccurrence.Status.PLANNED:
        occurrence.status = ControlOccurrence.Status.DONE
        occurrence.performed_date = today
        occurrence.performed_by = user
        occurrence.checked_what = _(
            "Behörighetsgranskning av %(system)s: samtliga konton jämförda med "
            "personalförteckningen."
        ) % {"system": system.name}
        occurrence.sample = (_("Samtliga %(n)s konton (100 %%)") % {"n": counts["total"]})[:255]
        occurrence.outcome = (
            ControlOccurrence.Outcome.MINOR_DEVIATION
            if finding is not None
            else ControlOccurrence.Outcome.NO_REMARKS
        )
        occurrence.comment = summary
        occurrence.recorded_at = timezone.now()
        occurrence.full_clean()
        occurrence.save()
        occurrence_recorded = True

    review.status = AccessReview.Status.COMPLETED
    review.completed_at = timezone.now()
    review.reviewer = user
    review.summary = summary
    review.accounts_total = counts["total"]
    review.flagged_total = counts["flagged"]
    review.full_clean()
    review.save()
    review.uploads.all().delete()
    return Completion(
        review=review, finding=finding, actions=actions, occurrence_recorded=occurrence_recorded
    )


# ============================================================================================
# Start to flags in one call (the benchmark and the tests use it)
# ============================================================================================


def upload_and_match(
    *,
    review: AccessReview,
    user: User,
    accounts_file: IO[bytes],
    roster_file: IO[bytes],
    account_mapping: Mapping[str, str] | None = None,
    roster_mapping: Mapping[str, str] | None = None,
) -> MatchSummary:
    """Upload both files and match with the given (or the guessed) column mappings."""
    accounts, roster = upload_review_files(
        review=review, user=user, accounts_file=accounts_file, roster_file=roster_file
    )
    return match_review(
        review=review,
        user=user,
        account_mapping=account_mapping or accounts.guessed_mapping,
        roster_mapping=roster_mapping or roster.guessed_mapping,
    )
