"""The receipt an officer gives for money received at the institution's counter (cash or cheque), in the
employer's language: who paid what, when, and which debts it settled."""

from __future__ import annotations

from reportlab.lib.units import mm
from sqlalchemy.orm import Session

from contributions.account import allocations_of
from contributions.payments import Payment
from employers.employers import LANGUAGES, Employer
from notifications.documents.formatting import Item, Text, clean
from notifications.documents.layout import WIDTH, Rule, Styles, build_pdf, item_table, para


def _(text: str) -> str:
    """Mark a string for extraction; it is translated when the receipt is built, in its language."""
    return text


CHANNELS = {"cash": _("Cash"), "cheque": _("Cheque")}
COMPONENTS = {"employee_share": _("Employee share"), "employer_share": _("Employer share"), "interest": _("Interest"),
              "fine": _("Fine"), "assessment": _("Assessment"), "credit": _("Credit")}


def counter_receipt_pdf(session: Session, payment: Payment, language: str | None = None) -> bytes:
    """One page: the receipt number, the employer, the amount in figures, how and when it was paid, by whom,
    and what it settled.  Raises ValueError for a bank transfer (the bank's statement is its record)."""
    if payment.channel == "bank" or payment.employer_id is None:
        raise ValueError("only money received at the counter and matched to an employer has a counter receipt")
    employer = session.get(Employer, payment.employer_id)
    language = language or employer.preferred_language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    scheme = employer.scheme
    t = Text(language, payment.currency)
    st = Styles()
    facts = [Item("number", t(_("Receipt number")), payment.transaction_id),
             Item("received", t(_("Date received")), t.date(payment.value_date)),
             Item("amount", t(_("Amount")), t.money(payment.amount)),
             Item("channel", t(_("Paid in")), t(CHANNELS[payment.channel])),
             Item("payer", t(_("Paid by")), clean(payment.payer_name) or "—"),
             Item("reference", t(_("Reference or cheque number")), clean(payment.remittance) or "—"),
             Item("employer", t(_("Employer")), f"{clean(employer.legal_name)} · {employer.employer_number}"),
             Item("officer", t(_("Recorded by")), payment.recorded_by)]
    settled = [Item(f"{period}:{component}", f"{t.period(period)} · {t(COMPONENTS.get(component, component))}",
                    t.money(amount))
               for period, component, kind, amount in allocations_of(session, payment.id, employer.id)
               if kind == "payment"]
    story = [para(clean(scheme.institution_in(language)), st.institution, WIDTH),
             para(clean(scheme.name_in(language)), st.scheme, WIDTH), Rule(WIDTH, 1.2),
             para(t(_("Receipt for money received")), st.title, WIDTH),
             item_table(facts, st, [60 * mm, WIDTH - 60 * mm]),
             para(t(_("What the payment settled")), st.heading, WIDTH)]
    story.append(item_table(settled, st, [90 * mm, WIDTH - 90 * mm]) if settled
                 else para(t(_("Nothing is allocated from this payment.")), st.text, WIDTH))
    return build_pdf(story, st, title=t(_("Receipt for money received")), author=clean(scheme.institution_in(language)),
                     subject=payment.transaction_id, language=language, footer=payment.transaction_id,
                     page_of=t(_("Page %(page)d of %(pages)d")))
