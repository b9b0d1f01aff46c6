"""Small helpers shared by the views of findings and audits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field if the form has it."""
    if hasattr(error, "error_dict"):
        renamed = getattr(form, "service_fields", {})
        for name, errors in error.error_dict.items():
            name = renamed.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def run_service(form: forms.Form, call: Callable[[], Any]) -> tuple[bool, Any]:
    """Call a service; on a ValidationError, show it on the form and report failure."""
    try:
        return True, call()
    except ValidationError as error:
        add_service_errors(form, error)
        return False, None


def form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    title: str,
    back_url: str,
    submit: str,
    obj: Any = None,
    intro: str = "",
    crumbs: list[tuple[str, str]] | None = None,
    multipart: bool = False,
    danger: bool = False,
) -> HttpResponse:
    """The one page layout of every form: heading, what it is about, the form, cancel."""
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "findings/form_page.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "submit": submit,
            "obj": obj,
            "intro": intro,
            "crumbs": crumbs or [],
            "multipart": multipart or form.is_multipart(),
            "danger": danger,
        },
        status=status,
    )
