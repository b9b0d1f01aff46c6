"""Forms for audits, follow-ups, observations, recommendations and board responses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import (
    Assessment,
    Audit,
    BoardResponse,
    Observation,
    Recommendation,
    RecommendationAssessment,
    Signatory,
)
from audits.services import REPORT_FILE_TYPES
from core.files import EvidenceFileField
from findings.forms import ActionSpecForm, DateInput, swedish_form
from findings.models import Severity
from organisation import policy
from organisation.models import OrgUnit, User


def _check_deadline(form: forms.Form, report_field: str = "report_date") -> None:
    report_date = form.cleaned_data.get(report_field)
    deadline = form.cleaned_data.get("response_deadline")
    if report_date and deadline and deadline < report_date:
        form.add_error(
            "response_deadline",
            _("Svar senast kan inte vara före rapportdatum (%s).") % report_date.isoformat(),
        )


class AuditForm(forms.ModelForm):
    report_upload = EvidenceFileField(
        label=_("Rapport (fil)"), allowed=REPORT_FILE_TYPES, required=False
    )

    class Meta:
        model = Audit
        fields = [
            "title",
            "body",
            "firm",
            "kind",
            "report_date",
            "dnr",
            "addressed_units",
            "response_deadline",
            "purpose",
            "summary",
            "assessment",
            "is_secret",
        ]
        widgets = {
            "report_date": DateInput(),
            "response_deadline": DateInput(),
            "addressed_units": forms.CheckboxSelectMultiple,
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "assessment": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "firm": _("T.ex. PwC, KPMG eller EY."),
            "dnr": _("T.ex. KS/2016:389."),
            "response_deadline": _("Datum i missivet då nämnderna ska ha svarat."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = policy.units_for_creating(user).filter(
            kind__in=[
                OrgUnit.Kind.EXECUTIVE_BOARD,
                OrgUnit.Kind.COMMITTEE,
                OrgUnit.Kind.SUBCOMMITTEE,
                OrgUnit.Kind.DEPARTMENT,
                OrgUnit.Kind.DIVISION,
                OrgUnit.Kind.COMPANY,
            ]
        )
        if self.instance.pk:
            units = units | self.instance.addressed_units.all()
        self.fields["addressed_units"].queryset = units.distinct().order_by("path")
        if not self.instance.pk:
            # A follow-up is created from the audit it follows (create_follow_up).
            self.fields["kind"].choices = [
                c for c in self.fields["kind"].choices if c[0] != Audit.Kind.FOLLOW_UP
            ]
        swedish_form(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        _check_deadline(self)
        return data


class FollowUpForm(forms.Form):
    title = forms.CharField(label=_("Rubrik"), max_length=255)
    report_date = forms.DateField(label=_("Rapportdatum"), widget=DateInput())
    firm = forms.CharField(label=_("Sakkunnigt biträde/företag"), max_length=120, required=False)
    dnr = forms.CharField(label=_("Diarienummer"), max_length=60, required=False)
    response_deadline = forms.DateField(label=_("Svar senast"), widget=DateInput(), required=False)
    summary = forms.CharField(
        label=_("Sammanfattning"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    report_upload = EvidenceFileField(
        label=_("Rapport (fil)"), allowed=REPORT_FILE_TYPES, required=False
    )

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"title": _("Uppföljning: %s") % audit.title, "firm": audit.firm},
        )
        super().__init__(*args, **kwargs)
        self.audit = audit

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        report_date = data.get("report_date")
        if report_date and report_date <= self.audit.report_date:
            self.add_error(
                "report_date",
                _("Uppföljningen måste vara daterad efter granskningen den följer upp (%s).")
                % self.audit.report_date.isoformat(),
            )
        _check_deadline(self)
        return data


class AssessmentsForm(forms.Form):
    """One assessment and comment per recommendation of the chain before the follow-up."""

    def __init__(
        self,
        *args: Any,
        recommendations: list[Recommendation],
        existing: dict[int, RecommendationAssessment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.recommendations = recommendations
        choices = [("", _("Inte bedömd")), *Assessment.choices]
        for rec in recommendations:
            current = existing.get(rec.pk)
            self.fields[f"assessment_{rec.pk}"] = forms.ChoiceField(
                label=_("Bedömning av rekommendation %(n)s (%(year)s)")
                % {"n": rec.number, "year": rec.audit.report_date.year},
                choices=choices,
                required=False,
                initial=current.assessment if current else "",
            )
            self.fields[f"comment_{rec.pk}"] = forms.CharField(
                label=_("Kommentar"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=current.comment if current else "",
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "recommendation": rec,
                "assessment": self[f"assessment_{rec.pk}"],
                "comment": self[f"comment_{rec.pk}"],
            }
            for rec in self.recommendations
        ]

    def entries(self) -> list[tuple[Recommendation, str, str]]:
        return [
            (
                rec,
                self.cleaned_data.get(f"assessment_{rec.pk}") or "",
                (self.cleaned_data.get(f"comment_{rec.pk}") or "").strip(),
            )
            for rec in self.recommendations
        ]


def _units_under(audit: Audit):
    from django.db.models import Q

    condition = Q(pk__in=[])
    for unit in audit.addressed_units.all():
        condition |= Q(path__startswith=unit.path)
    return OrgUnit.objects.filter(condition, is_active=True).order_by("path")


class ObservationForm(forms.ModelForm):
    register_finding = forms.BooleanField(
        label=_("Registrera som avvikelse/brist i registret"),
        required=False,
        help_text=_("Bristen följs då upp till verifiering som alla andra avvikelser."),
    )
    severity = forms.ChoiceField(
        label=_("Allvarlighetsgrad"), choices=Severity.choices, initial=Severity.MEDIUM
    )

    class Meta:
        model = Observation
        fields = ["area", "text", "unit", "is_secret"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"area": _("T.ex. ”Organisering, rutiner, anvisningar” eller ”Nätverk”.")}

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units_under(audit)
        if self.instance.pk:
            del self.fields["register_finding"]
            del self.fields["severity"]
        else:
            self.fields["register_finding"].initial = audit.kind == Audit.Kind.SECURITY_REVIEW
            self.fields["is_secret"].initial = audit.is_secret
        swedish_form(self)


class RecommendationForm(forms.ModelForm):
    register_finding = forms.BooleanField(
        label=_("Registrera som brist i registret och följ upp till verifiering"),
        required=False,
        initial=True,
    )
    severity = forms.ChoiceField(
        label=_("Allvarlighetsgrad"), choices=Severity.choices, initial=Severity.MEDIUM
    )

    class Meta:
        model = Recommendation
        fields = ["text", "addressee", "observation"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"text": _("Som i rapporten, t.ex. ”Kommunstyrelsen bör …”.")}

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["addressee"].queryset = _units_under(audit)
        self.fields["observation"].queryset = audit.observations.order_by("number")
        self.fields["observation"].required = False
        if self.instance.pk:
            del self.fields["register_finding"]
            del self.fields["severity"]
        swedish_form(self)


class ResponseForm(forms.ModelForm):
    class Meta:
        model = BoardResponse
        fields = ["unit", "title", "summary", "board_decision_text"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "board_decision_text": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, audit: Audit, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["unit"]
        else:
            taken = audit.responses.values("unit")
            self.fields["unit"].queryset = (
                _units_under(audit)
                .filter(pk__in=policy.units_for_creating(user).values("pk"))
                .exclude(pk__in=taken)
            )
        self.fields["title"].required = False
        swedish_form(self)

    def validate_unique(self) -> None:
        # One response per unit and audit is checked by the service with a Swedish message.
        pass


class ResponseItemForm(ActionSpecForm):
    recommendation = forms.ModelChoiceField(
        label=_("Svar på rekommendation"), queryset=Recommendation.objects.none(), required=False
    )
    observation = forms.ModelChoiceField(
        label=_("Svar på iakttagelse"), queryset=Observation.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("Svar"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Vad nämnden har gjort eller ska göra."),
    )

    field_order = ["recommendation", "observation", "text"]

    def __init__(self, *args: Any, response: BoardResponse, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        audits = [a.pk for a in response.audit.chain()]
        self.fields["recommendation"].queryset = (
            policy.recommendations(user)
            .filter(audit_id__in=audits)
            .select_related("audit")
            .order_by("audit__report_date", "number")
        )
        self.fields["recommendation"].label_from_instance = lambda r: (
            f"{r.audit.report_date.year} nr {r.number}: {r.text[:90]}"
        )
        self.fields["observation"].queryset = (
            policy.observations(user).filter(audit_id__in=audits).order_by("number")
        )
        self.fields["observation"].label_from_instance = lambda o: f"{o.number}. {o.area}"
        self.fields["action_title"].help_text = _(
            "Valfritt: en åtgärd som svaret utlovar. Fler åtgärder kan läggas till efteråt."
        )
        swedish_form(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("recommendation") and not data.get("observation"):
            raise forms.ValidationError(
                _("Ange vilken rekommendation eller iakttagelse svaret avser.")
            )
        return data


class ItemActionForm(ActionSpecForm):
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["action_title"].required = True


class SignatoryForm(forms.ModelForm):
    class Meta:
        model = Signatory
        fields = ["name", "title"]
        help_texts = {"title": _("T.ex. Ordförande, Förvaltningschef.")}


class DecideForm(forms.Form):
    organ = forms.ModelChoiceField(label=_("Organ"), queryset=OrgUnit.objects.none())
    meeting_date = forms.DateField(label=_("Sammanträdesdatum"), widget=DateInput())
    paragraph = forms.CharField(label=_("Paragraf (§)"), max_length=20)
    dnr = forms.CharField(label=_("Diarienummer"), max_length=60, required=False)

    def __init__(self, *args: Any, response: BoardResponse, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"organ": response.unit_id, "dnr": response.audit.dnr})
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = policy.units(user).filter(is_active=True).order_by("path")
        swedish_form(self)


class DispatchForm(forms.Form):
    dispatched_date = forms.DateField(
        label=_("Expedierad"), widget=DateInput(), initial=timezone.localdate
    )
