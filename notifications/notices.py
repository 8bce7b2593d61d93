"""Notices to employers: reminders, missed-filing and assessment notices, overdue notices and demand letters,
receipts.  A notice is written once, in the employer's language (with a copy in a second language where
the scheme requires one), in the same transaction as the fact that causes it; its key (employer, kind,
period, stage) is unique, so a job run twice writes it once.  It appears in the employer's inbox and is
delivered through the outbox by e-mail and SMS; letters for post are printed in batches.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.audit import Actor, record_audit
from common.db import Base
from contributions.parameters import rules_on
from employers.employers import LANGUAGES, Employer
from employers.registration import local_today
from notifications.channels.sms import MAX_PARTS, sms_parts
from notifications.documents.formatting import Text as Writing
from notifications.outbox import queue_message


class LetterBatch(Base):
    """Notices printed together for post: one PDF, one letter a notice."""

    __tablename__ = "letter_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code"))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(255))
    letters: Mapped[int] = mapped_column(Integer)


class Notice(Base):
    __tablename__ = "notice"
    __table_args__ = (
        Index("ix_notice_employer_id_created_at", "employer_id", "created_at"),
        Index("ix_notice_letter_batch_id", "letter_batch_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    kind: Mapped[str] = mapped_column(String(40))
    period: Mapped[str | None] = mapped_column(String(7))
    stage: Mapped[int] = mapped_column(Integer, default=0)
    # kind:employer:period:stage, unique: the same notice is never written twice.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    sms: Mapped[str] = mapped_column(Text, default="")
    # A copy in a second language where the scheme requires it (Tajikistan: Russian beside Tajik).
    copy_language: Mapped[str | None] = mapped_column(String(2))
    copy_subject: Mapped[str] = mapped_column(String(255), default="")
    copy_body: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(255))
    read_at: Mapped[dt.datetime | None]
    read_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    letter_batch_id: Mapped[int | None] = mapped_column(ForeignKey("letter_batch.id"))


def _(text: str) -> str:
    """Mark a string for extraction; it is translated when the notice is written, in its language."""
    return text


KINDS = ("filing_reminder", "missed_filing", "assessment", "overdue", "demand", "declaration_receipt",
         "payment_received", "inspection_assessment")
# Notices that also go by SMS (short, to the employer's phone): the ones that ask for something by a date.
SMS_KINDS = ("filing_reminder", "missed_filing", "assessment", "overdue", "demand", "inspection_assessment")
SIGNATURE = _("%(institution)s\nThis notice was sent by the contributions portal. You can also read it in "
              "the portal, under Notices.")

# Subject, body, SMS.  Parameters are formatted in the notice's language before they are put in.
TEMPLATES: dict[str, tuple[str, str, str]] = {
    "filing_reminder": (
        _("Reminder: the declaration for %(period)s is due on %(due)s"),
        _("Dear %(employer)s (employer no. %(number)s),\n\n"
          "The declaration of contributions for %(period)s must be filed, and the contributions paid, by "
          "%(due)s. Our records do not show a declaration for this period yet.\n\n"
          "Please file it on the portal before that date: %(link)s\n\n"
          "If you have filed it in the meantime, please disregard this reminder."),
        _("%(institution)s: the declaration for %(period)s is due on %(due)s. Please file it on the portal."),
    ),
    "missed_filing": (
        _("The declaration for %(period)s was not filed on time"),
        _("Dear %(employer)s (employer no. %(number)s),\n\n"
          "The declaration of contributions for %(period)s was due on %(due)s, and we have not received it. "
          "A declaration filed late is subject to a fine, which grows with the delay, and a period that is "
          "not declared may be assessed: the contributions are then estimated and charged to your account.\n\n"
          "Please file the declaration without delay: %(link)s"),
        _("%(institution)s: the declaration for %(period)s, due on %(due)s, was not received. Please file it "
          "now."),
    ),
    "assessment": (
        _("Contributions for %(period)s assessed: %(amount)s"),
        _("Dear %(employer)s (employer no. %(number)s),\n\n"
          "No declaration has been filed for %(period)s, although workers were employed. The contributions "
          "for this period have therefore been estimated at %(amount)s (%(basis)s) and charged to your "
          "account, due on %(due)s.\n\n"
          "File the declaration for %(period)s: the contributions you declare will then replace the estimate, "
          "and what you have paid towards it will be counted. %(link)s"),
        _("%(institution)s: contributions for %(period)s estimated at %(amount)s. File the declaration to "
          "replace the estimate."),
    ),
    "overdue": (
        _("Payment overdue for %(period)s: %(amount)s"),
        _("Dear %(employer)s (employer no. %(number)s),\n\n"
          "The contributions for %(period)s were due on %(due)s and %(amount)s had not been paid on %(as_of)s:\n\n"
          "%(components)s\n\n"
          "Late-payment interest is charged for each day of delay until payment. Please pay without delay "
          "with the payment reference of the declaration. %(link)s"),
        _("%(institution)s: %(amount)s overdue for %(period)s (due %(due)s). Please pay now."),
    ),
    "demand": (
        _("Demand for payment no. %(stage)s: %(amount)s for %(period)s"),
        _("Dear %(employer)s (employer no. %(number)s),\n\n"
          "Despite our earlier notices, the following amounts for %(period)s, due on %(due)s, remained unpaid "
          "on %(as_of)s, %(days)s days after the due date:\n\n"
          "%(components)s\n\n"
          "Total: %(amount)s, including interest to date.\n\n"
          "We demand payment of this amount within 10 days. If it is not paid, interest will continue to be "
          "charged and the institution may take the measures the law provides for the recovery of "
          "contributions, including an inspection and enforcement. If you have paid in the meantime, or if "
          "you dispute the amount, please contact us. %(link)s"),
        _("%(institution)s: demand no. %(stage)s, %(amount)s unpaid for %(period)s. Pay within 10 days to "
          "avoid enforcement."),
    ),
    "declaration_receipt": (
        _("Declaration for %(period)s received (receipt no. %(receipt)s)"),
        _("Dear %(employer)s (employer no. %(number)s),\n\n"
          "We have received your declaration for %(period)s (version %(version)s), receipt no. %(receipt)s.\n\n"
          "Contributions declared: %(amount)s, due on %(due)s.\n"
          "Payment reference: %(reference)s\n\n"
          "Please write the payment reference on your transfer so that the payment is matched to this "
          "declaration. %(link)s"),
        "",
    ),
    "payment_received": (
        _("Payment of %(amount)s received"),
        _("Dear %(employer)s (employer no. %(number)s),\n\n"
          "We have received your payment of %(amount)s, paid on %(paid_on)s, and applied it to your account:"
          "\n\n%(components)s\n\n"
          "Your balance is now %(balance)s. %(link)s"),
        "",
    ),
    "inspection_assessment": (
        _("Inspection %(case)s: contributions for %(period)s assessed"),
        _("Dear %(employer)s (employer no. %(number)s),\n\n"
          "Inspection %(case)s found wages or workers for %(period)s that were not declared. A corrective "
          "declaration has been filed for this period on your behalf (receipt no. %(receipt)s), and "
          "%(amount)s has been added to your account, due on %(due)s. Late-payment interest runs from that "
          "date.\n\n"
          "Payment reference: %(reference)s\n\n"
          "If you disagree with the assessment, please contact the inspector in charge of the case. %(link)s"),
        _("%(institution)s: inspection %(case)s assessed %(amount)s for %(period)s. Please pay with reference "
          "%(reference)s."),
    ),
}
# How each component is named in a notice's list of amounts.
COMPONENT_NAMES = {"employee_share": _("Employee share"), "employer_share": _("Employer share"),
                   "interest": _("Interest"), "fine": _("Fine"), "assessment": _("Assessment"),
                   "credit": _("Credit")}
BASIS_NAMES = {"last_declared": _("the contributions last declared, with an uplift"),
               "head_count": _("the number of workers times the minimum contributions, with an uplift")}


def render_notice(kind: str, language: str, params: dict, *, currency: str, institution: str,
                  link: str) -> tuple[str, str, str]:
    """Subject, body (with the signature) and SMS text of a notice in ``language``, with amounts, dates and
    periods written as that language writes them."""
    t = Writing(language, currency)
    values: dict[str, object] = {"institution": institution, "link": link}
    for name, value in params.items():
        if name in ("due", "as_of", "paid_on"):
            values[name] = t.date(dt.date.fromisoformat(value))
        elif name == "period":
            values[name] = t.period(value)
        elif name in ("amount", "balance"):
            values[name] = t.money(Decimal(value))
        elif name == "components":
            values[name] = "\n".join(f"- {t(COMPONENT_NAMES.get(component, component))}: {t.money(Decimal(amount))}"
                                      for component, amount in value)
        elif name == "basis":
            values[name] = t(BASIS_NAMES[value])
        elif isinstance(value, int):
            values[name] = t.count(value)
        else:
            values[name] = value
    subject, body, sms = TEMPLATES[kind]
    signature = t(SIGNATURE, institution=institution)
    return t(subject, **values), t(body, **values) + "\n\n" + signature, (t(sms, **values) if sms else "")


def sms_fits(text: str) -> bool:
    """Whether the SMS text fits the gateway's limit (three parts); a longer one is not sent by SMS."""
    return sms_parts(text)[1] <= MAX_PARTS


