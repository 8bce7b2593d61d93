"""E-mail through the configured SMTP server (plain, STARTTLS or implicit TLS), UTF-8 throughout."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    use_starttls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 20.0


class SmtpChannel:
    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._context: ssl.SSLContext | None = None

    def _tls(self) -> ssl.SSLContext:
        """The TLS context, made once: loading the system's certificates takes longer than sending a message
        to a local server, so a context made per message would slow a night's delivery several times over."""
        if self._context is None:
            self._context = ssl.create_default_context()
        return self._context

    def build(self, recipient: str, subject: str, body: str, language: str | None = None,
              attachments: Sequence[tuple[str, str, bytes]] = ()) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = recipient
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.settings.sender.rpartition("@")[2] or None)
        message.set_content(body, charset="utf-8")
        for filename, mimetype, content in attachments:
            maintype, _slash, subtype = mimetype.partition("/")
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
        if language:  # last: set_content and add_attachment move or replace the Content-* headers
            message["Content-Language"] = language
        return message

    def send(self, recipient: str, subject: str, body: str, language: str | None = None,
             attachments: Sequence[tuple[str, str, bytes]] = ()) -> None:
        """Send one message; raises ``OSError``/``smtplib.SMTPException`` on failure (the outbox retries)."""
        s = self.settings
        message = self.build(recipient, subject, body, language, attachments)
        smtp_class = smtplib.SMTP_SSL if s.use_ssl else smtplib.SMTP
        kwargs = {"context": self._tls()} if s.use_ssl else {}
        with smtp_class(s.host, s.port, timeout=s.timeout, **kwargs) as smtp:
            if s.use_starttls:
                smtp.starttls(context=self._tls())
            if s.username:
                smtp.login(s.username, s.password or "")
            smtp.send_message(message)
