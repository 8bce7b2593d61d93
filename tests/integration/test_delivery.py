"""Delivery through real servers: a local HTTP server standing in for the SMS gateway and a real SMTP server.

Every try is recorded; a server that fails or goes away delays the message (backoff) without losing it,
and when it is back the message is sent exactly once; after ``MAX_ATTEMPTS`` failures it is a dead letter.
Two deliverers at once send each message once (on PostgreSQL for real, with ``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from notifications.channels.sms import SmsChannel, SmsSettings
from notifications.channels.smtp import SmtpChannel, SmtpSettings
from notifications.outbox import (
    MAX_ATTEMPTS,
    DeliveryAttempt,
    OutboxMessage,
    attempts_of,
    deliver_due,
    queue_message,
)
from portal.scheduler import deliver_outbox
from tests.conftest import _Inbox, migrated_database
from tests.factories import NOW

TOKEN = "gateway-test-token"
LAO = "ແຈ້ງການ: ທ່ານມີໜີ້ຄ້າງ 1 200 000 ກີບ. ກະລຸນາຊຳລະກ່ອນ 15/12."
TAJIK = "Огоҳинома: қарзи шумо 1 250,00 сомонӣ. То 15.12 пардохт кунед."


class _Gateway:
    """A local HTTP server in a thread that records every request and answers ``answer`` (200 by default)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answer = 200
        self.delay = 0.0
        self.port = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/messages"

    def accepted(self) -> list[dict]:
        return [request for request in self.requests if request["status"] < 300]

    def start(self) -> None:
        """Listen (again) on the same port once it is known."""
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if gateway.delay:
                    time.sleep(gateway.delay)
                status = gateway.answer
                with gateway._lock:
                    gateway.requests.append({"path": self.path, "headers": dict(self.headers),
                                             "json": json.loads(raw.decode("utf-8")), "status": status})
                    number = len(gateway.requests)
                answer = json.dumps({"id": f"msg-{number}"} if status < 300 else {"error": "gateway trouble"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None


@pytest.fixture
def sms_gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Gateway]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # the gateway is local, whatever the machine's proxy
    gateway = _Gateway()
    gateway.start()
    try:
        yield gateway
    finally:
        gateway.stop()


def _sms(gateway: _Gateway) -> SmsChannel:
    return SmsChannel(SmsSettings(url=gateway.url, token=TOKEN, sender_id="SOCIALSEC", timeout=5))


def _queue(db, channel: str = "sms", recipient: str = "+856 20 5555 1234", body: str = LAO, **fields):
    values = {"kind": "test", "language": "lo", "subject": "ແຈ້ງການ", "now": NOW}
    values.update(fields)
    return queue_message(db, channel=channel, recipient=recipient, body=body, **values)


def _results(db, message: OutboxMessage) -> list[tuple[str, str]]:
    return [(attempt.result, attempt.error) for attempt in attempts_of(db, [message.id])[message.id]]


def test_sms_goes_to_the_gateway_as_json_with_the_bearer_token(db, sms_gateway: _Gateway) -> None:
    lao = _queue(db)
    tajik = _queue(db, recipient="+992 93 555 1234", body=TAJIK, language="tg")
    latin = _queue(db, recipient="+992935550000", body="Your declaration for 2026-10 is due on 15 Nov.",
                   language="en")
    assert deliver_due(db, {"sms": _sms(sms_gateway)}, now=NOW) == {"sent": 3, "retry": 0, "failed": 0}
    first = sms_gateway.requests[0]
    assert first["path"] == "/v1/messages"
    assert first["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert first["headers"]["Content-Type"].startswith("application/json")
    assert first["json"] == {"to": "+856 20 5555 1234", "from": "SOCIALSEC", "text": LAO, "encoding": "UCS-2"}
    assert sms_gateway.requests[1]["json"]["text"] == TAJIK
    assert [request["json"]["encoding"] for request in sms_gateway.requests] == ["UCS-2", "UCS-2", "GSM-7"]
    for message in (lao, tajik, latin):
        assert message.status == "sent" and message.sent_at == NOW and message.attempts == 1
        assert _results(db, message) == [("sent", "")]
    attempt = attempts_of(db, [lao.id])[lao.id][0]
    assert (attempt.channel, attempt.attempted_at) == ("sms", NOW)
    # Sent messages are not sent again.
    assert deliver_due(db, {"sms": _sms(sms_gateway)}, now=NOW + dt.timedelta(days=1))["sent"] == 0
    assert len(sms_gateway.requests) == 3


def test_a_failing_gateway_delays_the_sms_which_is_sent_once_when_it_is_back(db, sms_gateway: _Gateway) -> None:
    message = _queue(db)
    sms_gateway.answer = 500
    assert deliver_due(db, {"sms": _sms(sms_gateway)}, now=NOW) == {"sent": 0, "retry": 1, "failed": 0}
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at == NOW + dt.timedelta(minutes=1)
    assert "HTTP 500" in message.last_error
    [(result, error)] = _results(db, message)
    assert result == "failed" and "HTTP 500" in error and TOKEN not in error
    # Not tried again before its time.
    assert deliver_due(db, {"sms": _sms(sms_gateway)}, now=NOW + dt.timedelta(seconds=59))["retry"] == 0
    assert len(sms_gateway.requests) == 1

    sms_gateway.stop()  # now nothing listens: connection refused
    second_try = message.next_attempt_at
    assert deliver_due(db, {"sms": _sms(sms_gateway)}, now=second_try) == {"sent": 0, "retry": 1, "failed": 0}
    assert message.status == "pending" and message.attempts == 2
    assert message.next_attempt_at == second_try + dt.timedelta(minutes=5)
    assert "cannot reach the SMS gateway" in message.last_error and "refused" in message.last_error.lower()
    assert [result for result, _ in _results(db, message)] == ["failed", "failed"]
    assert "refused" in _results(db, message)[1][1].lower()

    sms_gateway.answer = 200
    sms_gateway.start()  # back, on the same address
    assert deliver_due(db, {"sms": _sms(sms_gateway)}, now=message.next_attempt_at - dt.timedelta(seconds=1)) \
        == {"sent": 0, "retry": 0, "failed": 0}
    third_try = message.next_attempt_at
    assert deliver_due(db, {"sms": _sms(sms_gateway)}, now=third_try) == {"sent": 1, "retry": 0, "failed": 0}
    assert message.status == "sent" and message.sent_at == third_try and message.last_error is None
    for later in (third_try, third_try + dt.timedelta(hours=1), third_try + dt.timedelta(days=2)):
        assert deliver_due(db, {"sms": _sms(sms_gateway)}, now=later)["sent"] == 0
    assert len(sms_gateway.accepted()) == 1 and len(sms_gateway.requests) == 2  # the 500, then the one sent
    assert [result for result, _ in _results(db, message)] == ["failed", "failed", "sent"]
    assert db.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message.id)) == "sent"


