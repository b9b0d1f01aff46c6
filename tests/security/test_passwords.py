"""Issue 8, point 2: no guessable passwords ("Sommar2017"), no municipality names, min 12."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from organisation.models import Municipality, User
from security.models import SecurityEvent
from security.validators import (
    MunicipalityNamePasswordValidator,
    SeasonYearPasswordValidator,
    municipality_words,
)
from tests import factories as f
from tests.factories import TEST_PASSWORD

URL = reverse("security:password_change")


@pytest.mark.parametrize(
    "password",
    [
        "Sommar2017",
        "sommar-2017",
        "Vinter2024!",
        "Januari2025",
        "hosten2019",
        "Hösten2019",
        "HÖSTEN 2019",
        "Våren2023!!",
        "!!Sommaren2017!!",
        "Summer2024!",
        "October2023",
        "Kaffe-Sommar2017-kopp",
        "2024Vinter",
        "mars-24",
        "Februari",
        "December!!!!!!",
        "Sommar123456789",
    ],
)
def test_season_or_month_with_a_year_is_refused(password):
    with pytest.raises(ValidationError) as excinfo:
        SeasonYearPasswordValidator().validate(password)
    assert excinfo.value.error_list[0].code == "password_season_year"
    assert "årstid eller månad" in excinfo.value.messages[0]


@pytest.mark.parametrize(
    "password",
    [
        "korrekt-hast-batteri-42",
        "Bolivar2019-resa-x",  # "var" inside a word is no season
        "sommarstuga-vid-sjon",  # a season without a year, in a longer phrase
        "Waterfall2019-blue-kite",
        "mayonnaise-och-senap",
    ],
)
def test_ordinary_passwords_pass_the_season_rule(password):
    SeasonYearPasswordValidator().validate(password)


@pytest.mark.parametrize(
    ("name", "slug", "expected"),
    [
        ("Mjölby kommun", "mjolby", {"mjolby"}),
        ("Åsby kommun", "asby", {"asby"}),
        ("Upplands Väsby kommun", "upplands-vasby", {"upplands", "vasby", "upplandsvasby"}),
    ],
)
def test_municipality_words(name, slug, expected):
    assert municipality_words(name, slug) == expected


@pytest.mark.parametrize(
    "password",
    ["Mjolby2024!!xyz", "mjölby-är-bäst", "IloveMjölby99", "MJOLBY-kommun-1", "x-mjolby-y-z-1"],
)
def test_municipality_name_is_refused(db, password):
    user = User(username="u", municipality=Municipality(name="Mjölby kommun", slug="mjolby"))
    with pytest.raises(ValidationError) as excinfo:
        MunicipalityNamePasswordValidator().validate(password, user)
    assert "kommunens namn" in excinfo.value.messages[0]


@pytest.mark.parametrize("password", ["Basbyggnad-2024-x", "korrekt-hast-batteri-42"])
def test_name_inside_another_word_passes(db, password):
    user = User(username="u", municipality=Municipality(name="Åsby kommun", slug="asby"))
    MunicipalityNamePasswordValidator().validate(password, user)


def test_all_validators_are_installed(db):
    user = User(username="ulla", municipality=Municipality(name="Mjölby kommun", slug="mjolby"))
    cases = {
        "kort-Lösen1": "minst 12 tecken",
        "Sommar2017!!": "årstid eller månad",
        "Mjolby-2000-xyzzy": "kommunens namn",
        "123456789012": "enbart numeriskt",
        "password1234": "för vanligt",
    }
    for password, text in cases.items():
        with pytest.raises(ValidationError) as excinfo:
            validate_password(password, user)
        assert any(text in message for message in excinfo.value.messages), (
            password,
            excinfo.value.messages,
        )
    validate_password("korrekt-hast-batteri-42", user)


# --- the password change page -----------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).url.startswith(reverse("login"))


@pytest.mark.django_db
def test_page_shows_the_rules_in_swedish(client_for, controller):
    response = client_for(controller).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Byt lösenord" in body
    assert "minst 12 tecken" in body
    assert "Sommar2017" in body
    assert 'autocomplete="current-password"' in body


@pytest.mark.django_db
def test_guessable_password_is_refused_and_nothing_changes(client_for, controller):
    client = client_for(controller)
    response = client.post(
        URL,
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Vinter2024!!",
            "new_password2": "Vinter2024!!",
        },
    )
    assert response.status_code == 200
    assert "årstid eller månad" in response.content.decode()
    controller.refresh_from_db()
    assert controller.check_password(TEST_PASSWORD)
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_CHANGED).exists()


@pytest.mark.django_db
def test_change_keeps_this_session_and_ends_the_others(client_for, controller, django_user_model):
    from django.test import Client

    other = Client()
    other.force_login(controller)
    assert other.get(reverse("organisation:my_account")).status_code == 200

    client = client_for(controller)
    new = "ett-helt-nytt-lösenord-77"
    response = client.post(
        URL, {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert client.get(reverse("organisation:my_account")).status_code == 200
    # The other browser is signed out.
    assert other.get(reverse("organisation:my_account")).url.startswith(reverse("login"))
    controller.refresh_from_db()
    assert controller.check_password(new)
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PASSWORD_CHANGED)
    assert event.user == controller
    assert event.object_id == str(controller.pk)


@pytest.mark.django_db
def test_admin_setting_a_password_is_logged_with_the_actor(world):
    user = f.UserFactory(username="ny", municipality=world.municipality)
    user.set_password("ett-annat-lösenord-88")
    user.save()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PASSWORD_CHANGED)
    assert event.user is None  # no request: a command or the shell
    assert event.municipality == world.municipality


@pytest.mark.django_db
def test_hash_upgrade_on_login_is_not_a_password_change(post_login, controller, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert post_login(controller.username).status_code == 302
    controller.refresh_from_db()
    assert controller.password.startswith("pbkdf2_sha256$")  # upgraded on login
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_CHANGED).exists()
