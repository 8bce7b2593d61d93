"""Text messages through the institution's SMS gateway: one JSON POST per message, standard library only.

The gateway takes ``{"to", "from", "text", "encoding"}`` with a bearer token and answers 2xx when it has
accepted the message.  Anything else (an HTTP error, a redirect, a network failure, a timeout) raises, so
that the outbox keeps the message and retries it later.

Lao and Tajik or Russian text cannot be written in the GSM 03.38 7-bit alphabet and goes as UCS-2, where
one part holds far fewer characters; ``sms_parts`` counts the parts the way the network does, and a text
that would need more than ``MAX_PARTS`` parts is refused before anything is sent.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from notifications.channels import UndeliverableError

GSM7 = "GSM-7"
UCS2 = "UCS-2"
MAX_PARTS = 3
# Capacity of one part: (a message that fits in one part, each part of a longer message) -- a longer
# message loses room in every part to the header that tells the phone how to join them.
GSM7_LIMITS = (160, 153)  # septets
UCS2_LIMITS = (70, 67)  # UTF-16 code units

# GSM 03.38 default alphabet (one septet each) and its extension table (an escape plus one: two septets).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")


class SmsTooLong(UndeliverableError):
    """The text needs more parts than the gateway accepts; retrying cannot help."""


class SmsGatewayError(RuntimeError):
    """The gateway refused the message or could not be reached; the outbox retries."""


def _is_gsm7(text: str) -> bool:
    return all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in text)


def _units(text: str, encoding: str) -> list[int]:
    """The size of each character in the encoding's units (septets or UTF-16 code units)."""
    if encoding == GSM7:
        return [2 if ch in _GSM7_EXTENDED else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]  # outside the BMP: a surrogate pair


def sms_parts(text: str) -> tuple[str, int]:
    """The encoding the text needs (``"GSM-7"`` or ``"UCS-2"``) and how many parts it takes.

    An escape sequence (GSM-7) or a surrogate pair (UCS-2) is never split between two parts, so a part
    may hold one unit less than its capacity.  An empty text still takes one part.
    """
    encoding = GSM7 if _is_gsm7(text) else UCS2
    single, per_part = GSM7_LIMITS if encoding == GSM7 else UCS2_LIMITS
    units = _units(text, encoding)
    if sum(units) <= single:
        return encoding, 1
    parts, used = 1, 0
    for size in units:
        if used + size > per_part:
            parts, used = parts + 1, 0
        used += size
    return encoding, parts


@dataclass(frozen=True)
class SmsSettings:
    url: str
    token: str | None
    sender_id: str
    timeout: float = 20.0


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: urllib would repeat the POST as a GET without the message, get a 200 and
    report a message as sent that never was (and carry the token to wherever it was sent)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, PLR0913
        return None


class SmsChannel:
    name = "sms"

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings

    def payload(self, recipient: str, body: str) -> dict[str, str]:
        """The JSON sent for one message; raises ``SmsTooLong`` (a ``ValueError``) when it cannot go."""
        if not recipient.strip():
            raise UndeliverableError("no telephone number to send the SMS to")
        if not body.strip():
            raise UndeliverableError("the SMS text is empty")
        encoding, parts = sms_parts(body)
        if parts > MAX_PARTS:
            single, per_part = GSM7_LIMITS if encoding == GSM7 else UCS2_LIMITS
            raise SmsTooLong(
                f"SMS text of {len(body)} characters needs {parts} {encoding} parts; at most {MAX_PARTS} are "
                f"allowed ({MAX_PARTS * per_part} {encoding} units, {single} in a single part)"
            )
        return {"to": recipient, "from": self.settings.sender_id, "text": body, "encoding": encoding}

    def send(self, recipient: str, subject: str, body: str, language: str | None = None,
             attachments: Sequence[tuple[str, str, bytes]] = ()) -> None:
        """Send one message (the subject and any attachment are not part of an SMS); raises when the gateway
        did not accept it."""
        s = self.settings
        data = json.dumps(self.payload(recipient, body), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(s.url, data=data, method="POST")
        request.add_header("Content-Type", "application/json; charset=utf-8")
        request.add_header("Accept", "application/json")
        if s.token:
            request.add_unredirected_header("Authorization", f"Bearer {s.token}")
        try:
            # Built per message: the opener reads the proxy settings from the environment when built.
            with urllib.request.build_opener(_RefuseRedirects).open(request, timeout=s.timeout) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace").strip()
            exc.close()
            raise SmsGatewayError(f"SMS gateway answered HTTP {exc.code} {exc.reason}: {detail}".rstrip(": ")) \
                from exc
        except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out, TLS failure
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise SmsGatewayError(f"cannot reach the SMS gateway: {reason}") from exc
        if not 200 <= status < 300:
            raise SmsGatewayError(f"SMS gateway answered HTTP {status}")
