"""Two-factor sign-in with django-otp: an authenticator app (TOTP) and one-time recovery codes.

A user has at most one TOTP device ("Autentiseringsapp") and one static device holding their
recovery codes ("Reservkoder"). Setting up: :func:`pending_totp_device` makes an unconfirmed
device whose secret is shown as a QR code; :func:`confirm_totp_device` confirms it with a code
from the app and issues fresh recovery codes. Signing in: :func:`verify` checks a code against
the app, or consumes a recovery code.
"""

from __future__ import annotations

import base64
import io
import re
from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation import policy
from organisation.models import User

TOTP_NAME = "Autentiseringsapp"
STATIC_NAME = "Reservkoder"
#: Session flag: the signed-in user had no confirmed device when last looked up (saves the
#: device queries on every request of users who need none).
NO_DEVICE_KEY = "security_no_otp_device"
_SEPARATORS = re.compile(r"[\s-]+")


def is_required(user: User) -> bool:
    """Must this user sign in with a second factor?"""
    required_roles = set(settings.OTP_REQUIRED_ROLES)
    if required_roles & set(policy.roles_of(user)):
        return True
    return bool(settings.OTP_REQUIRED_FOR_STAFF and (user.is_staff or user.is_superuser))


def has_device(request: HttpRequest, user: User | None = None) -> bool:
    """Has the signed-in user a confirmed device? Remembers a "no" for the session.

    Asked at sign-in (security.signals), so later pages of a user without a device cost no
    query; a device set up in this session clears the flag (:func:`mark_verified`).
    """
    if request.session.get(NO_DEVICE_KEY):
        return False
    found = next(devices_for_user(user or request.user, confirmed=True), None) is not None
    if not found:
        request.session[NO_DEVICE_KEY] = True
    return found


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def pending_totp_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the set-up page shows (made once, then reused)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=TOTP_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def new_recovery_codes(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ``OTP_RECOVERY_CODES`` fresh ones.

    The device stays (a session verified with a recovery code stays verified); its tokens go.
    """
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice(user=user, name=STATIC_NAME, confirmed=True)
        device.full_clean()
        device.save()
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticToken.objects.filter(device=device).delete()
    codes = [StaticToken.random_token() for _ in range(settings.OTP_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@dataclass
class Confirmation:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def confirm_totp_device(*, user: User, device: TOTPDevice, token: str) -> Confirmation | None:
    """Confirm the pending device with a code from the app; None if the code is wrong.

    Any earlier app device is removed (one app per user) and fresh recovery codes issued.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(normalise(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return Confirmation(device=device, recovery_codes=new_recovery_codes(user=user))


def normalise(token: str) -> str:
    return _SEPARATORS.sub("", token or "").lower()


def verify(*, user: User, token: str) -> Device | None:
    """The device that accepts ``token``: the app for six digits, else a recovery code."""
    token = normalise(token)
    if not token:
        return None
    with transaction.atomic():
        if token.isdigit():
            candidates = TOTPDevice.objects.devices_for_user(user, confirmed=True)
        else:
            candidates = StaticDevice.objects.devices_for_user(user, confirmed=True)
        for device in candidates.select_for_update():
            if device.verify_token(token):
                return device
    return None


def mark_verified(request: HttpRequest, device: Device) -> None:
    """Record in the session that this user passed the second factor with ``device``."""
    otp_login(request, device)
    request.session.pop(NO_DEVICE_KEY, None)


def manual_key(device: TOTPDevice) -> str:
    """The secret as base32 in groups of four, for typing into an app by hand."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code in a data: URI (allowed by our CSP)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
