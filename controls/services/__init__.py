"""Services of the controls app: every write that spans rows or models goes through here.

Split in two modules to stay readable: :mod:`.plans` (plans, control points, revisions, copies,
municipality-wide points) and :mod:`.results` (results of occurrences, deviations → findings and
actions). Import from ``controls.services``.
"""

from controls.services.imports import Preview, confirm_import, preview, stage_import
from controls.services.plans import (
    COPIED_FIELDS,
    INHERITED_FIELDS,
    POINT_FIELDS,
    DecisionInput,
    PointUpdate,
    RevisionInput,
    adopt_plan,
    copy_plan_to_next_year,
    create_control_point,
    create_plan,
    delete_control_point,
    delete_plan,
    executive_board_plan,
    final_report_plan,
    inherit_municipality_wide_points,
    is_executive_board_plan,
    risk_scale_for,
    spread_municipality_wide_points,
    update_control_point,
    update_plan,
)
from controls.services.results import (
    ActionInput,
    FindingInput,
    LoggedResult,
    log_result,
    mark_not_done,
)

__all__ = [
    "COPIED_FIELDS",
    "INHERITED_FIELDS",
    "POINT_FIELDS",
    "ActionInput",
    "DecisionInput",
    "FindingInput",
    "LoggedResult",
    "PointUpdate",
    "Preview",
    "RevisionInput",
    "adopt_plan",
    "confirm_import",
    "copy_plan_to_next_year",
    "create_control_point",
    "create_plan",
    "delete_control_point",
    "delete_plan",
    "executive_board_plan",
    "final_report_plan",
    "inherit_municipality_wide_points",
    "is_executive_board_plan",
    "log_result",
    "mark_not_done",
    "preview",
    "risk_scale_for",
    "spread_municipality_wide_points",
    "stage_import",
    "update_control_point",
    "update_plan",
]
