"""A system manager runs an access review in a real browser: uploads the account export and
the payroll roster, maps the columns, decides on the flagged accounts, completes the review
and sees the new finding. Playwright drives Debian's chromium against ``live_server``."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from findings.models import Finding
from systems.models import AccessReview
from tests import factories as f
from tests.factories import TEST_PASSWORD
from tests.systems.conftest import pnr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write_files(tmp_path):
    today = datetime.date.today()
    recent = (today - datetime.timedelta(days=3)).isoformat()
    anna, bo, gunilla = pnr("19800101", "123"), pnr("19620705", "719"), pnr("19580214", "848")
    roster = "\r\n".join(
        [
            "Personnummer;Namn;Slutdatum;Enhet",
            f"{anna[2:8]}-{anna[8:]};Anna Andersson;;Plan och bygg",
            f"{bo};Bo Svensson;;Kultur och teknik",
            f"{gunilla};Gunilla Holmberg;{(today - datetime.timedelta(days=30)).isoformat()};Plan och bygg",
        ]
    )
    accounts = "\r\n".join(
        [
            "Användare;Fullständigt namn;Pnr;Inloggad senast;Behörighet;Organisation",
            f"aandersson;Anna Andersson;{anna};{recent};Redigerare;Plan och bygg",
            f"bsvensson;Bo Svensson;{bo[2:8]}-{bo[8:]};{recent};Läsare;Kultur och teknik",
            f"gholmberg;Gunilla Holmberg;{gunilla};{recent};Redigerare;Plan och bygg",
            f"rtj.jlindberg;Jonas Lindberg;{pnr('19800101', '913')};{recent};Läsare;Räddningstjänsten",
            f"rtj.mnyberg;Malin Nyberg;{pnr('19871224', '626')};{recent};Läsare;Räddningstjänsten",
            f"rtj.pforsberg;Peter Forsberg;{pnr('19750630', '177')};{recent};Redigerare;Räddningstjänsten",
            f"gistest1;Testanvändare 1;;{recent};Redigerare;",
            f"gistest2;Testanvändare 2;;{recent};Administratör;",
        ]
    )
    accounts_path = tmp_path / "geosecma-konton.csv"
    roster_path = tmp_path / "heroma.csv"
    accounts_path.write_bytes(accounts.encode("cp1252"))
    roster_path.write_bytes(("\ufeff" + roster).encode("utf-8"))
    return accounts_path, roster_path


def test_a_system_manager_reviews_the_map_system(
    live_server, page: Page, tmp_path, world, system, manager
):
    manager.set_password(TEST_PASSWORD)
    manager.save()
    point = f.ControlPointFactory(
        plan__unit=world.sn, is_access_review=True, title="Behörigheter i kartsystemet"
    )
    point.systems.add(system)
    f.ControlOccurrenceFactory(control_point=point)
    accounts_path, roster_path = write_files(tmp_path)
    page.set_default_timeout(20_000)
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/logga-in/")
    page.get_by_label("Användarnamn").fill(manager.username)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    page.goto(f"{live_server.url}{system.get_absolute_url()}")
    page.get_by_role("link", name="Ny behörighetsgranskning").click()
    page.get_by_role("button", name="Starta granskningen").click()

    # Step 1: both files.
    expect(page.get_by_role("heading", level=1)).to_contain_text("ladda upp filer")
    page.get_by_label("Kontoexport från systemet").set_input_files(str(accounts_path))
    page.get_by_label("Personalförteckning från lönesystemet").set_input_files(str(roster_path))
    page.get_by_role("button", name="Ladda upp och förhandsgranska").click()

    # Step 2: the columns, with the personnummer masked in the preview.
    expect(page.get_by_role("heading", level=1)).to_contain_text("mappa kolumner")
    expect(page.get_by_text("19800101-****").first).to_be_visible()
    accounts = page.get_by_role("region", name=re.compile("Kontoexport"))
    accounts.get_by_label("Konto (användarnamn)").select_option("Användare")
    accounts.get_by_label("Personnummer").select_option("Pnr")
    accounts.get_by_label("Senaste inloggning").select_option("Inloggad senast")
    accounts.get_by_label("Enhet").select_option("Organisation")
    page.get_by_role("button", name="Matcha och flagga konton").click()

    # Step 3: the flags: three from Räddningstjänsten, two test users, one leaver.
    expect(page.get_by_text("konton matchades mot 3 personer")).to_be_visible()
    table = page.locator("table.items")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(table.get_by_text("Annan organisation")).to_have_count(3)
    expect(table.get_by_text("Test- eller tjänstekonto")).to_have_count(2)
    expect(table.get_by_text("Slutat", exact=True)).to_have_count(1)

    # Bulk: remove everything flagged; then keep one account, with its reason, in place (htmx).
    page.get_by_label("Markera alla konton på sidan").check()
    page.get_by_role("group", name="Beslut för markerade konton").get_by_label(
        "Beslut"
    ).select_option("remove")
    page.get_by_role("button", name="Spara för markerade").click()
    expect(page.get_by_text("Beslutet är sparat för 6 konton.")).to_be_visible()
    row = page.locator("tr", has_text="rtj.jlindberg")
    row.get_by_label("Beslut för rtj.jlindberg").select_option("keep")
    row.get_by_role("button", name=re.compile("Spara")).click()  # no reason yet
    expect(page.locator("tr", has_text="rtj.jlindberg").get_by_role("alert")).to_contain_text(
        "Ange en motivering"
    )
    row = page.locator("tr", has_text="rtj.jlindberg")
    row.get_by_label("Motivering för rtj.jlindberg").fill(
        "Insatskartan enligt avtal med förbundet."
    )
    row.get_by_role("button", name=re.compile("Spara")).click()
    expect(page.locator("tr", has_text="rtj.jlindberg").get_by_text("Beslutat av")).to_be_visible()

    page.get_by_role("button", name="Slutför granskningen").click()

    # The report, and the new finding on the system's page.
    expect(
        page.get_by_text("Granskningen är slutförd. En avvikelse med 1 åtgärd är registrerad.")
    ).to_be_visible()
    review = AccessReview.objects.get(system=system)
    finding = Finding.objects.get(access_review=review)
    assert "5 konton ska tas bort" in finding.title
    expect(page.get_by_role("heading", name=finding.title)).to_be_visible()
    page.goto(f"{live_server.url}{system.get_absolute_url()}")
    expect(page.get_by_role("link", name=finding.title)).to_be_visible()