def test_after_max_attempts_the_sms_is_a_dead_letter(db, sms_gateway: _Gateway) -> None:
    message = _queue(db)
    sms_gateway.answer = 503
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        counts = deliver_due(db, {"sms": _sms(sms_gateway)}, now=now)
        assert message.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert counts == {"sent": 0, "retry": 1, "failed": 0} and message.status == "pending"
            assert message.next_attempt_at > now
            now = message.next_attempt_at
    assert counts == {"sent": 0, "retry": 0, "failed": 1}
    assert message.status == "failed" and "HTTP 503" in message.last_error
    assert len(sms_gateway.requests) == MAX_ATTEMPTS
    results = _results(db, message)
    assert len(results) == MAX_ATTEMPTS and {result for result, _ in results} == {"failed"}
    # A dead letter is not tried again, even when the gateway is well again.
    sms_gateway.answer = 200
    assert deliver_due(db, {"sms": _sms(sms_gateway)}, now=now + dt.timedelta(days=30))["sent"] == 0
    assert len(sms_gateway.requests) == MAX_ATTEMPTS


def test_an_sms_too_long_for_the_gateway_fails_at_once_without_being_sent(db, sms_gateway: _Gateway) -> None:
    too_long = _queue(db, body="ສ" * 202)
    fits = _queue(db, body="ສ" * 201)
    assert deliver_due(db, {"sms": _sms(sms_gateway)}, now=NOW) == {"sent": 1, "retry": 0, "failed": 1}
    assert too_long.status == "failed" and too_long.attempts == 1
    [(result, error)] = _results(db, too_long)
    assert result == "failed" and error.startswith("SmsTooLong:") and "4 UCS-2 parts; at most 3" in error
    assert fits.status == "sent"
    assert [request["json"]["text"] for request in sms_gateway.requests] == ["ສ" * 201]


