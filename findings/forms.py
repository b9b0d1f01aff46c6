"""Forms of the findings register. They collect and check input; the services write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import EvidenceFileField
from findings.deadlines import FORMAT_HELP, parse_deadline
from findings.models import Action, Finding, format_deadline
from organisation import policy
from organisation.models import User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DeadlineField(forms.CharField):
    """A deadline as people write it ("Q1 2019", "mars 2019", "2019", "2019-03-31").

    Cleans to ``(date, precision)`` or ``None`` when left empty (and not required).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Klart senast"))
        kwargs.setdefault("help_text", FORMAT_HELP)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> tuple[datetime.date, str] | None:
        text = super().to_python(value)
        if not text:
            return None
        return parse_deadline(text)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, tuple):
            return format_deadline(*value)
        return value


CHOICE_GROUP_TEMPLATE = "findings/field_choices.html"


def swedish_form(form: forms.BaseForm) -> None:
    """Selects say "Välj …" instead of "---------"; checkbox groups get a fieldset and legend."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            field.template_name = CHOICE_GROUP_TEMPLATE
        elif isinstance(field, forms.ModelChoiceField) and not isinstance(
            field, forms.ModelMultipleChoiceField
        ):
            field.empty_label = _("Välj …")
        elif isinstance(field, forms.ChoiceField):
            field.choices = [
                ("", _("Välj …")) if value == "" else (value, label)
                for value, label in field.choices
            ]


def user_choices(user: User):
    return policy.users(user).filter(is_active=True).order_by("last_name", "first_name")


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = [
            "unit",
            "reference",
            "title",
            "description",
            "source",
            "severity",
            "is_secret",
            "identified_date",
            "systems",
            "audit",
        ]
        widgets = {
            "identified_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "systems": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = policy.units_for_creating(user).order_by("path")
        self.fields["systems"].queryset = policy.systems(user).order_by("name")
        self.fields["audit"].queryset = policy.audits(user).order_by("-report_date")
        self.fields["audit"].required = False
        swedish_form(self)

    def clean_identified_date(self) -> datetime.date:
        day = self.cleaned_data["identified_date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
        return day


class ActionForm(forms.ModelForm):
    deadline_text = DeadlineField(required=False)

    class Meta:
        model = Action
        fields = ["unit", "title", "description", "owner", "owner_description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "owner_description": _("Om ingen person är utsedd: en funktion, t.ex. ”IT-chef”."),
        }

    field_order = ["unit", "title", "description", "owner", "owner_description", "deadline_text"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = policy.units_for_creating(user).order_by("path")
        self.fields["owner"].queryset = user_choices(user)
        if self.instance.pk and self.instance.deadline:
            self.initial.setdefault(
                "deadline_text",
                format_deadline(self.instance.deadline, self.instance.deadline_precision),
            )
        swedish_form(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("owner") and not (data.get("owner_description") or "").strip():
            self.add_error("owner", _("Ange en ansvarig person eller funktion."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        deadline = data.pop("deadline_text")
        data["deadline"], data["deadline_precision"] = deadline or (None, "day")
        return data


class ActionSpecForm(forms.Form):
    """The fields of a new action inside another form (a board response's answer)."""

    action_title = forms.CharField(label=_("Åtgärd"), max_length=255, required=False)
    action_owner = forms.ModelChoiceField(
        label=_("Ansvarig"), queryset=User.objects.none(), required=False
    )
    action_owner_description = forms.CharField(
        label=_("Ansvarig (funktion)"),
        max_length=160,
        required=False,
        help_text=_("Om ingen person är utsedd: en funktion, t.ex. ”Systemförvaltare”."),
    )
    action_deadline = DeadlineField(required=False)

    #: The action service's field names → this form's (for its errors, see add_service_errors).
    service_fields = {
        "title": "action_title",
        "owner": "action_owner",
        "owner_description": "action_owner_description",
        "deadline": "action_deadline",
    }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_owner"].queryset = user_choices(user)
        swedish_form(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        title = (data.get("action_title") or "").strip()
        has_owner = data.get("action_owner") or (data.get("action_owner_description") or "").strip()
        if title and not has_owner:
            self.add_error("action_owner", _("Ange en ansvarig person eller funktion."))
        if not title and (has_owner or data.get("action_deadline")):
            self.add_error("action_title", _("Beskriv åtgärden."))
        return data

    def action_spec(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not (data.get("action_title") or "").strip():
            return None
        deadline, precision = data.get("action_deadline") or (None, "day")
        return {
            "title": data["action_title"].strip(),
            "owner": data.get("action_owner"),
            "owner_description": (data.get("action_owner_description") or "").strip(),
            "deadline": deadline,
            "deadline_precision": precision,
        }


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Vad kontrollerades?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("T.ex. ”Ny sårbarhetsskanning 2018-03-01 utan anmärkning”."),
    )
    evidence = EvidenceFileField(
        label=_("Underlag"),
        required=False,
    )


class AcceptRiskForm(forms.Form):
    motivation = forms.CharField(
        label=_("Motivering"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Varför accepteras risken, och till när?"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Skäl"), widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Kommentar"), widget=forms.Textarea(attrs={"rows": 2}))


class StartForm(forms.Form):
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgressForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput(), initial=timezone.localdate)
    comment = forms.CharField(label=_("Kommentar"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = EvidenceFileField(label=_("Underlag"), required=False)

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
        return day


class CompleteForm(ProgressForm):
    comment = forms.CharField(label=_("Vad har gjorts?"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = EvidenceFileField(
        label=_("Underlag"),
        required=False,
    )


class CarryOverForm(forms.Form):
    deadline = DeadlineField(label=_("Ny tidpunkt för klart senast"))
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MyActionForm(forms.Form):
    """The action owner's in-place update on "Mina åtgärder": new status and/or progress."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Action.Status.NOT_STARTED, Action.Status.NOT_STARTED.label),
            (Action.Status.IN_PROGRESS, Action.Status.IN_PROGRESS.label),
            (Action.Status.DONE, Action.Status.DONE.label),
        ],
    )
    comment = forms.CharField(
        label=_("Lägesrapport"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Vad har hänt? Krävs när åtgärden markeras som genomförd."),
    )
    evidence = EvidenceFileField(label=_("Underlag"), required=False)

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"a{action.pk}")
        kwargs.setdefault("initial", {"status": action.status})
        super().__init__(*args, **kwargs)
        self.action = action

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        status, comment = data.get("status"), (data.get("comment") or "").strip()
        if status is None:
            return data
        if status == self.action.status and not comment and not data.get("evidence"):
            raise forms.ValidationError(_("Välj en ny status eller skriv en lägesrapport."))
        if status == Action.Status.DONE and not comment:
            self.add_error("comment", _("Beskriv vad som har gjorts."))
        if status == Action.Status.NOT_STARTED and self.action.status != status:
            self.add_error(
                "status",
                _("En påbörjad åtgärd kan inte sättas tillbaka till ”Ej påbörjad”."),
            )
        if status == self.action.status and data.get("evidence") and not comment:
            self.add_error("comment", _("Skriv vad underlaget visar."))
        return data
