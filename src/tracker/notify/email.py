"""E-mail over SMTP (aiosmtplib), to the server named by TRACKER_SMTP_URL.

The mail is multipart/alternative: the plain text, then the HTML. The subject and the bodies are
UTF-8 (RFC 2047 encoded words in the header). Encryption is what the URL says: `smtps://` is
implicit TLS; `?starttls=1` upgrades a plain connection and fails if the server cannot; otherwise
the connection stays plain (no opportunistic upgrade whose certificate could fail by surprise).

Failures: a 5xx answer (550 no such user, 535 authentication failed, 554 rejected) is permanent;
a 4xx answer (421, 450, 451, 452), a timeout, a refused or dropped connection are temporary; a
feature the server lacks (STARTTLS, AUTH) is permanent, since every retry would meet it too.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from email.headerregistry import Address
from email.message import EmailMessage

import aiosmtplib

from tracker.config import SmtpConfig
from tracker.i18n import _
from tracker.notify.errors import TransportError
from tracker.notify.message import Message

SUMMARY_CHARS = 200


async def send_email(
    smtp: SmtpConfig, mail_from: str, to: str, message: Message, *, timeout: float = 20
) -> str:
    """Send `message` to `to`; the server's answer to the data (e.g. "OK queued as …"), shortened."""
    mail = build_email(mail_from, to, message)
    sender = email.utils.parseaddr(mail_from)[1] or mail_from
    try:
        _refused, answer = await aiosmtplib.send(
            mail,
            sender=sender,
            recipients=[to],
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password,
            use_tls=smtp.use_tls,
            start_tls=smtp.starttls,
            timeout=timeout,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        refusal = exc.recipients[0] if exc.recipients else None
        if refusal is None:
            raise TransportError(_("The mail server refused the recipient"), permanent=True) from exc
        raise _answer_error(refusal.code, refusal.message) from exc
    except aiosmtplib.SMTPResponseException as exc:  # sender refused, auth, data, greeting, HELO
        raise _answer_error(exc.code, exc.message) from exc
    except aiosmtplib.SMTPNotSupported as exc:
        raise TransportError(
            _("The mail server cannot do what TRACKER_SMTP_URL asks: %(error)s", error=exc.message),
            permanent=True,
        ) from exc
    except (aiosmtplib.SMTPTimeoutError, TimeoutError) as exc:
        raise TransportError(_("The mail server did not answer in time"), permanent=False) from exc
    except (aiosmtplib.SMTPException, OSError) as exc:  # refused, disconnected, TLS, DNS
        detail = " ".join(str(exc).split())[:SUMMARY_CHARS] or type(exc).__name__
        raise TransportError(
            _("Could not reach the mail server: %(error)s", error=detail), permanent=False
        ) from exc
    return " ".join(answer.split())[:SUMMARY_CHARS] or "accepted"


def build_email(mail_from: str, to: str, message: Message) -> EmailMessage:
    """The mail: headers, text part, HTML alternative. TransportError (permanent) for a bad address."""
    mail = EmailMessage()
    try:
        mail["Subject"] = " ".join(message.subject.split())  # one line: no header injection
        mail["From"] = mail_from
        mail["To"] = to
    except (ValueError, IndexError) as exc:  # a line break or an unparsable address
        raise TransportError(_("The e-mail address is not valid"), permanent=True) from exc
    mail["Date"] = email.utils.format_datetime(dt.datetime.now(dt.UTC))
    mail["Message-ID"] = email.utils.make_msgid(domain=_domain_of(mail_from))
    mail.set_content(message.text, charset="utf-8")
    if message.html:
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
    return mail


def _domain_of(mail_from: str) -> str:
    address = email.utils.parseaddr(mail_from)[1]
    try:
        return Address(addr_spec=address).domain or "localhost"
    except (ValueError, IndexError):
        return "localhost"


def _answer_error(code: int, text: str) -> TransportError:
    return TransportError(
        _("The mail server answered %(code)s: %(answer)s", code=code, answer=" ".join(str(text).split())),
        permanent=500 <= code < 600,
    )