def test_messages_of_an_unconfigured_channel_wait_without_holding_up_the_others(db, smtp_server) -> None:
    port, inbox = smtp_server
    waiting = [_queue(db, recipient=f"+85620555500{n}") for n in range(3)]
    email = _queue(db, channel="email", recipient="employer@example.test")
    email_only = {"email": SmtpChannel(SmtpSettings("127.0.0.1", port, "portal@example.test"))}
    assert deliver_due(db, email_only, now=NOW, limit=1) == {"sent": 1, "retry": 0, "failed": 0}
    assert email.status == "sent" and len(inbox.messages) == 1
    assert all(message.status == "pending" and message.attempts == 0 for message in waiting)
    assert attempts_of(db, [message.id for message in waiting]) == {message.id: [] for message in waiting}


def test_a_message_another_deliverer_has_sent_meanwhile_is_not_sent_again(db, sms_gateway: _Gateway) -> None:
    """SQLite has no row locks: a deliverer may read a row that another is sending.  Its claim (a
    conditional update) then finds the row changed and it does not send."""
    first, second = _queue(db, recipient="+85620000001"), _queue(db, recipient="+85620000002")
    channel = _sms(sms_gateway)

    class MeanwhileAnotherSendsTheSecond:
        name = "sms"

        def send(self, recipient: str, *args: object, **kwargs: object) -> None:
            channel.send(recipient, *args, **kwargs)
            if recipient == first.recipient:  # the other deliverer sends and commits the second message
                db.execute(update(OutboxMessage).where(OutboxMessage.id == second.id)
                           .values(status="sent", attempts=1).execution_options(synchronize_session=False))

    assert deliver_due(db, {"sms": MeanwhileAnotherSendsTheSecond()}, now=NOW)["sent"] == 1
    assert [request["json"]["to"] for request in sms_gateway.requests] == ["+85620000001"]
    assert _results(db, second) == []


def test_the_scheduler_job_sends_sms_through_the_configured_gateway(app, db, sms_gateway: _Gateway) -> None:
    app.config.update(SMS_GATEWAY_URL=sms_gateway.url, SMS_GATEWAY_TOKEN=TOKEN, SMS_SENDER_ID="LSSO")
    message = _queue(db)
    db.commit()
    assert deliver_outbox(app)["sent"] == 1
    [request] = sms_gateway.requests
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["json"] == {"to": message.recipient, "from": "LSSO", "text": LAO, "encoding": "UCS-2"}


