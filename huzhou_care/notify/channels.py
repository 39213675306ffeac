"""Outside channels. E-mail goes through Django's mail backends (console in development, SMTP
from the environment in production); SMS through a gateway behind ``SmsGateway``, chosen by
``settings.NOTIFY_SMS_GATEWAY`` (a dotted path). The stub here logs, with the phone masked."""

from __future__ import annotations

import logging
import smtplib
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from huzhou_care.accounts.masking import mask_phone

logger = logging.getLogger("huzhou_care.notify")

# Worth another try later (the server or network is down); anything else is a failure.
TRANSIENT_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    ConnectionError,
    TimeoutError,
)


class TransientDeliveryError(Exception):
    """Some deliveries could not be made for a reason that may pass; they stay pending."""


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str, ref: str) -> None:
        """Send one text message; raise ConnectionError/TimeoutError when it may pass."""


class LoggingSmsGateway:
    """Development and test stand-in for a real SMS gateway: logs that a message would go,
    never the phone number in clear nor the text (only its length)."""

    def send(self, *, phone: str, text: str, ref: str) -> None:
        logger.info("sms stub: to %s, %s, %d characters", mask_phone(phone), ref, len(text))


@cache
def sms_gateway() -> SmsGateway:
    return import_string(settings.NOTIFY_SMS_GATEWAY)()


def email_send(*, address: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
