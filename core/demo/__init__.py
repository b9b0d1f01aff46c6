"""The demo municipality: "Åsby kommun", fictional, built from the public records in the seeds.

Åsby is a composite. Its organisation, plans, audits and systems come from five public Swedish
municipal records (Timrå, Mjölby, Borås and an anonymous follow-up audit; see
``shared/seeds/README.md``): S004's internal-control plan 2017 and PwC's security review, S000's
IT controls 2019, S001's audit chain on IT security 2014 → 2016 → 2017, S002's action plan with
the boards' answers and S003's reply to Stadsrevisionen. Names of the people who sign in are
made up; names quoted from the records (a case officer, the signatories of a reply) are kept as
the records give them. A second, small municipality, "Norrby kommun", shows that the data of one
municipality never reaches the users of another.

``load()`` is idempotent: every row is found by a natural key and written only when it is missing
or differs from what the seeds say (see :mod:`core.demo.base`), so a second run on the same day
changes nothing. Rows of the current year are dated from the day of the run (see
:mod:`core.demo.controls` for how a later run treats them). Rows that users add are never touched.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

#: The one password of every demo user. Shown on the command line by ``load_demo``; never valid
#: outside demo mode (security checks look for it).
DEMO_PASSWORD = "Uppsikt-demo-42"  # noqa: S105

#: The users who sign in to the demo, in the order they are presented.
DEMO_USERNAMES = (
    "admin",
    "samordnare",
    "kontrollant",
    "atgardsagare",
    "ledamot",
    "revisor",
    "systemforvaltare",
    "kontrollant2",
)


@dataclass
class LoadResult:
    today: datetime.date
    created: int
    updated: int


def load(today: datetime.date | None = None) -> LoadResult:
    """Load (or bring up to date) Åsby and Norrby, dated from ``today`` (default: today)."""
    from core.demo import (
        action_plan,
        audits,
        controls,
        current_plan,
        live,
        norrby,
        organisation,
        reports,
        security_review,
        systems,
    )
    from core.demo.base import DemoContext, Stats

    today = today or timezone.localdate()
    stats = Stats()
    passwords = organisation.Passwords()
    with transaction.atomic():
        asby = DemoContext(today=today, stats=stats)
        organisation.load(asby, passwords)
        systems.load(asby)
        audits.load_it_security_chain(asby)
        controls.load_2017(asby)
        controls.load_2019(asby)
        security_review.load(asby)
        audits.load_city_audit_reply(asby)
        action_plan.load(asby)
        review_occurrence = current_plan.load(asby)
        systems.load_access_review(asby, review_occurrence)
        live.load(asby)

        norrby.load(DemoContext(today=today, stats=stats), passwords)
    # After the commit: the reports read committed data and render outside the transaction.
    reports.load(asby)
    return LoadResult(today=today, created=stats.created, updated=stats.updated)
