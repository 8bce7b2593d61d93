"""Counting SMS parts: GSM-7 for plain Latin text, UCS-2 for Lao, Tajik and Russian; too long is refused."""

from __future__ import annotations

import pytest

from notifications.channels import UndeliverableError
from notifications.channels.sms import MAX_PARTS, SmsChannel, SmsSettings, SmsTooLong, sms_parts
from portal.mail import channels_from_config

LAO = "ແຈ້ງການ: ໜີ້ຄ້າງ"  # every Lao character is one UTF-16 unit (U+0E80..U+0EFF)
TAJIK = "Ҳисоботи моҳонаро супоред"  # Cyrillic with the Tajik letters ҳ ӣ ӯ қ ғ ҷ, all in the BMP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 1)),
        ("Pay by 15 May.", ("GSM-7", 1)),
        ("x" * 160, ("GSM-7", 1)),
        ("x" * 161, ("GSM-7", 2)),
        ("x" * 306, ("GSM-7", 2)),
        ("x" * 307, ("GSM-7", 3)),
        ("x" * 459, ("GSM-7", 3)),
        ("x" * 460, ("GSM-7", 4)),
        # The extension table (€ [ ] { } ^ ~ | \\ form feed) takes two septets a character.
        ("€" * 80, ("GSM-7", 1)),
        ("€" * 81, ("GSM-7", 2)),
        # ... and an escape is never split: 152 septets, then € does not fit in the last one of part 1.
        ("x" * 152 + "€" + "x" * 10, ("GSM-7", 2)),
        ("x" * 152 + "€" + "x" * 152, ("GSM-7", 3)),
        ("Ça coûte 5 £, à régler", ("UCS-2", 1)),  # û is not GSM-7
        ("Zürich, Ñoño, Øresund, Æsir: ¿¡ §5 @home", ("GSM-7", 1)),
        ("Ñandú", ("UCS-2", 1)),  # ú is not in the GSM alphabet (ù is)
        (LAO, ("UCS-2", 1)),
        ("ສ" * 70, ("UCS-2", 1)),
        ("ສ" * 71, ("UCS-2", 2)),
        ("ສ" * 134, ("UCS-2", 2)),
        ("ສ" * 135, ("UCS-2", 3)),
        ("ສ" * 201, ("UCS-2", 3)),
        ("ສ" * 202, ("UCS-2", 4)),
        ("ҷ" * 70, ("UCS-2", 1)),
        ("ҷ" * 71, ("UCS-2", 2)),
        ("Оплатите до 15 мая", ("UCS-2", 1)),
        # One Cyrillic letter makes the whole message UCS-2.
        ("x" * 69 + "ӣ", ("UCS-2", 1)),
        ("x" * 70 + "ӣ", ("UCS-2", 2)),
        # Outside the BMP: a surrogate pair, two units, never split between parts.
        ("\U0001F600" * 35, ("UCS-2", 1)),
        ("\U0001F600" * 36, ("UCS-2", 2)),
        ("x" * 66 + "\U0001F600" + "x" * 66, ("UCS-2", 3)),
    ],
)
def test_sms_parts(text: str, expected: tuple[str, int]) -> None:
    assert sms_parts(text) == expected


def _channel() -> SmsChannel:
    return SmsChannel(SmsSettings(url="http://127.0.0.1:9/never", token="t", sender_id="SOCIALSEC"))


def test_payload_names_the_encoding() -> None:
    assert _channel().payload("+85620555512", LAO) == {"to": "+85620555512", "from": "SOCIALSEC", "text": LAO,
                                                       "encoding": "UCS-2"}
    assert _channel().payload("+992935551234", "Pay by 15 May")["encoding"] == "GSM-7"
    assert _channel().payload("+992935551234", TAJIK)["encoding"] == "UCS-2"


def test_too_long_a_text_is_refused_before_sending() -> None:
    assert sms_parts("ສ" * 201)[1] == MAX_PARTS
    _channel().payload("+85620555512", "ສ" * 201)
    with pytest.raises(SmsTooLong, match=r"4 UCS-2 parts; at most 3") as refused:
        # The address is unreachable: a refusal that came after trying to send would be a different error.
        _channel().send("+85620555512", "", "ສ" * 202, "lo")
    assert isinstance(refused.value, ValueError) and isinstance(refused.value, UndeliverableError)
    with pytest.raises(SmsTooLong, match=r"4 GSM-7 parts"):
        _channel().send("+85620555512", "", "x" * 460, "en")
    with pytest.raises(UndeliverableError, match="empty"):
        _channel().send("+85620555512", "", "  ", "en")


def test_sms_channel_is_configured_only_with_a_gateway() -> None:
    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 25, "MAIL_FROM": "a@example.test", "MAIL_USE_STARTTLS": False,
              "MAIL_USE_SSL": False, "MAIL_USERNAME": None, "MAIL_PASSWORD": None, "SMS_GATEWAY_URL": None,
              "SMS_GATEWAY_TOKEN": None, "SMS_SENDER_ID": "SOCIALSEC"}
    assert set(channels_from_config(config)) == {"email"}
    channels = channels_from_config({**config, "SMS_GATEWAY_URL": "https://sms.example.test/send",
                                     "SMS_GATEWAY_TOKEN": "secret", "SMS_SENDER_ID": "LSSO"})
    sms = channels["sms"]
    assert isinstance(sms, SmsChannel) and sms.name == "sms"
    assert sms.settings == SmsSettings(url="https://sms.example.test/send", token="secret", sender_id="LSSO")


def test_sms_go_to_the_log_only_when_asked_and_never_in_production(caplog) -> None:
    from notifications.channels.console import ConsoleChannel
    from portal.config import ConfigError, check_production

    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 25, "MAIL_FROM": "a@example.test", "MAIL_USE_STARTTLS": False,
              "MAIL_USE_SSL": False, "MAIL_USERNAME": None, "MAIL_PASSWORD": None, "SMS_GATEWAY_URL": None}
    assert "sms" not in channels_from_config(config)
    channel = channels_from_config({**config, "SMS_TO_LOG": True})["sms"]
    assert isinstance(channel, ConsoleChannel)
    channel.send("+85620555512", "", "Code 123456", "lo")
    assert "+85620555512" in caplog.text and "Code 123456" in caplog.text
    with pytest.raises(ConfigError, match="SMS_TO_LOG"):
        check_production({"SECRET_KEY": "x" * 64, "SESSION_COOKIE_SECURE": True, "SMS_TO_LOG": True})
