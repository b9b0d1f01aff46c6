"""Importing a plan from a spreadsheet in two steps: upload → preview → confirm.

The upload is read into text cells and kept as a :class:`~controls.models.PlanImport` row (JSON,
limited in size, readable only by the uploader for two hours). The preview parses the cells
against the database; the confirmation parses them again, then writes every row or none in one
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from controls.models import IMPORT_TTL, ControlPlan, ControlPoint, PlanImport
from controls.services.plans import (
    create_control_point,
    create_plan,
    executive_board_plan,
    inherit_municipality_wide_points,
    is_executive_board_plan,
    risk_scale_for,
)
from controls.spreadsheet import (
    IMPORT_MAX_BYTES,
    IMPORT_TYPES,
    ImportFailed,
    ImportProblem,
    ParsedRow,
    Table,
    check_name,
    parse_rows,
    read_table,
)
from core.files import clean_filename, validate_upload
from organisation.models import OrgUnit, User


@dataclass
class Preview:
    plan_import: PlanImport
    rows: list[ParsedRow]
    problems: list[ImportProblem]

    @property
    def importable(self) -> list[ParsedRow]:
        return [row for row in self.rows if not row.skip]

    @property
    def skipped(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.skip]


@transaction.atomic
def stage_import(
    *,
    user: User,
    uploaded: UploadedFile,
    plan: ControlPlan | None = None,
    unit: OrgUnit | None = None,
    year: int | None = None,
) -> PlanImport:
    """Read the file into a pending import; raises :class:`ImportFailed` if it cannot be read.

    The upload goes through :func:`core.files.validate_upload` (size, sniffed content) like
    every other upload, before a byte of it is parsed.
    """
    if plan is not None and not plan.is_editable:
        raise ImportFailed(
            [ImportProblem(_("Kontrollpunkter kan bara importeras till ett utkast."))]
        )
    if plan is None and ControlPlan.objects.filter(unit=unit, year=year).exists():
        raise ImportFailed(
            [
                ImportProblem(
                    _(
                        "Det finns redan en plan för %(unit)s %(year)s. Importera till den i stället."
                    )
                    % {"unit": unit, "year": year}
                )
            ]
        )
    name = uploaded.name or ""
    check_name(name)
    try:
        validate_upload(uploaded, allowed=IMPORT_TYPES, max_bytes=IMPORT_MAX_BYTES)
    except ValidationError as exc:
        raise ImportFailed([ImportProblem(message) for message in exc.messages]) from exc
    content = uploaded.read(IMPORT_MAX_BYTES + 1)
    table = read_table(name=name, content=content)
    PlanImport.objects.filter(created_at__lt=timezone.now() - IMPORT_TTL).delete()
    municipality_id = plan.municipality_id if plan is not None else unit.municipality_id
    staged = PlanImport(
        municipality_id=municipality_id,
        created_by=user,
        plan=plan,
        unit=None if plan is not None else unit,
        year=None if plan is not None else year,
        filename=clean_filename(name),
        header=table.header,
        rows=[[number, values] for number, values in table.rows],
    )
    staged.full_clean()
    staged.save()
    return staged


def preview(plan_import: PlanImport) -> Preview:
    """Parse the staged cells against the database as it is now."""
    table = Table(
        header=list(plan_import.header),
        rows=[(int(number), list(values)) for number, values in plan_import.rows],
    )
    plan = plan_import.plan
    scale = risk_scale_for(plan_import.municipality)
    existing: list[ControlPoint] = []
    inherited_titles: list[str] = []
    if plan is not None:
        existing = list(plan.control_points.all())
    elif plan_import.unit.kind != OrgUnit.Kind.EXECUTIVE_BOARD:
        ks_plan = executive_board_plan(plan_import.municipality_id, plan_import.year)
        if ks_plan is not None:
            inherited_titles = list(
                ks_plan.control_points.filter(
                    scope=ControlPoint.Scope.MUNICIPALITY_WIDE
                ).values_list("title", flat=True)
            )
    rows, problems = parse_rows(
        table=table,
        municipality_id=plan_import.municipality_id,
        scale=scale,
        existing=existing,
        inherited_titles=inherited_titles,
    )
    return Preview(plan_import=plan_import, rows=rows, problems=problems)


@transaction.atomic
def confirm_import(*, plan_import: PlanImport, user: User) -> ControlPlan:
    """Write every row of the staged import, or nothing (raises :class:`ImportFailed`)."""
    plan_import = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
    if plan_import.created_by_id != user.pk:
        raise ImportFailed([ImportProblem(_("Importen hör till en annan användare."))])
    if plan_import.status != PlanImport.Status.PENDING:
        raise ImportFailed([ImportProblem(_("Importen är redan genomförd."))])
    if plan_import.is_expired:
        raise ImportFailed(
            [ImportProblem(_("Förhandsgranskningen är för gammal. Ladda upp filen igen."))]
        )
    result = preview(plan_import)
    if result.problems:
        raise ImportFailed(result.problems)
    plan = plan_import.plan
    if plan is not None and not plan.is_editable:
        raise ImportFailed(
            [ImportProblem(_("Kontrollpunkter kan bara importeras till ett utkast."))]
        )
    # The database may have changed since the preview (a colleague created the plan, another
    # import took a number): what the services refuse now is reported like any other problem,
    # and the transaction leaves nothing behind.
    row_number = None
    try:
        if plan is None:
            plan = create_plan(
                unit=plan_import.unit, year=plan_import.year, user=user, inherit=False
            )
        for row in sorted(result.importable, key=lambda r: (r.data.get("number") is None, r.row)):
            row_number = row.row
            create_control_point(plan=plan, user=user, data=row.data, systems=row.systems)
        row_number = None
        if plan_import.plan is None and not is_executive_board_plan(plan):
            inherit_municipality_wide_points(plan=plan, user=user)
    except ValidationError as exc:
        raise ImportFailed([ImportProblem(m, row=row_number) for m in exc.messages]) from exc
    plan_import.status = PlanImport.Status.IMPORTED
    plan_import.result_plan = plan
    plan_import.save(update_fields=["status", "result_plan"])
    return plan
