"""Forms of the systems app. Validation of uploads and rules lives in the services; forms only
collect and type what the user entered, with querysets confined by the policy module."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation import policy
from organisation.models import OrgUnit, User
from systems.mapping import MappedField
from systems.models import (
    AccessReview,
    AccessReviewItem,
    ClassificationScale,
    Integration,
    ManagementPlan,
    System,
    SystemRole,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO_ALL = [("", _("Alla")), ("1", _("Ja")), ("0", _("Nej"))]


class SystemFilterForm(forms.Form):
    q = forms.CharField(label=_("Sök"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Ägande nämnd"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("Alla"),
    )
    prioritised = forms.ChoiceField(label=_("Prioriterat"), choices=YES_NO_ALL, required=False)
    level = forms.TypedChoiceField(
        label=_("Högsta klassningsnivå, minst"), coerce=int, required=False, empty_value=None
    )
    missing_dpa = forms.BooleanField(label=_("PUB-avtal saknas"), required=False)
    classification_due = forms.BooleanField(
        label=_("Klassning saknas eller är för gammal"), required=False
    )
    review_overdue = forms.BooleanField(label=_("Behörighetsgranskning försenad"), required=False)
    inactive = forms.BooleanField(label=_("Visa även system ur drift"), required=False)

    def __init__(self, *args, user: User, scale: ClassificationScale, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = policy.units(user).filter(is_active=True)
        self.fields["level"].choices = [("", _("Alla")), *scale.choices()]


class SystemForm(forms.ModelForm):
    class Meta:
        model = System
        fields = [
            "name",
            "description",
            "owning_unit",
            "information_owner",
            "vendor",
            "is_prioritised",
            "has_personal_data",
            "dpa_reference",
            "dpa_date",
            "reserve_routine",
            "alarm_level",
            "alarm_description",
            "is_active",
        ]
        widgets = {
            "dpa_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "reserve_routine": forms.Textarea(attrs={"rows": 3}),
            "alarm_description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        units = policy.units(user).filter(is_active=True)
        manageable = [u.pk for u in units if policy.may_create_in(user, u)]
        if self.instance.pk:
            manageable.append(self.instance.owning_unit_id)
        self.fields["owning_unit"].queryset = units.filter(pk__in=manageable)
        self.fields["information_owner"].queryset = units
        self.instance.municipality_id = user.municipality_id


class ClassificationForm(forms.Form):
    confidentiality = forms.TypedChoiceField(label=_("Konfidentialitet"), coerce=int)
    integrity = forms.TypedChoiceField(label=_("Riktighet"), coerce=int)
    availability = forms.TypedChoiceField(label=_("Tillgänglighet"), coerce=int)
    traceability = forms.TypedChoiceField(label=_("Spårbarhet"), coerce=int)
    classified_on = forms.DateField(label=_("Klassad"), widget=DATE, initial=timezone.localdate)
    required_measures = forms.CharField(
        label=_("Handlingsplan och krav på åtgärder"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, scale: ClassificationScale, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("confidentiality", "integrity", "availability", "traceability"):
            self.fields[name].choices = scale.choices()


class ManagementPlanForm(forms.ModelForm):
    class Meta:
        model = ManagementPlan
        fields = ["year", "budget", "last_risk_analysis", "notes"]
        widgets = {"last_risk_analysis": DATE, "notes": forms.Textarea(attrs={"rows": 4})}

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Ange ett år mellan 2000 och 2100."))
        return year


class IntegrationForm(forms.ModelForm):
    class Meta:
        model = Integration
        fields = ["target", "description"]
        labels = {"target": _("Integration till system")}

    def __init__(self, *args, user: User, system: System, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = policy.systems(user).exclude(pk=system.pk)


class SystemRoleForm(forms.ModelForm):
    class Meta:
        model = SystemRole
        fields = ["kind", "user", "name"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = policy.users(user).filter(is_active=True)
        self.fields["user"].required = False

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("user") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Välj en person eller ange en funktion."))
        return data


class SystemImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel-fil (.xlsx)"),
        help_text=_("Samma kolumner som i exporten. Första raden är rubriker."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


# --- access reviews -------------------------------------------------------------------------


class ReviewCreateForm(forms.ModelForm):
    class Meta:
        model = AccessReview
        fields = [
            "review_date",
            "occurrence",
            "accounts_source",
            "accounts_exported_on",
            "roster_source",
            "roster_exported_on",
            "inactive_days",
        ]
        widgets = {
            "review_date": DATE,
            "accounts_exported_on": DATE,
            "roster_exported_on": DATE,
        }
        help_texts = {
            "occurrence": _(
                "Kontrolltillfället i internkontrollplanen som granskningen redovisas på."
            ),
            "accounts_source": _("T.ex. ”Kontoexport från Geosecma”."),
            "roster_source": _("T.ex. ”Heroma, aktuella anställningar”."),
        }

    def __init__(self, *args, occurrences: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurrence"].queryset = occurrences
        self.fields["occurrence"].required = False
        self.fields["occurrence"].label_from_instance = lambda o: (
            f"{o.control_point.plan.unit} {o.control_point.plan.year}: "
            f"{o.control_point.title} – {o.period_label or o.due_date}"
        )

    def clean_review_date(self) -> datetime.date:
        day = self.cleaned_data["review_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Granskningsdatum kan inte ligga i framtiden."))
        return day

    def clean_inactive_days(self) -> int:
        days = self.cleaned_data["inactive_days"]
        if days < 1:
            raise forms.ValidationError(_("Ange minst en dag."))
        return days


class ReviewUploadForm(forms.Form):
    accounts_file = forms.FileField(
        label=_("Kontoexport från systemet"),
        help_text=_(
            "CSV (UTF-8 eller Windows-1252, ; eller , mellan fälten) eller Excel (.xlsx). "
            "Första raden är rubriker."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    roster_file = forms.FileField(
        label=_("Personalförteckning från lönesystemet"),
        help_text=_(
            "CSV eller Excel med personnummer eller anställningsnummer. Personnumren hashas "
            "direkt vid uppladdningen; filen sparas inte."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )


class MappingForm(forms.Form):
    """One select per field of each file; the choices are the file's own columns."""

    def __init__(
        self,
        *args,
        account_fields: Sequence[MappedField],
        account_header: Sequence[str],
        roster_fields: Sequence[MappedField],
        roster_header: Sequence[str],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.account_names = []
        self.roster_names = []
        for prefix, fields, header, names in (
            ("accounts", account_fields, account_header, self.account_names),
            ("roster", roster_fields, roster_header, self.roster_names),
        ):
            choices = [("", _("– Saknas –")), *[(h, h) for h in header]]
            for mapped in fields:
                name = f"{prefix}__{mapped.key}"
                self.fields[name] = forms.ChoiceField(
                    label=mapped.label,
                    help_text=mapped.help,
                    choices=choices,
                    required=mapped.required,
                )
                names.append(name)

    def mapping(self, prefix: str) -> dict[str, str]:
        start = f"{prefix}__"
        return {
            name.removeprefix(start): value
            for name, value in self.cleaned_data.items()
            if name.startswith(start)
        }

    def account_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.account_names]

    def roster_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.roster_names]


