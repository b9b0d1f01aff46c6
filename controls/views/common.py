"""Small helpers shared by the controls views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from core.pagination import paginate
from organisation import policy

__all__ = ["apply_errors", "paginate", "require_controls_reader"]


def require_controls_reader(request: HttpRequest) -> None:
    """Lists and the risk views are for those who read internal control (403 otherwise)."""
    if not policy.may_read_controls(request.user):
        raise PermissionDenied


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            if name in form.fields:
                form.add_error(name, messages)
            else:
                form.add_error(None, messages)
    else:
        form.add_error(None, exc.messages)
