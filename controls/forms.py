"""Forms of the controls app. Writes go through :mod:`controls.services`; forms only validate."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from controls.models import (
    MONTH_NAMES,
    ControlOccurrence,
    ControlPlan,
    ControlPoint,
    OccurrenceState,
    RiskLevel,
    RiskScale,
)
from controls.services import (
    INHERITED_FIELDS,
    POINT_FIELDS,
    ActionInput,
    DecisionInput,
    FindingInput,
    RevisionInput,
)
from controls.services.results import MAX_EVIDENCE_FILES, SEVERITY_FOR_OUTCOME
from core.files import DEFAULT_ALLOWED
from findings.models import Severity
from organisation import policy
from organisation.models import OrgUnit, User

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_CHOICES = [(i + 1, name.capitalize()) for i, name in enumerate(MONTH_NAMES)]
DECISION_ORGAN_KINDS = (
    OrgUnit.Kind.COUNCIL,
    OrgUnit.Kind.EXECUTIVE_BOARD,
    OrgUnit.Kind.COMMITTEE,
    OrgUnit.Kind.SUBCOMMITTEE,
    OrgUnit.Kind.COMPANY,
)


def _people(user: User) -> QuerySet[User]:
    return policy.users(user).filter(is_active=True).order_by("last_name", "first_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


# --------------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------------


class PlanCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("Rubrik"),
        max_length=200,
        required=False,
        help_text=_("Tomt: ”Internkontrollplan <år>, <enhet>”."),
    )
    risk_analysis = forms.CharField(
        label=_("Risk- och väsentlighetsanalys"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = policy.plan_units(user).order_by("path")
        self.fields["year"].initial = timezone.localdate().year + 1


class PlanEditForm(forms.ModelForm):
    class Meta:
        model = ControlPlan
        fields = ["title", "risk_analysis"]


class DecisionForm(forms.Form):
    """The decision behind a status change: organ, meeting date, § and Dnr."""

    organ = forms.ModelChoiceField(label=_("Beslutande organ"), queryset=OrgUnit.objects.none())
    meeting_date = forms.DateField(label=_("Sammanträdesdatum"), widget=DATE_WIDGET)
    paragraph = forms.CharField(label=_("Paragraf (§)"), max_length=20, required=False)
    dnr = forms.CharField(label=_("Diarienummer (Dnr)"), max_length=60, required=False)

    def __init__(self, *args: Any, user: User, plan: ControlPlan, **kwargs: Any):
        super().__init__(*args, **kwargs)
        organs = policy.units(user).filter(is_active=True, kind__in=DECISION_ORGAN_KINDS)
        self.fields["organ"].queryset = organs.order_by("path")
        default = plan.unit if plan.unit.kind in DECISION_ORGAN_KINDS else plan.unit.serves
        if default is not None:
            self.fields["organ"].initial = default.pk

    def clean_meeting_date(self) -> datetime.date:
        day = self.cleaned_data["meeting_date"]
        if day > timezone.localdate():
            raise ValidationError(_("Sammanträdet kan inte ligga i framtiden."))
        return day

    def decision(self) -> DecisionInput:
        data = self.cleaned_data
        return DecisionInput(
            organ=data["organ"],
            meeting_date=data["meeting_date"],
            paragraph=data.get("paragraph", ""),
            dnr=data.get("dnr", ""),
        )


class FinalReportForm(DecisionForm):
    overall_assessment = forms.CharField(
        label=_("Samlad bedömning"),
        widget=forms.Textarea,
        required=True,
        help_text=_("En mening eller ett stycke om hur den interna kontrollen har fungerat."),
    )


class RevisionForm(forms.Form):
    """Why an adopted plan changes; the decision is optional (e.g. a delegation decision)."""

    reason = forms.CharField(
        label=_("Skäl till ändringen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Planen är fastställd. Ändringen sparas som en revision med detta skäl."),
        error_messages={"required": _("Ange skälet till ändringen av den fastställda planen.")},
    )
    organ = forms.ModelChoiceField(
        label=_("Beslutande organ (valfritt)"), queryset=OrgUnit.objects.none(), required=False
    )
    meeting_date = forms.DateField(
        label=_("Beslutsdatum (valfritt)"), widget=DATE_WIDGET, required=False
    )
    paragraph = forms.CharField(label=_("Paragraf (§)"), max_length=20, required=False)
    dnr = forms.CharField(label=_("Diarienummer (Dnr)"), max_length=60, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        kwargs.setdefault("prefix", "revision")
        super().__init__(*args, **kwargs)
        organs = policy.units(user).filter(is_active=True, kind__in=DECISION_ORGAN_KINDS)
        self.fields["organ"].queryset = organs.order_by("path")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("organ")) != bool(data.get("meeting_date")):
            raise ValidationError(_("Ange både organ och datum för beslutet, eller inget av dem."))
        if data.get("meeting_date") and data["meeting_date"] > timezone.localdate():
            self.add_error("meeting_date", _("Beslutet kan inte ligga i framtiden."))
        return data

    def revision(self) -> RevisionInput:
        data = self.cleaned_data
        decision = None
        if data.get("organ") and data.get("meeting_date"):
            decision = DecisionInput(
                organ=data["organ"],
                meeting_date=data["meeting_date"],
                paragraph=data.get("paragraph", ""),
                dnr=data.get("dnr", ""),
            )
        return RevisionInput(reason=data["reason"], decision=decision)


# --------------------------------------------------------------------------------------------
# Control points
# --------------------------------------------------------------------------------------------


def level_choices(labels: list[str]) -> list[tuple[int, str]]:
    return [(i, f"{i} – {label}") for i, label in enumerate(labels, start=1)]


class ControlPointForm(forms.ModelForm):
    likelihood = forms.TypedChoiceField(label=_("Sannolikhet"), coerce=int)
    consequence = forms.TypedChoiceField(label=_("Konsekvens"), coerce=int)
    planned_months = forms.TypedMultipleChoiceField(
        label=_("Planerade månader"),
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Kontrollen ska vara klar sista dagen i månaden. Tomt: årligen i december, "
            "halvårsvis juni och december, kvartalsvis vid kvartalens slut."
        ),
    )
    owner = UserChoiceField(
        label=_("Kontrollansvarig"), queryset=User.objects.none(), required=False
    )

    class Meta:
        model = ControlPoint
        fields = [*POINT_FIELDS, "systems"]
        widgets = {
            "risk_description": forms.Textarea(attrs={"rows": 3}),
            "control_activity": forms.Textarea(attrs={"rows": 3}),
            "method": forms.Textarea(attrs={"rows": 3}),
            "systems": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "owner_description": _("Funktion, t.ex. ”Systemförvaltare per system”."),
            "scope": _(
                "Kommungemensamma kontrollpunkter i kommunstyrelsens plan kommer med i alla "
                "enheters planer samma år."
            ),
            "number": _("Tomt: nästa lediga nummer."),
        }

    def __init__(self, *args: Any, user: User, plan: ControlPlan, scale: RiskScale, **kwargs: Any):
        super().__init__(*args, **kwargs)
        from systems.models import System

        self.plan = plan
        self.fields["number"].required = False
        self.fields["likelihood"].choices = level_choices(list(scale.likelihood_labels))
        self.fields["consequence"].choices = level_choices(list(scale.consequence_labels))
        self.fields["owner"].queryset = _people(user)
        self.fields["systems"].queryset = System.objects.filter(
            municipality_id=plan.municipality_id, is_active=True
        ).order_by("name")
        self.fields["systems"].required = False
        self.fields["frequency"].help_text = _(
            "Schemat skapar årets kontrolltillfällen. Tillfällen som redan har resultat ändras "
            "aldrig."
        )
        if self.instance.pk and self.instance.inherited_from_id:
            for name in INHERITED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Bestäms av kommunstyrelsen.")

    def clean_number(self) -> int | None:
        number = self.cleaned_data.get("number")
        if number:
            clash = ControlPoint.objects.filter(plan=self.plan, number=number)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise ValidationError(_("Nummer %(n)s finns redan i planen.") % {"n": number})
        return number

    def validate_unique(self) -> None:
        """clean_number says it in Swedish; the service checks the rest."""

    def point_data(self) -> dict[str, Any]:
        """The cleaned values for the service; an empty number keeps (or picks) the number."""
        data = {name: self.cleaned_data.get(name) for name in POINT_FIELDS} | {
            "planned_months": sorted(self.cleaned_data.get("planned_months") or []),
            "owner_description": self.cleaned_data.get("owner_description") or "",
        }
        if not data["number"]:
            del data["number"]
        return data


class DeleteForm(forms.Form):
    """A confirmation; the revision form goes with it when the plan is adopted."""


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


ACTION_ROWS = 3


class ResultForm(forms.Form):
    performed_date = forms.DateField(
        label=_("Genomförd datum"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Ange när kontrollen genomfördes.")},
    )
    checked_what = forms.CharField(
        label=_("Vad som kontrollerats och hur"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    sample = forms.CharField(label=_("Urval"), max_length=255, required=False)
    outcome = forms.ChoiceField(
        label=_("Utfall"),
        choices=ControlOccurrence.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj utfall: utan anmärkning eller avvikelse.")},
    )
    comment = forms.CharField(
        label=_("Kommentar"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence = MultipleFileField(
        label=_("Underlag"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in sorted(DEFAULT_ALLOWED))}
        ),
    )
    # The deviation: a finding and its actions.
    finding_title = forms.CharField(label=_("Avvikelsens rubrik"), max_length=255, required=False)
    finding_description = forms.CharField(
        label=_("Beskrivning av avvikelsen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    severity = forms.ChoiceField(
        label=_("Allvarlighetsgrad"),
        choices=[("", _("Efter utfallet (mindre: medel, väsentlig: hög)")), *Severity.choices],
        required=False,
    )
    is_secret = forms.BooleanField(
        label=_("Sekretess (OSL 18 kap. 8 §): detaljer om säkerhetsbrister"), required=False
    )

    def __init__(self, *args: Any, user: User, occurrence: ControlOccurrence, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.occurrence = occurrence
        today = timezone.localdate()
        self.fields["performed_date"].widget = forms.DateInput(
            attrs={"type": "date", "max": today.isoformat()}, format="%Y-%m-%d"
        )
        self.fields["performed_date"].initial = today
        self.fields["sample"].initial = occurrence.control_point.sample
        self.fields["evidence"].help_text = _(
            "Högst %(n)s filer om högst %(mb)s MB var: PDF, bilder (PNG, JPEG, GIF), Word, Excel, "
            "PowerPoint, OpenDocument, CSV eller text."
        ) % {"n": MAX_EVIDENCE_FILES, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        self.fields["finding_title"].initial = _("Avvikelse: %(point)s, %(period)s") % {
            "point": occurrence.control_point.title,
            "period": occurrence.period_label or occurrence.due_date.isoformat(),
        }
        people = _people(user)
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"action{i}_title"] = forms.CharField(
                label=_("Åtgärd"), max_length=255, required=False
            )
            self.fields[f"action{i}_owner"] = UserChoiceField(
                label=_("Ansvarig"), queryset=people, required=False
            )
            self.fields[f"action{i}_deadline"] = forms.DateField(
                label=_("Klart senast"),
                required=False,
                widget=forms.DateInput(
                    attrs={"type": "date", "min": today.isoformat()}, format="%Y-%m-%d"
                ),
            )

    def action_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"action{i}_title"], self[f"action{i}_owner"], self[f"action{i}_deadline"]]
            for i in range(1, ACTION_ROWS + 1)
        ]

    @property
    def deviation_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("finding_title", "finding_description", "severity", "is_secret")]

    @property
    def result_fields(self) -> list[forms.BoundField]:
        return [
            self[n]
            for n in ("performed_date", "checked_what", "sample", "outcome", "comment", "evidence")
        ]

    def clean_performed_date(self) -> datetime.date:
        day = self.cleaned_data["performed_date"]
        if day > timezone.localdate():
            raise ValidationError(_("Datumet kan inte ligga i framtiden."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        actions = []
        today = timezone.localdate()
        for i in range(1, ACTION_ROWS + 1):
            title = (data.get(f"action{i}_title") or "").strip()
            owner = data.get(f"action{i}_owner")
            deadline = data.get(f"action{i}_deadline")
            if not (title or owner or deadline):
                continue
            if not title:
                self.add_error(f"action{i}_title", _("Beskriv åtgärden."))
            if not owner:
                self.add_error(f"action{i}_owner", _("Välj vem som ansvarar för åtgärden."))
            if not deadline:
                self.add_error(f"action{i}_deadline", _("Ange när åtgärden ska vara klar."))
            elif deadline < today:
                self.add_error(
                    f"action{i}_deadline", _("Klart senast kan inte ligga bakåt i tiden.")
                )
            if title and owner and deadline:
                actions.append(ActionInput(title=title, owner=owner, deadline=deadline))
        self.actions = actions
        if data.get("outcome") in SEVERITY_FOR_OUTCOME:
            if not (data.get("finding_title") or "").strip():
                self.add_error("finding_title", _("Beskriv avvikelsen med en rubrik."))
            if not actions and not any(
                f"action{i}_{part}" in self.errors
                for i in range(1, ACTION_ROWS + 1)
                for part in ("title", "owner", "deadline")
            ):
                self.add_error(
                    "action1_title",
                    _("Ange minst en åtgärd med ansvarig och klart senast-datum för avvikelsen."),
                )
        return data

    def finding(self) -> FindingInput | None:
        data = self.cleaned_data
        if data.get("outcome") not in SEVERITY_FOR_OUTCOME:
            return None
        return FindingInput(
            title=data["finding_title"],
            description=data.get("finding_description") or data.get("comment") or "",
            severity=data.get("severity") or "",
            is_secret=bool(data.get("is_secret")),
        )


class NotDoneForm(forms.Form):
    not_done_reason = forms.CharField(
        label=_("Skäl till att kontrollen inte genomförs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Ange varför kontrollen inte genomfördes.")},
    )


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fil (.xlsx eller .csv)"),
        help_text=_("Kolumnerna i mallen. CSV: UTF-8 eller Windows-1252, semikolon eller komma."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": _("Välj en fil att importera.")},
    )


class ImportNewPlanForm(ImportForm):
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)

    field_order = ["unit", "year", "file"]

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = policy.plan_units(user).order_by("path")
        self.fields["year"].initial = timezone.localdate().year + 1


# --------------------------------------------------------------------------------------------
# Filters of the list pages (GET)
# --------------------------------------------------------------------------------------------


def _year_choices() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [("", _("Alla år"))] + [
        (str(y), str(y)) for y in range(this_year + 1, this_year - 8, -1)
    ]


class FilterForm(forms.Form):
    """Filters never fail: a bad value is ignored (``cleaned`` holds only valid ones)."""

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].queryset = (
                policy.units(user).filter(is_active=True).order_by("path")
            )
        if "year" in self.fields:
            self.fields["year"].choices = _year_choices()

    @property
    def cleaned(self) -> dict[str, Any]:
        self.is_valid()
        return {
            k: v
            for k, v in getattr(self, "cleaned_data", {}).items()
            if v not in (None, "") and k not in self.errors
        }


class PlanFilterForm(FilterForm):
    year = forms.ChoiceField(label=_("År"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Enhet"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("Alla")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Alla")), *ControlPlan.Status.choices],
        required=False,
    )


class PointFilterForm(FilterForm):
    q = forms.CharField(label=_("Sök"), required=False, max_length=100)
    year = forms.ChoiceField(label=_("År"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Enhet"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("Alla")
    )
    scope = forms.ChoiceField(
        label=_("Omfattning"),
        choices=[("", _("Alla")), *ControlPoint.Scope.choices],
        required=False,
    )
    level = forms.ChoiceField(
        label=_("Risknivå"), choices=[("", _("Alla")), *RiskLevel.choices], required=False
    )
    mine = forms.BooleanField(label=_("Bara mina"), required=False)


class OccurrenceFilterForm(FilterForm):
    year = forms.ChoiceField(label=_("År"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Enhet"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("Alla")
    )
    state = forms.ChoiceField(
        label=_("Läge"), choices=[("", _("Alla")), *OccurrenceState.choices], required=False
    )
    outcome = forms.ChoiceField(
        label=_("Utfall"),
        choices=[("", _("Alla")), *ControlOccurrence.Outcome.choices],
        required=False,
    )
    mine = forms.BooleanField(label=_("Bara mina"), required=False)


class MatrixFilterForm(FilterForm):
    """The matrix shows one year (the current one unless chosen), optionally one unit."""

    year = forms.ChoiceField(label=_("År"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Enhet"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("Alla")
    )

    def __init__(self, data: Any, *args: Any, user: User, **kwargs: Any):
        data = data.copy()
        if not data.get("year"):
            data["year"] = str(timezone.localdate().year)
        super().__init__(data, *args, user=user, **kwargs)
        self.fields["year"].choices = _year_choices()[1:]
