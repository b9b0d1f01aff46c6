"""From a report's parameters to a document: its title, template and context.

The same function feeds the archived PDF (``reports.services.generate_report``) and the
coordinator's HTML preview, so that what is previewed is what will be archived.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import Audit
from controls.models import ControlPlan
from organisation.models import Decision, OrgUnit, User
from reports import data
from reports.models import Report

#: The law a board version cites when it leaves secret details out.
SECRECY_LAW = "18 kap. 8 § offentlighets- och sekretesslagen (2009:400)"


@dataclass(frozen=True)
class Spec:
    """What to report on: the parameters of a report, before or after it is ordered."""

    kind: str
    unit: OrgUnit
    audience: str
    year: int | None = None
    audit: Audit | None = None
    decision: Decision | None = None

    @property
    def board(self) -> bool:
        return self.audience == Report.Audience.BOARD

    @property
    def series_key(self) -> str:
        """Versions of the same document share a series (a new version supersedes the last)."""
        return "|".join(
            [
                self.kind,
                self.audience,
                f"u{self.unit.pk}",
                f"y{self.year or ''}",
                f"a{self.audit.pk if self.audit else ''}",
            ]
        )

    def parameters(self) -> dict[str, Any]:
        """Stored on the report: ids to regenerate it, names as they were when it was made."""
        return {
            "kind": self.kind,
            "audience": self.audience,
            "unit": self.unit.pk,
            "unit_name": self.unit.name,
            "year": self.year,
            "audit": self.audit.pk if self.audit else None,
            "audit_title": self.audit.title if self.audit else None,
            "decision": self.decision.pk if self.decision else None,
        }


def spec_for(report: Report) -> Spec:
    decision_id = (report.parameters or {}).get("decision")
    decision = (
        Decision.objects.select_related("organ").filter(pk=decision_id).first()
        if decision_id
        else None
    )
    return Spec(
        kind=report.kind,
        unit=report.unit,
        audience=report.audience,
        year=report.year,
        audit=report.audit,
        decision=decision,
    )


def scope_name(unit: OrgUnit) -> str:
    """What a report on ``unit`` covers, in words: the municipality for its top unit."""
    return unit.municipality.name if unit.parent_id is None else unit.name


def title_for(spec: Spec) -> str:
    kind = spec.kind
    if kind == Report.Kind.ANNUAL_FOLLOW_UP:
        return _("Uppföljning av internkontrollplan %(year)s, %(unit)s") % {
            "year": spec.year,
            "unit": spec.unit.name,
        }
    if kind == Report.Kind.OVERALL_ASSESSMENT:
        return _("Samlad bedömning av den interna kontrollen %(year)s") % {"year": spec.year}
    if kind == Report.Kind.AUDIT_FOLLOW_UP:
        return _("Uppföljning av granskning: %(title)s") % {"title": spec.audit.title}
    if kind == Report.Kind.ACTION_PLAN:
        if spec.audit is not None:
            return _("Åtgärdsplan, %(unit)s – %(audit)s") % {
                "unit": spec.unit.name,
                "audit": spec.audit.title,
            }
        return _("Åtgärdsplan, %(unit)s") % {"unit": scope_name(spec.unit)}
    return _("Systemförteckning, %(unit)s") % {"unit": scope_name(spec.unit)}


def _plan_for(spec: Spec) -> ControlPlan:
    plan = (
        data.plans_queryset()
        .filter(unit=spec.unit, year=spec.year, municipality_id=spec.unit.municipality_id)
        .first()
    )
    if plan is None:
        raise ValidationError(
            _("%(unit)s har ingen internkontrollplan för %(year)s.")
            % {"unit": spec.unit.name, "year": spec.year}
        )
    return plan


def validate(spec: Spec) -> None:
    """Refuse parameters a report cannot be made from, with a message for the form."""
    if spec.unit.municipality_id is None:
        raise ValidationError(_("Enheten saknar kommun."))
    if spec.kind in (Report.Kind.ANNUAL_FOLLOW_UP, Report.Kind.OVERALL_ASSESSMENT):
        if not spec.year:
            raise ValidationError(_("Ange vilket år rapporten gäller."))
        if spec.kind == Report.Kind.ANNUAL_FOLLOW_UP:
            _plan_for(spec)
        elif not data.overall_plans(spec.unit, spec.year).exists():
            raise ValidationError(
                _("Det finns inga internkontrollplaner för %(year)s under %(unit)s.")
                % {"year": spec.year, "unit": spec.unit.name}
            )
    if spec.kind == Report.Kind.AUDIT_FOLLOW_UP and spec.audit is None:
        raise ValidationError(_("Välj vilken granskning som ska följas upp."))
    if spec.audit is not None:
        if spec.audit.municipality_id != spec.unit.municipality_id:
            raise ValidationError(_("Granskningen hör till en annan kommun."))
        if spec.kind == Report.Kind.AUDIT_FOLLOW_UP:
            addressed = list(spec.audit.addressed_units.all())
            if not any(
                u.path.startswith(spec.unit.path) or spec.unit.path.startswith(u.path)
                for u in addressed
            ):
                raise ValidationError(
                    _(
                        "Granskningen är inte riktad till %(unit)s. Välj en av de granskade "
                        "nämnderna (eller en överordnad enhet) som rapportens enhet."
                    )
                    % {"unit": spec.unit.name}
                )
    if spec.decision is not None and spec.decision.municipality_id != spec.unit.municipality_id:
        raise ValidationError(_("Beslutet hör till en annan kommun."))


@dataclass
class Document:
    template: str
    title: str
    context: dict[str, Any]


def _case_officer(decision: Decision | None, user: User | None) -> tuple[str, str]:
    if decision is not None and decision.case_officer:
        return decision.case_officer, decision.case_officer_contact
    if user is None:
        return "", ""
    name = user.get_full_name() or user.username
    if user.title:
        name = f"{name}, {user.title}"
    contact = ", ".join(x for x in (user.phone and f"Tfn {user.phone}", user.email) if x)
    return name, contact


def build(
    spec: Spec,
    *,
    as_of: datetime.datetime,
    requested_by: User | None,
    version: int | None = None,
) -> Document:
    """Collect the data of a report as of ``as_of`` and say how to render it."""
    validate(spec)
    today = timezone.localdate(as_of)
    municipality = spec.unit.municipality.name
    title = title_for(spec)
    doc: dict[str, Any] = {
        "title": title,
        "kind": spec.kind,
        "kind_label": Report.Kind(spec.kind).label,
        "board": spec.board,
        "audience_label": Report.Audience(spec.audience).label,
        "version": version,
        "as_of": as_of,
        "today": today,
        "municipality": municipality,
        "unit": spec.unit,
        "scope_name": scope_name(spec.unit),
        "whole_municipality": spec.unit.parent_id is None,
        "secrecy_law": SECRECY_LAW,
        "requested_by": requested_by,
    }
    context: dict[str, Any] = {"doc": doc}
    decision = spec.decision
    organ = spec.unit.serves or spec.unit

    if spec.kind == Report.Kind.ANNUAL_FOLLOW_UP:
        plan = _plan_for(spec)
        decision = decision or plan.final_report_decision
        dnr = plan.adoption_decision.dnr if plan.adoption_decision else ""
        (plan_data,) = data.collect_plans([plan], board=spec.board, today=today)
        context["plan"] = plan_data
        template = "reports/pdf/annual_follow_up.html"
        default_proposal = _(
            "%(organ)s godkänner uppföljningen av internkontrollplan %(year)s för %(unit)s."
        ) % {"organ": organ.name, "year": spec.year, "unit": spec.unit.name}
    elif spec.kind == Report.Kind.OVERALL_ASSESSMENT:
        dnr = ""
        context["overall"] = data.collect_overall(
            unit=spec.unit, year=spec.year, board=spec.board, today=today
        )
        template = "reports/pdf/overall_assessment.html"
        default_proposal = _(
            "%(organ)s godkänner den samlade bedömningen av den interna kontrollen %(year)s."
        ) % {"organ": organ.name, "year": spec.year}
    elif spec.kind == Report.Kind.AUDIT_FOLLOW_UP:
        dnr = spec.audit.dnr
        context["audit"] = data.collect_audit(audit=spec.audit, board=spec.board, today=today)
        template = "reports/pdf/audit_follow_up.html"
        default_proposal = ""
    elif spec.kind == Report.Kind.ACTION_PLAN:
        dnr = spec.audit.dnr if spec.audit else ""
        context["plan"] = data.collect_action_plan(
            unit=spec.unit, audit=spec.audit, board=spec.board, today=today
        )
        template = "reports/pdf/action_plan.html"
        default_proposal = ""
    else:
        dnr = ""
        context["systems"] = data.collect_systems(unit=spec.unit, today=today)
        template = "reports/pdf/system_inventory.html"
        default_proposal = ""

    header = data.header_from_decision(
        municipality=municipality, organ=organ, title=title, decision=decision, dnr=dnr
    )
    officer, contact = _case_officer(decision, requested_by)
    doc.update(
        {
            "header": header,
            "decision_basis": [
                line.strip()
                for line in (decision.decision_basis if decision else "").splitlines()
                if line.strip()
            ],
            "proposal": (decision.proposal.strip() if decision else "") or default_proposal,
            "distribution": (decision.distribution_list if decision else [])
            or [organ.name, _("Akten")],
            "case_officer": officer,
            "case_officer_contact": contact,
        }
    )
    return Document(template=template, title=title, context=context)
