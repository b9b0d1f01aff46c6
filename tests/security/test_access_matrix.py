"""The access matrix: every URL of the project, requested as every user, against a written rule.

For each URL name, :data:`RULES` says which users may GET it and which may POST to it, on the
objects of :mod:`tests.security.matrix_world`. The matrix then requests it as each user of the
cast, as an anonymous visitor and as a user of another municipality, and fails when

* a user outside the rule gets anything but 403/404 (a user of another municipality: 404),
* a user inside the rule gets 403/404, or anyone gets a server error,
* a refused POST changes anything (every domain model keeps history, so any write shows),
* any response, whatever its status, contains a marker word its user may not read
  (:data:`tests.security.matrix_world.READS`): another unit's finding on a list, a secret title
  in a form's choices, a personal name in an export.

:func:`test_every_url_has_an_access_rule` fails when a URL is added without a rule here (or a
rule outlives its URL), so no view can slip in unchecked. The workflows themselves are tested
in each app's tests; the matrix POSTs only as users who must be refused.

The world is built once for the module inside a transaction that is rolled back at the end;
each test runs in a savepoint of its own, so nothing one test does reaches the next.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security import matrix_world
from tests.security.matrix_world import ALL_MARKERS, READS

# --- who ---------------------------------------------------------------------------------------

ADMIN, COORD, AUDITOR = "admin", "coordinator", "auditor"
CONTROLLER, BOARD, OWNER = "controller", "board_member", "action_owner"
SYSMGR, NOBODY, OUTSIDER = "system_manager", "nobody", "outsider"

A_USERS = frozenset({ADMIN, COORD, AUDITOR, CONTROLLER, BOARD, OWNER, SYSMGR, NOBODY})
EVERYONE = A_USERS | {OUTSIDER}
MANAGERS = frozenset({ADMIN, COORD})
SECRET_READERS = frozenset({ADMIN, COORD, AUDITOR})
#: Roles that read Socialnämnden's records: the root roles and SN's controller and board member.
SN_READERS = frozenset({ADMIN, COORD, AUDITOR, CONTROLLER, BOARD})
#: Readers of internal control (lists, risk matrix) in their own municipality.
CONTROL_READERS = SN_READERS | {OUTSIDER}
#: Who may create things in some unit (managers), here or in B.
CREATORS = MANAGERS | {OUTSIDER}
#: The system's managers and the managers of its unit.
SYSTEM_CHANGERS = MANAGERS | {SYSMGR}
NOBODY_ELSE: frozenset[str] = frozenset()

# --- the rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lit:
    """A literal URL argument (``fmt="csv"``), not the name of an object of the world."""

    value: str


@dataclass(frozen=True)
class Case:
    """One way to request a URL: its arguments, and who may GET and who may POST.

    ``get=None``: the view takes no GET (405 for everyone signed in). ``post=None``: the view
    takes no POST, or POSTing is not checked here. An argument names an object of the world.
    """

    kwargs: dict[str, str | Lit] = field(default_factory=dict)
    get: frozenset[str] | None = None
    post: frozenset[str] | None = None
    query: str = ""
    htmx: bool = False
    label: str = ""


def read(users, **kw) -> Case:
    return Case(get=frozenset(users), **kw)


def write(users, *, get=None, **kw) -> Case:
    """A form: ``users`` may GET and POST (``get`` when the GET is wider)."""
    users = frozenset(users)
    return Case(get=users if get is None else frozenset(get), post=users, **kw)


def post_only(users, **kw) -> Case:
    return Case(get=None, post=frozenset(users), **kw)


#: URLs that are public by design (see tests/infra/test_login_required.py).
PUBLIC = {"healthz", "login", "logout"}

RULES: dict[str, list[Case]] = {
    # --- start page, organisation -----------------------------------------------------------
    "home": [read(EVERYONE)],
    "organisation:unit_list": [read(EVERYONE)],
    "organisation:unit_detail": [read(A_USERS, kwargs={"pk": "sn"})],
    "organisation:decision_list": [read(EVERYONE)],
    "organisation:decision_detail": [read(A_USERS, kwargs={"pk": "decision"})],
    "organisation:my_account": [read(EVERYONE)],
    # --- internal control ---------------------------------------------------------------------
    "controls:plan_list": [read(CONTROL_READERS), read(CONTROL_READERS, query="q=Z&year=")],
    "controls:plan_create": [write(CREATORS)],
    "controls:plan_import_new": [write(CREATORS)],
    "controls:plan_detail": [
        read(SN_READERS, kwargs={"pk": "plan"}),
        read(SECRET_READERS, kwargs={"pk": "bun_plan"}, label="another unit's plan"),
    ],
    "controls:plan_edit": [write(MANAGERS, kwargs={"pk": "plan"})],
    "controls:plan_delete": [post_only(MANAGERS, kwargs={"pk": "plan"})],
    "controls:plan_adopt": [write(MANAGERS, kwargs={"pk": "plan"})],
    "controls:plan_final_report": [write(MANAGERS, kwargs={"pk": "plan"})],
    "controls:plan_copy": [post_only(MANAGERS, kwargs={"pk": "plan"})],
    "controls:plan_overview": [read(SN_READERS, kwargs={"pk": "plan"})],
    "controls:plan_export": [read(SN_READERS, kwargs={"pk": "plan"})],
    "controls:plan_import": [write(MANAGERS, kwargs={"pk": "plan"})],
    "controls:point_create": [write(MANAGERS, kwargs={"plan_pk": "plan"})],
    "controls:import_preview": [
        write({COORD}, kwargs={"pk": "plan_import"}, label="only its uploader")
    ],
    "controls:import_template": [read(CONTROL_READERS)],
    "controls:point_list": [read(CONTROL_READERS), read(CONTROL_READERS, query="q=Z")],
    "controls:point_detail": [read(SN_READERS, kwargs={"pk": "point"})],
    "controls:point_edit": [write(MANAGERS, kwargs={"pk": "point"})],
    "controls:point_delete": [write(MANAGERS, kwargs={"pk": "point"})],
    "controls:my_controls": [read(EVERYONE)],
    "controls:occurrence_list": [read(CONTROL_READERS), read(CONTROL_READERS, query="q=Z")],
    "controls:occurrence_detail": [
        read(SN_READERS, kwargs={"pk": "occurrence"}),
        read(SN_READERS, kwargs={"pk": "secret_occurrence"}, label="secret deviation"),
    ],
    "controls:occurrence_log": [
        post_only({ADMIN, COORD, CONTROLLER}, kwargs={"pk": "occurrence"}),
        post_only({ADMIN, COORD, CONTROLLER}, kwargs={"pk": "occurrence"}, htmx=True),
    ],
    "controls:occurrence_not_done": [
        post_only({ADMIN, COORD, CONTROLLER}, kwargs={"pk": "occurrence"})
    ],
    "controls:evidence_download": [read(SN_READERS, kwargs={"pk": "occurrence_evidence"})],
    "controls:risk_matrix": [
        read(CONTROL_READERS),
        read(CONTROL_READERS, query="likelihood=3&consequence=4", htmx=True, label="a cell"),
    ],
    "controls:risk_scale": [read(CONTROL_READERS)],
    # --- findings and actions -----------------------------------------------------------------
    "findings:finding_list": [read(EVERYONE), read(EVERYONE, query="q=Z&sort=-severity")],
    "findings:finding_export": [
        read(EVERYONE, kwargs={"fmt": Lit("csv")}),
        read(EVERYONE, kwargs={"fmt": Lit("xlsx")}),
    ],
    "findings:dashboard": [read(CONTROL_READERS)],
    "findings:finding_create": [write(CREATORS)],
    "findings:finding_detail": [
        read(SN_READERS | {OWNER}, kwargs={"pk": "finding"}),
        read(SECRET_READERS, kwargs={"pk": "secret_finding"}, label="secret"),
        read(SECRET_READERS, kwargs={"pk": "bun_finding"}, label="another unit's"),
    ],
    "findings:finding_edit": [write(MANAGERS, kwargs={"pk": "finding"})],
    "findings:finding_start": [write(MANAGERS, kwargs={"pk": "finding"})],
    "findings:finding_remedied": [write(MANAGERS, kwargs={"pk": "finding"})],
    "findings:finding_verify": [write({COORD}, kwargs={"pk": "finding"})],
    "findings:finding_accept_risk": [write({COORD}, kwargs={"pk": "finding"})],
    "findings:finding_reopen": [write(MANAGERS, kwargs={"pk": "finding"})],
    "findings:finding_action_create": [write(MANAGERS, kwargs={"finding_pk": "finding"})],
    "findings:finding_evidence": [
        read(SN_READERS | {OWNER}, kwargs={"pk": "finding_evidence"}),
        read(SECRET_READERS, kwargs={"pk": "secret_evidence"}, label="secret"),
    ],
    "findings:action_list": [read(EVERYONE), read(EVERYONE, query="q=Z&sort=deadline")],
    "findings:action_export": [
        read(EVERYONE, kwargs={"fmt": Lit("csv")}),
        read(EVERYONE, kwargs={"fmt": Lit("xlsx")}),
    ],
    "findings:action_create": [write(CREATORS)],
    "findings:action_detail": [
        read(SN_READERS | {OWNER}, kwargs={"pk": "action"}),
        read(SECRET_READERS, kwargs={"pk": "secret_action"}, label="secret"),
    ],
    "findings:action_edit": [write(MANAGERS, kwargs={"pk": "action"})],
    "findings:action_start": [write(MANAGERS | {OWNER}, kwargs={"pk": "action"})],
    "findings:action_complete": [write(MANAGERS | {OWNER}, kwargs={"pk": "action"})],
    "findings:action_progress": [write(MANAGERS | {OWNER}, kwargs={"pk": "action"})],
    "findings:action_cancel": [write(MANAGERS, kwargs={"pk": "action"})],
    "findings:action_reopen": [write(MANAGERS, kwargs={"pk": "action"})],
    "findings:action_carry_over": [write(MANAGERS, kwargs={"pk": "action"})],
    "findings:action_evidence": [read(SN_READERS | {OWNER}, kwargs={"pk": "action_evidence"})],
    "findings:my_actions": [read(EVERYONE)],
    "findings:my_action_update": [
        post_only({OWNER}, kwargs={"pk": "action"}, htmx=True, label="the owner's own card")
    ],
    # --- audits ------------------------------------------------------------------------------
    "audits:audit_list": [read(EVERYONE), read(EVERYONE, query="q=Z")],
    "audits:audit_create": [write(CREATORS)],
    "audits:audit_detail": [
        read(SN_READERS, kwargs={"pk": "audit"}),
        read(SN_READERS, kwargs={"pk": "secret_audit"}, label="secret: the summary"),
        read(SECRET_READERS, kwargs={"pk": "bun_audit"}, label="another unit's"),
    ],
    "audits:audit_edit": [write(MANAGERS, kwargs={"pk": "audit"})],
    "audits:audit_report": [read(SN_READERS, kwargs={"pk": "audit"})],
    "audits:follow_up_create": [write(MANAGERS, kwargs={"pk": "audit"})],
    "audits:assessments_edit": [write(MANAGERS, kwargs={"pk": "follow_up"})],
    "audits:observation_create": [write(MANAGERS, kwargs={"pk": "audit"})],
    "audits:observation_edit": [
        write(MANAGERS, kwargs={"pk": "observation"}),
        write(MANAGERS, kwargs={"pk": "secret_observation"}, label="secret"),
    ],
    "audits:recommendation_create": [write(MANAGERS, kwargs={"pk": "audit"})],
    "audits:recommendation_detail": [read(SN_READERS, kwargs={"pk": "recommendation"})],
    "audits:recommendation_edit": [write(MANAGERS, kwargs={"pk": "recommendation"})],
    "audits:recommendation_export": [
        read(EVERYONE, kwargs={"fmt": Lit("csv")}),
        read(EVERYONE, kwargs={"fmt": Lit("xlsx")}),
    ],
    "audits:recommendation_list": [read(EVERYONE), read(EVERYONE, query="q=Z")],
    "audits:response_list": [read(EVERYONE)],
    "audits:response_create": [write(MANAGERS, kwargs={"pk": "audit"})],
    "audits:response_detail": [
        read(SN_READERS, kwargs={"pk": "response"}),
        read(SN_READERS, kwargs={"pk": "secret_response"}, label="to a secret audit"),
    ],
    "audits:response_edit": [write(MANAGERS, kwargs={"pk": "response"})],
    "audits:item_create": [write(MANAGERS, kwargs={"pk": "response"})],
    "audits:item_action_create": [write(MANAGERS, kwargs={"pk": "response_item"})],
    "audits:signatory_create": [write(MANAGERS, kwargs={"pk": "response"})],
    "audits:signatory_delete": [post_only(MANAGERS, kwargs={"pk": "signatory"})],
    "audits:response_decide": [write(MANAGERS, kwargs={"pk": "response"})],
    "audits:response_dispatch": [write(MANAGERS, kwargs={"pk": "response"})],
    # --- systems -----------------------------------------------------------------------------
    "systems:system_list": [read(EVERYONE), read(EVERYONE, query="q=Z")],
    "systems:system_export": [read(EVERYONE)],
    "systems:system_import": [write(CREATORS)],
    "systems:system_create": [write(CREATORS)],
    "systems:system_detail": [
        read(SN_READERS | {SYSMGR}, kwargs={"pk": "system"}),
        read(SECRET_READERS, kwargs={"pk": "bun_system"}, label="another unit's"),
    ],
    "systems:system_edit": [write(SYSTEM_CHANGERS, kwargs={"pk": "system"})],
    "systems:classification_add": [write(SYSTEM_CHANGERS, kwargs={"pk": "system"})],
    "systems:plan_add": [write(SYSTEM_CHANGERS, kwargs={"pk": "system"})],
    "systems:plan_edit": [
        write(SYSTEM_CHANGERS, kwargs={"pk": "system", "plan_pk": "management_plan"})
    ],
    "systems:integration_add": [write(SYSTEM_CHANGERS, kwargs={"pk": "system"})],
    "systems:integration_remove": [
        post_only(SYSTEM_CHANGERS, kwargs={"pk": "system", "integration_pk": "integration"})
    ],
    # Granting system roles is role administration: the unit's managers, not the system manager.
    "systems:role_add": [write(MANAGERS, kwargs={"pk": "system"})],
    "systems:role_remove": [post_only(MANAGERS, kwargs={"pk": "system", "role_pk": "system_role"})],
    "systems:review_list": [read(EVERYONE)],
    "systems:review_create": [write(SYSTEM_CHANGERS, kwargs={"pk": "system"})],
    "systems:review_detail": [read(SECRET_READERS | {SYSMGR}, kwargs={"pk": "review"})],
    "systems:review_upload": [write(SYSTEM_CHANGERS, kwargs={"pk": "review"})],
    "systems:review_mapping": [write(SYSTEM_CHANGERS, kwargs={"pk": "review"})],
    "systems:item_decide": [
        post_only(SYSTEM_CHANGERS, kwargs={"pk": "review", "item_pk": "review_item"}),
        post_only(SYSTEM_CHANGERS, kwargs={"pk": "review", "item_pk": "review_item"}, htmx=True),
    ],
    "systems:review_bulk_decide": [post_only(SYSTEM_CHANGERS, kwargs={"pk": "review"})],
    "systems:review_complete": [write(SYSTEM_CHANGERS, kwargs={"pk": "review"})],
    "systems:review_report": [read(SECRET_READERS | {SYSMGR}, kwargs={"pk": "review"})],
    "systems:review_report_csv": [read(SECRET_READERS | {SYSMGR}, kwargs={"pk": "review"})],
    # --- reports -----------------------------------------------------------------------------
    "reports:report_list": [read(EVERYONE)],
    "reports:board_reports": [read(EVERYONE)],
    "reports:report_create": [write(CREATORS)],
    "reports:report_preview": [read(CREATORS)],
    "reports:report_detail": [
        read(SN_READERS, kwargs={"pk": "report"}),
        read(SN_READERS, kwargs={"pk": "report"}, htmx=True, label="progress"),
        read(SECRET_READERS, kwargs={"pk": "internal_report"}, label="internal version"),
        read(SECRET_READERS, kwargs={"pk": "bun_report"}, label="another unit's"),
    ],
    "reports:report_download": [
        read(SN_READERS, kwargs={"pk": "report"}),
        read(SECRET_READERS, kwargs={"pk": "internal_report"}, label="internal version"),
    ],
    "reports:report_regenerate": [post_only(MANAGERS, kwargs={"pk": "report"})],
    "reports:report_retry": [post_only(MANAGERS, kwargs={"pk": "report"})],
    "reports:report_mark_sent": [write(MANAGERS, kwargs={"pk": "report"})],
    "reports:report_unmark_sent": [post_only(MANAGERS, kwargs={"pk": "report"})],
    # --- notifications -----------------------------------------------------------------------
    "notifications:list": [read(EVERYONE)],
    "notifications:open": [read({COORD}, kwargs={"pk": "notification"})],
    "notifications:mark_read": [
        post_only({COORD}, kwargs={"pk": "notification"}),
        post_only({COORD}, kwargs={"pk": "notification"}, htmx=True),
    ],
    "notifications:mark_all_read": [post_only(EVERYONE)],
    "notifications:preferences": [write(EVERYONE)],
    # --- security ----------------------------------------------------------------------------
    "security:event_list": [read({ADMIN, OUTSIDER}), read({ADMIN, OUTSIDER}, query="q=gissning")],
    "security:event_export": [read({ADMIN, OUTSIDER})],
    "security:lockout_list": [read({ADMIN, OUTSIDER})],
    "security:lockout_unlock": [post_only({ADMIN, OUTSIDER})],
    "security:password_change": [write(EVERYONE)],
    "security:end_all_sessions": [post_only(EVERYONE)],
    "security:otp_setup": [write(EVERYONE)],
    "security:otp_verify": [write(EVERYONE)],
    "security:recovery_codes": [write(EVERYONE)],
}


# --- the URL walk ------------------------------------------------------------------------------


def url_names(patterns, namespace: str | None = None):
    """Every named URL pattern, namespaced; the admin site is left to Django."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            nested = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from url_names(pattern.url_patterns, nested)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else str(pattern.name)


