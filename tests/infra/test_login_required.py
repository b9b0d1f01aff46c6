"""Only a few URLs are public; every other one sends an anonymous visitor to the login page.

The walk covers every URL pattern in the project, so a view added later is checked here
without anyone writing a test for it. A view that really must be public is marked
``@login_not_required`` and added to ``PUBLIC`` below, with its reason.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

PUBLIC = {
    "healthz": "liveness probe for docker-compose and load balancers",
    "login": "the login form itself",
    "logout": "Django's LogoutView (POST only); logging out needs no login",
}
DUMMY_BY_CONVERTER = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": str(uuid.uuid4())}
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin site has its own login; see test_the_admin_requires_login
            nested = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), nested)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            route = prefix + str(pattern.pattern)
            if not isinstance(pattern.pattern, RoutePattern):
                yield name, f"re_path:{route}"  # fails in the test below, with a message
                continue
            url = "/" + _PARAMETER.sub(
                lambda m: DUMMY_BY_CONVERTER.get(m.group("converter") or "str", "x"), route
            )
            yield name, url


ALL_URLS = sorted(set(_walk(get_resolver().url_patterns)), key=lambda item: item[1])
PRIVATE_URLS = [(name, url) for name, url in ALL_URLS if name not in PUBLIC]


def test_the_walk_finds_the_project_urls():
    names = {name for name, _ in ALL_URLS}
    assert {"home", "healthz", "login", "logout"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), PRIVATE_URLS, ids=[url for _, url in PRIVATE_URLS])
def test_anonymous_visitors_are_sent_to_the_login_page(client, name, url):
    assert not url.startswith("re_path:"), f"{name}: use path(), not re_path(), or extend the walk"
    response = client.get(url)
    assert response.status_code == 302, f"{name} ({url}) answered {response.status_code}"
    location = urlsplit(response["Location"])
    assert resolve(location.path).url_name == "login", f"{name} redirected to {location.path}"
    assert parse_qs(location.query)["next"] == [url]


@pytest.mark.django_db
def test_anonymous_start_page_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/logga-in/?next=/"


@pytest.mark.django_db
def test_healthz_is_public_and_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_the_login_page_is_public(client):
    response = client.get("/logga-in/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.django_db
def test_the_admin_requires_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/admin/login/"
