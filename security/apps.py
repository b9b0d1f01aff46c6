from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Säkerhet")

    def ready(self) -> None:
        from security import checks, signals  # noqa: F401  (registers checks and receivers)

        signals.connect()
