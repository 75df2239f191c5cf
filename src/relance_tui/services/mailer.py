"""E-mail over SMTP: plain text and HTML alternatives, the letter's PDF attached.

The server, port and security (STARTTLS, TLS or none) come from `[dunning.smtp]`; the password
from that section or, better, from the environment variable it names (`RELANCE_SMTP_PASSWORD` by
default). Nothing of it is ever written to the database. The server's certificate is checked
(name and chain) against the system's authorities, or those of `ca_file`; a certificate that
does not pass is refused with a message that says so, before any credential is sent.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from relance_tui.config import SmtpSettings
from relance_tui.i18n import t


class MailError(Exception):
    """The message was not accepted (connection, authentication, refusal); says why."""


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    attachment_name: str = ""
    attachment: bytes = b""


def new_message_id(sender: str) -> str:
    domain = sender.rpartition("@")[2] or "relance.local"
    return make_msgid(domain=domain)


def build_message(mail: Mail, *, sender: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    if mail.attachment:
        message.add_attachment(
            mail.attachment,
            maintype="application",
            subtype="pdf",
            filename=mail.attachment_name or "courrier.pdf",
        )
    return message


class Mailer:
    """One SMTP connection for a batch, opened at the first message."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    @property
    def configured(self) -> bool:
        return bool(self.settings.host and self.settings.sender)

    def _password(self) -> str:
        if self.settings.password:
            return self.settings.password
        return os.environ.get(self.settings.password_env, "") if self.settings.password_env else ""

    def tls_context(self) -> ssl.SSLContext:
        s = self.settings
        try:
            context = ssl.create_default_context(cafile=s.ca_file or None)
        except OSError as error:
            raise MailError(t("mail.bad_ca_file", path=s.ca_file, detail=error)) from error
        if not s.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if not self.configured:
            raise MailError(t("mail.not_configured"))
        context = self.tls_context() if s.security != "none" else None
        try:
            smtp: smtplib.SMTP
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
                if s.security == "starttls":
                    smtp.starttls(context=context)
            if s.user:
                smtp.login(s.user, self._password())
        except ssl.SSLCertVerificationError as error:
            raise MailError(
                t("mail.certificate_refused", host=s.host, port=s.port,
                  detail=error.verify_message or error)
            ) from error  # fmt: skip
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(
                t("mail.connect_failed", host=s.host, port=s.port, detail=error)
            ) from error
        return smtp

    def send(self, mail: Mail, *, message_id: str) -> None:
        message = build_message(mail, sender=self.settings.sender, message_id=message_id)
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = self._smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            self.close()  # a broken connection is not reused
            raise MailError(t("mail.send_failed", to=mail.to, detail=error)) from error
        if refused:
            raise MailError(t("mail.send_failed", to=mail.to, detail=refused))

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None