def unruled(patterns) -> tuple[set[str], set[str]]:
    """(URL names without a rule, rules without a URL)."""
    names = set(url_names(patterns))
    return names - set(RULES) - PUBLIC, set(RULES) - names


def test_every_url_has_an_access_rule():
    missing, stale = unruled(get_resolver().url_patterns)
    assert not missing, (
        f"URLs without an access rule in tests/security/test_access_matrix.py: {sorted(missing)}"
    )
    assert not stale, f"access rules for URLs that no longer exist: {sorted(stale)}"


def test_a_new_url_without_a_rule_is_caught():
    from django.urls import path

    patterns = [*get_resolver().url_patterns, path("ny-sida/", lambda r: None, name="new_page")]
    assert unruled(patterns)[0] == {"new_page"}


# --- the world, once for the module ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_and_isolated():
    """Replaces the suite's per-test settings: this module's files live in the module's storage."""


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    uploads = tmp_path_factory.mktemp("matrix-uploads")
    with (
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            STORAGES={
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(uploads)},
                },
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
            OTP_REQUIRED_ROLES=[],
            OTP_REQUIRED_FOR_STAFF=False,
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = matrix_world.build()
        clients = {"anonymous": Client()}
        for name, user in built.users.items():
            clients[name] = Client()
            clients[name].force_login(user)
        built.clients = clients
        yield built
        transaction.set_rollback(True)


