"""A sample notice of any kind, in any language, for a scheme: what an employer would receive (subject, body,
SMS and the copy in the scheme's second language), with parameters like those the notices job and the
receipts use, for checking the texts and their translations (``portal notices preview``).  Nothing is written
to the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from common.period import Period
from common.schemes import Scheme
from contributions.calendar import period_due_date
from contributions.parameters import rules_on
from employers.employers import Employer
from notifications.documents.letter import LetterContent, letter_content, render_letters
from notifications.notices import KINDS, Notice, render_notice

SAMPLE_REFERENCE = "N-SAMPLE"
# Per currency: employee share, employer share, interest (the amounts of a small employer's month).
SAMPLE_AMOUNTS = {"LAK": ("165000", "180000", "7345"), "TJS": ("50.01", "500.10", "12.34")}
SAMPLE_EMPLOYERS = {
    "LA": ("ບໍລິສັດ ຕົວຢ່າງ ຈຳກັດ", "ບ້ານ ສີສະເກດ, ເມືອງ ຈັນທະບູລີ\nນະຄອນຫຼວງວຽງຈັນ", "LA00000018"),
    "TJ": ("ҶДММ «Намуна»", "кӯчаи Рӯдакӣ 1\nш. Душанбе, 734025", "0000000014"),
}


@dataclass(frozen=True)
class NoticePreview:
    kind: str
    language: str
    scheme_code: str
    subject: str
    body: str
    sms: str
    copy_language: str | None
    copy_subject: str
    copy_body: str
    letter: LetterContent

    def pdf(self) -> bytes:
        """The notice as a one-letter PDF, as a letter batch prints it."""
        return render_letters([self.letter], title=f"{self.subject} ({SAMPLE_REFERENCE})",
                              author=self.letter.institution, language=self.language)


def sample_params(session: Session, kind: str, scheme: Scheme, today: dt.date) -> dict:
    """Parameters like those the notices job (or the receipt) gives a notice of ``kind`` on ``today``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    category = scheme.employer_categories[0]["code"] if scheme.employer_categories else None
    employee, employer, interest = (Decimal(amount) for amount in SAMPLE_AMOUNTS.get(scheme.currency,
                                                                                       SAMPLE_AMOUNTS["TJS"]))
    last = Period.of(today).previous()
    if kind in ("overdue", "demand"):
        period = last.shift(-1 if kind == "overdue" else -2)
    else:
        period = last
    due = period_due_date(session, scheme.code, scheme.country, category, period)
    own = [["employee_share", str(employee)], ["employer_share", str(employer)]]
    if kind in ("filing_reminder", "missed_filing"):
        return {"period": str(period), "due": due.isoformat()}
    if kind == "assessment":
        return {"period": str(period), "due": due.isoformat(), "amount": str((employee + employer) * 3),
                "basis": "last_declared"}
    if kind in ("overdue", "demand"):
        days = max((today - due).days, 1)
        stage = 0 if kind == "overdue" else 1
        return {"period": str(period), "due": due.isoformat(), "as_of": today.isoformat(),
                "amount": str(employee + employer + interest), "days": days, "stage": stage,
                "components": own + [["interest", str(interest)]]}
    if kind in ("declaration_receipt", "inspection_assessment"):
        return {"period": str(period), "version": 1, "receipt": f"{scheme.country}-{period.year}-000123",
                "amount": str(employee + employer), "due": due.isoformat(), "case": "C-000042",
                "reference": f"{scheme.country}{period.year}{period.month:02d}0000123"}
    return {"amount": str(employee + employer), "paid_on": today.isoformat(), "balance": "0", "components": own}


def preview_notice(session: Session, kind: str, language: str, scheme: Scheme, *, today: dt.date, link: str,
                   now: dt.datetime) -> NoticePreview:
    """The sample notice of ``kind`` in ``language`` for a sample employer of ``scheme``, as ``notify`` would
    write it (with the copy in the scheme's second language where it requires one)."""
    name, address, number = SAMPLE_EMPLOYERS.get(scheme.country, SAMPLE_EMPLOYERS["LA"])
    params = {**sample_params(session, kind, scheme, today), "employer": name, "number": number}
    subject, body, sms = render_notice(kind, language, params, currency=scheme.currency,
                                       institution=scheme.institution_in(language), link=link)
    category = scheme.employer_categories[0]["code"] if scheme.employer_categories else None
    copy_language = rules_on(session, scheme.code, category, today).get("notice.copy_language") or None
    copy_language = copy_language if copy_language != language else None
    copy_subject = copy_body = ""
    if copy_language:
        copy_subject, copy_body, _sms = render_notice(kind, copy_language, params, currency=scheme.currency,
                                                      institution=scheme.institution_in(copy_language), link=link)
    # Transient objects, never added to the session: the letter is laid out as for a real notice.
    notice = Notice(kind=kind, language=language, subject=subject, body=body, sms=sms, copy_language=copy_language,
                    copy_subject=copy_subject, copy_body=copy_body, created_at=now)
    employer = Employer(legal_name=name, address=address, employer_number=number)
    letter = letter_content(notice, employer, scheme, reference=SAMPLE_REFERENCE, date=today)
    return NoticePreview(kind=kind, language=language, scheme_code=scheme.code, subject=subject, body=body, sms=sms,
                         copy_language=copy_language, copy_subject=copy_subject, copy_body=copy_body, letter=letter)