def notice_key(kind: str, employer_id: int, period: str | None, stage: int) -> str:
    return f"{kind}:{employer_id}:{period or '-'}:{stage}"


def notify(session: Session, employer: Employer, kind: str, *, period: str | None = None, stage: int = 0,
           params: dict, actor: Actor, now: dt.datetime, link: str) -> Notice | None:
    """Write notice ``kind`` for the employer (once: None when it exists already) in its language, with a
    copy in the scheme's second language where one is required, and queue it by e-mail (and by SMS for the
    notices that ask for something by a date).  Flushes; the caller's transaction commits it with the fact
    that caused it."""
    key = notice_key(kind, employer.id, period, stage)
    if session.scalar(select(Notice.id).where(Notice.key == key)) is not None:
        return None
    scheme = employer.scheme
    language = employer.preferred_language if employer.preferred_language in LANGUAGES else "en"
    rules = rules_on(session, scheme.code, employer.category, local_today(scheme, now))
    copy_language = rules.get("notice.copy_language")
    copy_language = copy_language if copy_language and copy_language != language else None
    params = {**params, "employer": employer.legal_name, "number": employer.employer_number or ""}
    subject, body, sms = render_notice(kind, language, params, currency=scheme.currency,
                                       institution=scheme.institution_in(language), link=link)
    copy_subject = copy_body = ""
    if copy_language:
        copy_subject, copy_body, _copy_sms = render_notice(kind, copy_language, params, currency=scheme.currency,
                                                           institution=scheme.institution_in(copy_language),
                                                           link=link)
    notice = Notice(employer_id=employer.id, kind=kind, period=period, stage=stage, key=key, language=language,
                    subject=subject[:255], body=body, sms=sms, copy_language=copy_language,
                    copy_subject=copy_subject[:255], copy_body=copy_body, params=params, created_at=now,
                    created_by=actor.label)
    try:
        with session.begin_nested():  # two writers of the same notice at once: the unique key keeps one
            session.add(notice)
            session.flush()
    except IntegrityError:
        return None
    email_body = body if not copy_language else f"{body}\n\n----\n\n{copy_subject}\n\n{copy_body}"
    if employer.email:
        queue_message(session, channel="email", recipient=employer.email, kind=f"notice.{kind}", language=language,
                      subject=subject[:255], body=email_body, now=now, employer_id=employer.id, notice_id=notice.id)
    if sms and kind in SMS_KINDS and employer.phone and sms_fits(sms):
        queue_message(session, channel="sms", recipient=employer.phone, kind=f"notice.{kind}", language=language,
                      subject="", body=sms, now=now, employer_id=employer.id, notice_id=notice.id)
    record_audit(session, actor=actor, action="notice.written", now=now, object_type="notice", object_id=notice.id,
                 summary=f"{employer.employer_number} {kind} {period or ''} stage {stage} ({language})")
    return notice


def notices_of(session: Session, employer_id: int, *, limit: int = 50, offset: int = 0) -> list[Notice]:
    return list(session.scalars(select(Notice).where(Notice.employer_id == employer_id)
                                .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit).offset(offset)))


def unread_count(session: Session, employer_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notice).where(Notice.employer_id == employer_id,
                                                                         Notice.read_at.is_(None))) or 0


def mark_read(session: Session, notice: Notice, *, user_id: int | None, now: dt.datetime) -> None:
    if notice.read_at is None:
        notice.read_at, notice.read_by_user_id = now, user_id
        session.flush()