class ItemFilterForm(forms.Form):
    SHOW_CHOICES = [
        ("flagged", _("Flaggade")),
        ("undecided", _("Flaggade utan beslut")),
        ("all", _("Alla konton")),
    ]
    show = forms.ChoiceField(label=_("Visa"), choices=SHOW_CHOICES, required=False)
    category = forms.ChoiceField(
        label=_("Kategori"),
        choices=[("", _("Alla")), *AccessReviewItem.Category.choices],
        required=False,
    )
    decision = forms.ChoiceField(
        label=_("Beslut"),
        choices=[("", _("Alla")), *AccessReviewItem.Decision.choices],
        required=False,
    )
    q = forms.CharField(label=_("Sök konto eller namn"), required=False)


class ItemDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Beslut"),
        choices=[("", _("– Inget beslut –")), *AccessReviewItem.Decision.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Motivering"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Krävs när kontot behålls."),
    )


class IdListField(forms.Field):
    """Selected item ids (checkboxes named ``items``); the service keeps them to the review."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[int]:
        if not value:
            return []
        try:
            return [int(v) for v in value]  # type: ignore[union-attr]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Ogiltigt urval av konton.")) from exc


class BulkDecisionForm(forms.Form):
    items = IdListField(label=_("Konton"), required=False)
    decision = forms.ChoiceField(
        label=_("Beslut för markerade konton"),
        choices=[("", _("– Välj –")), *AccessReviewItem.Decision.choices],
    )
    reason = forms.CharField(
        label=_("Motivering"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Krävs när kontona behålls."),
    )
