#!/bin/sh
# Entry point of the application image. Checks that the settings load (a missing SECRET_KEY or
# a malformed variable stops the container with Django's own message), then runs the command.
set -eu
cd "$(dirname "$0")/.."
python -c "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup()"
exec "$@"