def fingerprint() -> dict[str, int]:
    """Row counts of every history table: any write to a domain model adds a row to one."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    }


def body_text(response) -> str:
    """What a person could read in the response: HTML, CSV and the cells of a workbook."""
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return "\n".join(
                    archive.read(name).decode("utf-8", "replace")
                    for name in archive.namelist()
                    if name.endswith(".xml")
                )
        except zipfile.BadZipFile:
            pass
    return content.decode("utf-8", "replace")


def url_of(world, name: str, case: Case) -> str:
    kwargs = {
        key: value.value if isinstance(value, Lit) else world.objects[value].pk
        for key, value in case.kwargs.items()
    }
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{case.query}" if case.query else url


CASES = [
    pytest.param(name, case, id=f"{name}-{case.label or i}{'-htmx' if case.htmx else ''}")
    for name, cases in RULES.items()
    for i, case in enumerate(cases)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "case"), CASES)
def test_access_matrix(matrix, name, case):
    world = matrix
    url = url_of(world, name, case)
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    problems: list[str] = []

    def check(user: str, method: str, response, allowed: bool) -> None:
        status = response.status_code
        where = f"{method} {url} as {user}: {status}"
        if user == "anonymous":
            if status != 302 or urlsplit(response["Location"]).path != reverse("login"):
                problems.append(f"{where}, expected a redirect to the login page")
        elif status >= 500:
            problems.append(f"{where}, a server error")
        elif allowed and status in (403, 404):
            problems.append(f"{where}, but the rule lets {user} in")
        elif not allowed and status not in (403, 404, 405):
            problems.append(f"{where}, but the rule keeps {user} out")
        elif not allowed and user == OUTSIDER and case.kwargs and status == 403:
            problems.append(f"{where}, another municipality's object must be 404")
        text = body_text(response)
        leaked = sorted(m for m in ALL_MARKERS - READS[user] if m in text)
        if leaked:
            problems.append(f"{method} {url} as {user} shows what they may not read: {leaked}")

    for user, client in world.clients.items():
        response = client.get(url, **headers)
        if case.get is None:
            if user != "anonymous" and response.status_code != 405:
                problems.append(f"GET {url} as {user}: {response.status_code}, expected 405")
        else:
            check(user, "GET", response, user in case.get)

    if case.post is not None:
        for user, client in world.clients.items():
            if user in case.post:
                continue
            before = fingerprint()
            response = client.post(url, {}, **headers)
            check(user, "POST", response, allowed=False)
            after = fingerprint()
            if after != before:
                changed = sorted(k for k in after if after[k] != before.get(k))
                problems.append(f"POST {url} as {user} was refused but changed {changed}")

    assert not problems, "\n".join(problems)
