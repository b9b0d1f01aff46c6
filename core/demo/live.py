"""This year's findings and actions outside the plan, dated from today, so that the coordinator's
and the action owner's start pages show live work: overdue, due within days, under way, done and
waiting for verification. Includes a secret finding (an incident, OSL 18 kap. 8 §) that board
members must not see. Keys do not contain the year: a re-run moves these rows with today.
"""

from __future__ import annotations

from core.demo.base import DemoContext
from core.demo.records import AS, FS, action, finding, progress
from findings.models import Finding, Severity


def load(ctx: DemoContext) -> None:
    cit, ksf = ctx.units["CIT"], ctx.units["KSF"]
    owner, coordinator = ctx.users["atgardsagare"], ctx.users["samordnare"]

    phishing = finding(
        ctx, "INC 1",
        title="Nätfiske: två e-postkonton kapade",
        description="Två medarbetare lämnade sina inloggningsuppgifter på en falsk "
        "inloggningssida. Kontona användes för att skicka nätfiskemail internt under cirka tre "
        "timmar innan de spärrades. Inloggningar skedde från utländska IP-adresser; "
        "e-post utan tvåfaktorsautentisering från externa nät.",
        unit=cit, source=Finding.Source.INCIDENT, identified=ctx.days(-24),
        severity=Severity.HIGH, is_secret=True, status=FS.IN_PROGRESS,
    )  # fmt: skip
    action(
        ctx, "Återställa lösenord och granska inloggningsloggar för de kapade kontona",
        unit=cit, owner=owner, deadline=ctx.days(-20), status=AS.DONE,
        completed=ctx.days(-22), findings=[phishing],
    )  # fmt: skip
    mfa = action(
        ctx, "Införa tvåfaktorsautentisering för e-post från externa nätverk",
        unit=cit, owner=owner, deadline=ctx.days(-9), status=AS.IN_PROGRESS,
        findings=[phishing],
    )  # fmt: skip
    progress(ctx, mfa, ctx.days(-15), "Pilotgrupp på Centrala IT använder tvåfaktor.",
             author=owner, status_after=AS.IN_PROGRESS)  # fmt: skip
    action(
        ctx, "Nanoutbildning om nätfiske till alla medarbetare",
        unit=cit, owner=owner, deadline=ctx.days(12), status=AS.NOT_STARTED,
        findings=[phishing],
    )  # fmt: skip

    plans = finding(
        ctx, "IS 1",
        title="Systemförvaltningsplan saknas för LEX och Viva",
        description="Prioriterade system ska ha en systemförvaltningsplan med budget och årlig "
        "riskanalys.",
        unit=ksf, source=Finding.Source.OTHER, identified=ctx.days(-60),
        systems=[ctx.systems["LEX"], ctx.systems["Viva"]], status=FS.IN_PROGRESS,
    )  # fmt: skip
    lex = action(
        ctx, "Ta fram systemförvaltningsplan med budget för LEX",
        unit=ksf, owner=owner, deadline=ctx.days(60), status=AS.IN_PROGRESS, findings=[plans],
    )  # fmt: skip
    progress(ctx, lex, ctx.days(-30), "Mall från workshopen används; budgetunderlag begärt.",
             author=owner, status_after=AS.IN_PROGRESS)  # fmt: skip
    action(
        ctx, "Ta fram systemförvaltningsplan för Viva",
        unit=ctx.units["DS"], owner_description="Kundansvarig, Dataservice",
        deadline=ctx.days(-16), status=AS.NOT_STARTED, findings=[plans],
    )  # fmt: skip

    plan_b = finding(
        ctx, "IS 3",
        title="Plan B saknas för uppkoppling vid avbrott på prioriterade arbetsplatser",
        description="Vid årets uppföljning av åtgärdsplanen saknades dokumenterad plan B "
        "(t.ex. uppkoppling via mobilt nät) för äldreboenden och kommunhuset.",
        unit=cit, source=Finding.Source.OTHER, identified=ctx.days(-50),
        severity=Severity.MEDIUM, status=FS.OPEN,
    )  # fmt: skip
    action(
        ctx, "Dokumentera plan B: uppkoppling via mobilt nät för prioriterade arbetsplatser",
        unit=cit, owner=owner, deadline=ctx.days(-6), status=AS.NOT_STARTED,
        findings=[plan_b],
    )  # fmt: skip

    alarms = finding(
        ctx, "IS 2",
        title="Reservrutin saknades när larm från Teis uteblev",
        description="Vid ett avbrott i integrationen mot Procapita gick inget larm ut; "
        "systemförvaltaren upptäckte felet först nästa morgon.",
        unit=cit, source=Finding.Source.INCIDENT, identified=ctx.days(-40),
        systems=[ctx.systems["Teis"], ctx.systems["Procapita"]],
        severity=Severity.MEDIUM, status=FS.REMEDIED, closed_on=ctx.days(-5),
    )  # fmt: skip
    action(
        ctx, "Larm vid avbrott i integrationen Heroma–Procapita till systemförvaltarens jour",
        unit=cit, owner=ctx.users["systemforvaltare"], deadline=ctx.days(-3),
        status=AS.DONE, completed=ctx.days(-5), findings=[alarms],
    )  # fmt: skip
    progress(ctx, mfa, ctx.days(-2), "Leverantören har flyttat införandet; ny tidplan begärd.",
             author=coordinator)  # fmt: skip
