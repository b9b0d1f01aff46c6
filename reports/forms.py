from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation import policy
from organisation.models import OrgUnit, User
from reports import documents
from reports.documents import Spec
from reports.models import Report


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{'– ' * obj.depth}{obj.name}"


class ReportOrderForm(forms.Form):
    """What the coordinator orders: report type, unit, year or audit, and which version."""

    kind = forms.ChoiceField(
        label=_("Rapporttyp"), choices=Report.Kind.choices, widget=forms.RadioSelect
    )
    unit = UnitChoiceField(
        label=_("Enhet"),
        queryset=OrgUnit.objects.none(),
        help_text=_(
            "Nämnden eller förvaltningen rapporten gäller. Den styr också vem som får läsa "
            "rapporten. Välj kommunstyrelsen eller kommunen för den samlade bedömningen och "
            "systemförteckningen."
        ),
    )
    year = forms.IntegerField(
        label=_("År"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("För uppföljning av internkontrollplan och samlad bedömning."),
    )
    audit = forms.ModelChoiceField(
        label=_("Granskning"),
        queryset=None,
        required=False,
        help_text=_("För uppföljning av granskning; valfritt för en åtgärdsplan."),
    )
    decision = forms.ModelChoiceField(
        label=_("Ärende (sammanträde, §, Dnr)"),
        queryset=None,
        required=False,
        help_text=_(
            "Rubriken i dokumentet. Lämna tomt för att använda planens beslut om slutredovisning."
        ),
    )
    audience = forms.ChoiceField(
        label=_("Version"),
        choices=Report.Audience.choices,
        initial=Report.Audience.BOARD,
        widget=forms.RadioSelect,
        help_text=_(
            "Nämndversionen utelämnar uppgifter om brister som omfattas av sekretess "
            "(OSL 18 kap. 8 §). Den interna versionen tar med dem."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = policy.report_units(user).order_by("path")
        self.fields["audit"].queryset = policy.audits(user).order_by("-report_date", "-pk")
        self.fields["decision"].queryset = policy.decisions(user).select_related("organ")
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year - 1

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unit = data.get("unit")
        kind = data.get("kind")
        audience = data.get("audience")
        if unit is None or kind is None or audience is None:
            return data
        if not policy.may_order_report(self.user, unit, audience):
            raise ValidationError(
                _("Du får inte beställa den här versionen av rapporten för %(unit)s.")
                % {"unit": unit.name}
            )
        if kind in (Report.Kind.ANNUAL_FOLLOW_UP, Report.Kind.OVERALL_ASSESSMENT):
            if not data.get("year"):
                self.add_error("year", _("Ange vilket år rapporten gäller."))
                return data
        else:
            data["year"] = None
        if kind == Report.Kind.AUDIT_FOLLOW_UP and data.get("audit") is None:
            self.add_error("audit", _("Välj vilken granskning som ska följas upp."))
            return data
        if kind not in (Report.Kind.AUDIT_FOLLOW_UP, Report.Kind.ACTION_PLAN):
            data["audit"] = None
        try:
            documents.validate(self.spec(data))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return data

    def spec(self, data: dict[str, Any] | None = None) -> Spec:
        data = data if data is not None else self.cleaned_data
        return Spec(
            kind=data["kind"],
            unit=data["unit"],
            audience=data["audience"],
            year=data.get("year"),
            audit=data.get("audit"),
            decision=data.get("decision"),
        )


class MarkSentForm(forms.Form):
    decision = forms.ModelChoiceField(
        label=_("Beslut (sammanträde, §, Dnr)"),
        queryset=None,
        required=False,
        help_text=_("Det ärende där rapporten behandlades."),
    )

    def __init__(self, *args: Any, user: User, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = (
            policy.decisions(user).filter(meeting_date__isnull=False).select_related("organ")
        )
        if not self.is_bound and report.decision_id:
            self.initial["decision"] = report.decision_id
