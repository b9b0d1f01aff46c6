"""Settings of the real Celery workers started by ``test_worker.py``.

The site's settings, with the test database (DATABASE_URL, given by the test), the e-mails
written as files to a directory the test reads (the locmem outbox does not cross processes), and
the placeholder pages of ``tests/notifications/urls.py`` for apps not yet on this branch, and
a queue of the test's own.
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.notifications.urls"
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["UPPSIKT_TEST_OUTBOX"]
SITE_URL = "https://uppsikt.test"
# The test's own queue: the tasks these workers queue (dispatch, send) stay with them.
CELERY_TASK_DEFAULT_QUEUE = os.environ["UPPSIKT_TEST_QUEUE"]