class _SmtpServer:
    """A real aiosmtpd server that can be stopped and started again on the same port, keeping its inbox."""

    def __init__(self, port: int, inbox: _Inbox) -> None:
        self.port, self.inbox, self._controller = port, inbox, None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def stoppable_smtp_server() -> Iterator[_SmtpServer]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = _SmtpServer(port, _Inbox())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_an_smtp_server_that_stops_mid_run_delays_mail_which_is_sent_once_when_it_is_back(
    db, stoppable_smtp_server: _SmtpServer
) -> None:
    server = stoppable_smtp_server
    channels = {"email": SmtpChannel(SmtpSettings("127.0.0.1", server.port, "portal@example.test", timeout=5))}
    first = _queue(db, channel="email", recipient="one@example.test", subject="ແຈ້ງການ 1", body="ທີ 1")
    second = _queue(db, channel="email", recipient="two@example.test", subject="Огоҳинома 2", body="Дуюм")
    assert deliver_due(db, channels, now=NOW) == {"sent": 2, "retry": 0, "failed": 0}

    server.stop()
    third = _queue(db, channel="email", recipient="three@example.test", subject="Уведомление 3", body="Третье",
                   now=NOW + dt.timedelta(minutes=1))
    later = NOW + dt.timedelta(minutes=2)
    assert deliver_due(db, channels, now=later) == {"sent": 0, "retry": 1, "failed": 0}
    assert third.status == "pending" and third.attempts == 1
    assert third.next_attempt_at == later + dt.timedelta(minutes=1)
    [(result, error)] = _results(db, third)
    assert result == "failed" and "ConnectionRefusedError" in error

    server.start()  # the same server, back on the same port
    assert deliver_due(db, channels, now=third.next_attempt_at) == {"sent": 1, "retry": 0, "failed": 0}
    assert deliver_due(db, channels, now=third.next_attempt_at + dt.timedelta(days=1))["sent"] == 0
    assert third.status == "sent" and [result for result, _ in _results(db, third)] == ["failed", "sent"]
    assert _results(db, first) == [("sent", "")] and _results(db, second) == [("sent", "")]
    received = Counter(message["Subject"] for message in server.inbox.messages)
    assert received == {"ແຈ້ງການ 1": 1, "Огоҳинома 2": 1, "Уведомление 3": 1}
    assert [message["To"] for message in server.inbox.messages] == [
        "one@example.test", "two@example.test", "three@example.test"]


def test_two_deliverers_at_once_send_each_message_exactly_once(database_url, tmp_path, sms_gateway) -> None:
    """Two deliverers (the scheduler's job and a web process after its commit, say), each with its own
    connection.  On PostgreSQL they really overlap and share the work; SQLite serialises writers, so there
    they follow each other and the test checks the same outcome."""
    with migrated_database(database_url, tmp_path, "delivery") as engine:
        with Session(engine) as session:
            ids = [_queue(session, recipient=f"+8562099{n:05d}", body=f"{LAO} {n}").id for n in range(40)]
            session.commit()
        factory = sessionmaker(engine)
        serialise = engine.dialect.name == "sqlite"
        sms_gateway.delay = 0.01  # each send takes a moment, as a real one does, so the two overlap
        start, lock, errors = threading.Barrier(2), threading.Lock(), []
        sent_by: list[int] = [0, 0]

        def deliverer(index: int) -> None:
            start.wait()
            try:
                if serialise:
                    lock.acquire()
                with factory() as session:
                    while True:
                        counts = deliver_due(session, {"sms": _sms(sms_gateway)}, now=NOW, limit=4)
                        session.commit()
                        sent_by[index] += counts["sent"]
                        if not any(counts.values()):
                            break
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                if serialise:
                    lock.release()

        threads = [threading.Thread(target=deliverer, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        per_recipient = Counter(request["json"]["to"] for request in sms_gateway.requests)
        assert len(per_recipient) == 40 and set(per_recipient.values()) == {1}
        assert sum(sent_by) == 40
        if not serialise:
            assert all(sent_by), f"the two deliverers did not share the work: {sent_by}"
        with Session(engine) as session:
            assert set(session.scalars(select(OutboxMessage.status))) == {"sent"}
            assert set(session.scalars(select(OutboxMessage.attempts))) == {1}
            attempts = attempts_of(session, ids)
            assert all([attempt.result for attempt in attempts[i]] == ["sent"] for i in ids)
            assert session.scalar(select(func.count()).select_from(DeliveryAttempt)) == 40
