from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from notifications.channels.smtp import SmtpChannel, SmtpSettings
from notifications.outbox import MAX_ATTEMPTS, OutboxMessage, deliver_due, queue_message
from tests.factories import NOW


def _queue(db, **fields) -> OutboxMessage:
    values = {"channel": "email", "recipient": "ຜູ້ຮັບ@example.test", "kind": "test", "language": "lo",
              "subject": "ແຈ້ງການ: ໜີ້ຄ້າງ", "body": "Ҳисоботи моҳонаро супоред.\nສົ່ງເງິນສົມທົບ", "now": NOW}
    values.update(fields)
    return queue_message(db, **values)


def test_delivery_sends_utf8_through_real_smtp_and_marks_sent(db, smtp_server) -> None:
    port, inbox = smtp_server
    message = _queue(db, recipient="employer@example.test")
    counts = deliver_due(db, {"email": SmtpChannel(SmtpSettings("127.0.0.1", port, "portal@example.test"))}, now=NOW)
    assert counts == {"sent": 1, "retry": 0, "failed": 0}
    assert message.status == "sent" and message.sent_at == NOW
    received = inbox.messages[0]
    assert received["Subject"] == "ແຈ້ງການ: ໜີ້ຄ້າງ"
    assert received.get_content().replace("\r\n", "\n").strip() == "Ҳисоботи моҳонаро супоред.\nສົ່ງເງິນສົມທົບ"
    assert received["Content-Language"] == "lo"
    # Sent messages are not sent again.
    assert deliver_due(db, {"email": SmtpChannel(SmtpSettings("127.0.0.1", port, "p@example.test"))},
                       now=NOW)["sent"] == 0
    assert len(inbox.messages) == 1


class _Failing:
    name = "email"

    def send(self, *args, **kwargs) -> None:
        raise ConnectionRefusedError("server down")


def test_failures_back_off_then_give_up(db) -> None:
    message = _queue(db)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        deliver_due(db, {"email": _Failing()}, now=now)
        assert message.attempts == attempt
        assert "server down" in message.last_error
        # Not retried before its time comes.
        assert deliver_due(db, {"email": _Failing()}, now=now)["retry"] == 0 or message.status == "failed"
        now = message.next_attempt_at + dt.timedelta(seconds=1)
    assert message.status == "failed"
    assert db.scalar(select(OutboxMessage.status)) == "failed"
