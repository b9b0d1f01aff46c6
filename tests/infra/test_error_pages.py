"""Error pages are Swedish pages of the site, not Django's bare English ones."""

import pytest
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_not_found_is_a_swedish_page_with_the_menu(client_for, controller):
    response = client_for(controller).get("/finns-inte/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'lang="sv"' in html
    assert "Sidan finns inte" in html and "Not Found" not in html
    assert 'aria-label="Huvudmeny"' in html


def test_forbidden_is_a_swedish_page(client_for, controller, world):
    # Creating a plan needs a managing role; a controller may look but not do.
    response = client_for(controller).get("/internkontroll/planer/ny/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Åtkomst nekad" in html and "Forbidden" not in html


def test_a_failed_csrf_check_explains_itself_in_swedish(client, controller):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(controller)
    response = strict.post("/notiser/alla-lasta/")
    assert response.status_code == 403
    assert "Formuläret kunde inte skickas" in response.content.decode()


def test_server_error_page_needs_no_context():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert 'lang="sv"' in html and "Ett fel har uppstått" in html
