"""Delivery of queued messages from the web process: right after the request commits, best effort.

Whatever fails here stays pending in the outbox and the scheduler's delivery job retries it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app

from common.clock import utcnow
from notifications.channels.console import ConsoleChannel
from notifications.channels.sms import SmsChannel, SmsSettings
from notifications.channels.smtp import SmtpChannel, SmtpSettings
from notifications.letters import notice_attachments
from notifications.outbox import Channel, deliver_due
from portal.database import after_commit, session_factory


def channels_from_config(config: Mapping[str, Any]) -> dict[str, Channel]:
    """E-mail always; SMS through the gateway when one is configured, or to the log with ``SMS_TO_LOG``
    (development); otherwise SMS messages wait in the outbox."""
    smtp = SmtpChannel(
        SmtpSettings(
            host=config["MAIL_SERVER"], port=int(config["MAIL_PORT"]), sender=config["MAIL_FROM"],
            use_starttls=bool(config["MAIL_USE_STARTTLS"]), use_ssl=bool(config["MAIL_USE_SSL"]),
            username=config["MAIL_USERNAME"], password=config["MAIL_PASSWORD"],
        )
    )
    channels: dict[str, Channel] = {"email": smtp}
    if config.get("SMS_GATEWAY_URL"):
        channels["sms"] = SmsChannel(
            SmsSettings(url=config["SMS_GATEWAY_URL"], token=config.get("SMS_GATEWAY_TOKEN"),
                        sender_id=config.get("SMS_SENDER_ID") or "SOCIALSEC")
        )
    elif config.get("SMS_TO_LOG"):
        channels["sms"] = ConsoleChannel("sms")  # ``make run``: the demo's codes and notices, in the terminal
    return channels


def deliver_after_commit(message_ids: Iterable[int]) -> None:
    if not current_app.config["DELIVER_MAIL_AFTER_REQUEST"]:
        return
    ids = list(message_ids)
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def _deliver() -> None:
        session = session_factory(app)()
        try:
            deliver_due(session, channels_from_config(app.config), now=utcnow(), ids=ids, attach=notice_attachments)
            session.commit()
        except Exception:  # noqa: BLE001 - the outbox keeps the message; the job retries
            session.rollback()
            app.logger.exception("delivery after commit failed; the outbox job will retry")
        finally:
            session.close()

    after_commit(_deliver)
