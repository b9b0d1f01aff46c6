import pytest


@pytest.fixture(autouse=True)
def _placeholder_urls_of_unmerged_apps(settings):
    """Pages extend base.html, whose menu names other apps' URLs (see tests/stub_urls.py)."""
    settings.ROOT_URLCONF = "tests.stub_urls"
