from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from security.models import SecurityEvent


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form, with the password rules as plain text (our field template puts help
    text in a paragraph, where Django's HTML list does not belong)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Kod"),
        max_length=20,
        help_text=_("Sex siffror från autentiseringsappen."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("Skriv koden.")},
    )


class VerifyForm(TokenForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].label = _("Kod från appen eller en reservkod")
        self.fields["token"].help_text = _(
            "Sex siffror från autentiseringsappen. Har du inte telefonen till hands går det "
            "att använda en av dina reservkoder (åtta tecken); varje reservkod fungerar en gång."
        )
        self.fields["token"].widget.attrs["inputmode"] = "text"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class EventFilterForm(forms.Form):
    """The filters of the security log; the same filters choose what the CSV export holds."""

    kind = forms.ChoiceField(
        label=_("Händelse"),
        required=False,
        choices=[("", _("Alla händelser")), *SecurityEvent.Kind.choices],
    )
    user = forms.CharField(label=_("Användarnamn"), required=False, max_length=150)
    ip = forms.GenericIPAddressField(
        label=_("IP-adress"),
        required=False,
        error_messages={"invalid": _("Skriv en hel IP-adress, till exempel 192.0.2.10.")},
    )
    date_from = forms.DateField(
        label=_("Från och med"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )
    date_to = forms.DateField(
        label=_("Till och med"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Slutdatumet är före startdatumet."))
        return data

    def filter(self, qs: QuerySet[SecurityEvent]) -> QuerySet[SecurityEvent]:
        """Apply the filters; an invalid form shows no rows, only its errors."""
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["user"]:
            qs = qs.filter(username=data["user"].strip())
        if data["ip"]:
            qs = qs.filter(ip=data["ip"])
        if data["date_from"]:
            qs = qs.filter(created_at__gte=_start_of(data["date_from"]))
        if data["date_to"]:
            qs = qs.filter(created_at__lt=_start_of(data["date_to"] + datetime.timedelta(days=1)))
        return qs


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
