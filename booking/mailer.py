"""E-mail to the team over SMTP: ``SMTP_URL`` is ``smtp://[user:pass@]host:port[?starttls=true]``.

``smtps://`` connects with TLS from the start. Sending raises on any failure;
the caller keeps the request in the outbox and tries again later.
"""
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from booking import summary
from storage.pseudonyms import shown

DEFAULT_BOOKING_EMAIL = "booking@pandaspa.vn"
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False


def settings_from_url(url: str) -> SmtpSettings:
    """Read ``SMTP_URL``; ValueError if it isn't an smtp:// or smtps:// URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://user:pass@host:587?starttls=true")
    query = parse_qs(parts.query)
    starttls = (query.get("starttls") or ["false"])[0].lower() in ("1", "true", "yes")
    tls = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname, port=parts.port or (465 if tls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=starttls, tls=tls)


def compose(subject: str, body: str, to: str, sender: str) -> EmailMessage:
    """A plain-text UTF-8 message."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message.set_content(body)
    return message


def send(settings: SmtpSettings, message: EmailMessage,
         timeout: float = TIMEOUT_SECONDS) -> None:
    """Deliver ``message``; raises ``OSError``/``smtplib.SMTPException`` when it can't."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.tls:
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with client:
        if settings.starttls:
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(message)


def booking_email() -> str:
    """Where requests go: ``BOOKING_EMAIL`` (default booking@pandaspa.vn)."""
    return os.environ.get("BOOKING_EMAIL", "").strip() or DEFAULT_BOOKING_EMAIL


def mail_request(request: Mapping[str, Any]) -> None:
    """E-mail one stored request to the team; raises when it can't be sent now."""
    url = os.environ.get("SMTP_URL", "").strip()
    if not url:
        raise RuntimeError("SMTP_URL is not set: the request waits in the outbox")
    to = booking_email()
    # the console links conversations by pseudonym, never by the raw sender id
    linked = {**request, "sender_id": shown(str(request["sender_id"]))}
    message = compose(summary.email_subject(request),
                      summary.email_body(linked, os.environ.get("CONSOLE_URL") or None),
                      to=to, sender=to)
    send(settings_from_url(url), message)


def mail_alert(recent: int) -> None:
    """Tell the team that the hourly cap holds requests back (once an hour at most)."""
    url = os.environ.get("SMTP_URL", "").strip()
    if not url:
        raise RuntimeError("SMTP_URL is not set: the alert waits")
    to = booking_email()
    console = (os.environ.get("CONSOLE_URL") or "").rstrip("/")
    body = (f"{recent} booking requests came in through the chat in the last hour, more than "
            f"the hourly cap (BOOKINGS_GLOBAL_PER_HOUR).\nFurther requests are stored but not "
            f"mailed one by one: see them in the staff console"
            f"{f' ({console}/bookings)' if console else ''}.\n"
            f"This could be a flood of fake requests: check before you call anyone back.\n")
    send(settings_from_url(url), compose("Alert: booking requests held back", body, to=to,
                                         sender=to))
