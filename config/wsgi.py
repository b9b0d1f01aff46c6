import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

if not settings.DEBUG:
    # gunicorn runs no system checks of its own: refuse to serve while one fails, e.g.
    # uppsikt.E001, a demo user with the published password outside demo mode.
    from security.checks import refuse_unsafe_start

    refuse_unsafe_start()
