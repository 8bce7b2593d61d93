"""A channel that writes messages to the log instead of sending them: what a development portal (``make
run``, ``SMS_TO_LOG=1``) uses for SMS when no gateway is configured, so that a one-time code or a notice can
be read in the terminal.  Refused in production, where SMS wait in the outbox until a gateway is set."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from notifications.outbox import Attachment

log = logging.getLogger("portal.console_channel")


class ConsoleChannel:
    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, recipient: str, subject: str, body: str, language: str | None = None,
             attachments: Sequence[Attachment] = ()) -> None:
        log.warning("%s to %s (not sent: SMS_TO_LOG): %s", self.name, recipient, body)
