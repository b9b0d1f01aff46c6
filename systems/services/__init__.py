"""Writes of the systems app: the register, classifications, and the access review flow.

Every function is keyword-only, runs in one transaction, calls ``full_clean()`` and checks the
user's right through :mod:`organisation.policy`. The access review moves
DRAFT (files uploaded) → IN_REVIEW (accounts matched and flagged) → COMPLETED, one function per
step: :func:`upload_review_files`, :func:`match_review`, :func:`decide_items`,
:func:`complete_review`.

Personnummer: the uploaded files are read in memory and reduced before anything is stored
(:mod:`systems.tabular`); the original files are not kept. The reduced roster is cut to its
mapped columns at matching, and both reduced uploads are deleted when the review is completed.
"""

from systems.services.register import (
    SYSTEM_FIELDS,
    add_classification,
    add_integration,
    add_system_role,
    create_system,
    remove_integration,
    remove_system_role,
    save_management_plan,
    update_system,
)
from systems.services.review_data import ITEM_COLUMNS
from systems.services.reviews import (
    Completion,
    LoadedFile,
    MatchSummary,
    complete_review,
    create_review,
    decide_item,
    decide_items,
    load_upload,
    match_review,
    occurrence_choices,
    review_counts,
    upload_and_match,
    upload_review_files,
)

__all__ = [
    "ITEM_COLUMNS",
    "SYSTEM_FIELDS",
    "Completion",
    "LoadedFile",
    "MatchSummary",
    "add_classification",
    "add_integration",
    "add_system_role",
    "complete_review",
    "create_review",
    "create_system",
    "decide_item",
    "decide_items",
    "load_upload",
    "match_review",
    "occurrence_choices",
    "remove_integration",
    "remove_system_role",
    "review_counts",
    "save_management_plan",
    "update_system",
    "upload_and_match",
    "upload_review_files",
]
