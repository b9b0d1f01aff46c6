from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisation.models import User


class DigestPreferenceForm(forms.ModelForm):
    """How often a user gets reminder e-mails. Escalations are not theirs to turn off."""

    class Meta:
        model = User
        fields = ["digest_frequency"]
        labels = {"digest_frequency": _("Påminnelser via e-post")}
        help_texts = {
            "digest_frequency": _(
                "Dagligen: ett e-brev de dagar du har något som förfaller. Veckovis: en "
                "sammanställning i veckan. Eskaleringar skickas alltid direkt och kan inte "
                "väljas bort."
            )
        }
        widgets = {"digest_frequency": forms.RadioSelect}
