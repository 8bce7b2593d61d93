"""The certificate of compliance: one A4 page, in the certificate's language, saying that on the day it was
issued the employer owed nothing overdue and had filed every declaration due, how long it is valid, and how
anyone can check it: the verification code, the public verification address and a QR code of it.

Every text goes through :func:`certificate_content`, which returns translated, formatted strings without
touching reportlab; :func:`certificate_pdf` lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table
from sqlalchemy.orm import Session

from contributions.certificates import ComplianceCertificate
from employers.employers import LANGUAGES, Employer
from notifications.documents.formatting import Item, Text, all_strings, clean, employer_items
from notifications.documents.layout import INK, SHADE, WIDTH, Rule, Styles, build_pdf, grid, item_table, para


def _(text: str) -> str:
    """Mark a string for extraction; it is translated when the certificate is built, in its language."""
    return text


QR_SIZE = 34 * mm


@dataclass(frozen=True)
class CertificateContent:
    """Every string printed on a certificate, already translated and formatted."""

    language: str
    institution: str
    scheme: str
    title: str
    employer_heading: str
    employer: list[Item]
    attestation: str
    certificate_heading: str
    certificate: list[Item]
    revoked: str  # empty unless the certificate was revoked (a copy printed afterwards says so)
    code_label: str
    code: str
    verify_heading: str
    verify_text: str
    verify_url: str
    footer: str
    page_of: str  # "Page %(page)d of %(pages)d", filled in once the pages are counted

    def value(self, key: str) -> str:
        """The value of the first item named ``key`` (KeyError if the certificate has none)."""
        for item in self.employer + self.certificate:
            if item.key == key:
                return item.value
        raise KeyError(key)

    def strings(self) -> list[str]:
        """Every string the PDF is built from (for checks)."""
        return all_strings(self)


def certificate_content(certificate: ComplianceCertificate, employer: Employer, *, verify_url: str,
                        language: str | None = None) -> CertificateContent:
    """The certificate's texts in ``language`` (default: the language it was issued in); ``verify_url`` is
    the public page that checks this certificate (its code included).  Raises ValueError for an unknown
    language."""
    language = language or certificate.language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    scheme = employer.scheme
    t = Text(language, scheme.currency)
    institution = clean(scheme.institution_in(language))
    revoked = ""
    if certificate.revoked_at is not None:
        revoked = t(_("This certificate was revoked on %(date)s and is no longer valid."),
                    date=t.date(certificate.revoked_at.astimezone(ZoneInfo(scheme.time_zone)).date()))
    return CertificateContent(
        language=language, institution=institution, scheme=clean(scheme.name_in(language)),
        title=t(_("Certificate of compliance")),
        employer_heading=t(_("Employer")), employer=employer_items(employer, t),
        attestation=t(_("%(institution)s certifies that on %(date)s this employer had no overdue contributions, "
                        "interest or fines, and no missing declarations."),
                      institution=institution, date=t.date(certificate.issued_on)),
        certificate_heading=t(_("Certificate")),
        certificate=[Item("issued_on", t(_("Issued on")), t.date(certificate.issued_on)),
                     Item("valid_until", t(_("Valid until")), t.date(certificate.valid_until))],
        revoked=revoked,
        code_label=t(_("Verification code")), code=certificate.code,
        verify_heading=t(_("Check this certificate")),
        verify_text=t(_("Anyone can check that this certificate is genuine and still valid on the institution's "
                        "verification page, with the verification code, or by scanning the QR code:")),
        verify_url=verify_url,
        footer=f"{t(_('Verification code'))}: {certificate.code}",
        page_of=t(_("Page %(page)d of %(pages)d")),
    )


def certificate_pdf(session: Session, certificate: ComplianceCertificate, *, verify_url: str,
                    language: str | None = None) -> bytes:
    """The certificate as a one-page A4 PDF, in ``language`` (default: the language it was issued in)."""
    employer = session.get(Employer, certificate.employer_id)
    return render_certificate(certificate_content(certificate, employer, verify_url=verify_url, language=language))


# --- Layout -------------------------------------------------------------------------------------------------


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0])
    drawing.add(widget)
    return drawing


def _code_box(c: CertificateContent, st: Styles) -> Table:
    code_style = ParagraphStyle("code", parent=st.reference, fontSize=18, leading=24, alignment=TA_CENTER)
    rows = [[para(c.code_label, st.small_center, WIDTH / 2)], [para(c.code, code_style, WIDTH / 2)]]
    return grid(rows, [WIDTH / 2 + 8 * mm], ("BOX", (0, 0), (-1, -1), 1.2, INK),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 2 * mm))


def _verification(c: CertificateContent, st: Styles) -> Table:
    text_width = WIDTH - QR_SIZE - 8 * mm
    url_style = ParagraphStyle("url", parent=st.value, fontSize=9.5)
    left = [para(c.verify_heading, st.heading, text_width), para(c.verify_text, st.text, text_width),
            Spacer(0, 2 * mm), para(c.verify_url, url_style, text_width)]
    return grid([[left, _qr(c.verify_url)]], [text_width + 4 * mm, QR_SIZE + 4 * mm],
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0))


def render_certificate(c: CertificateContent) -> bytes:
    st = Styles()
    statement = ParagraphStyle("attestation", parent=st.text, fontSize=11, leading=17)
    story: list[Flowable] = [para(c.institution, st.institution, WIDTH), para(c.scheme, st.scheme, WIDTH),
                             Rule(WIDTH, 1.2), Spacer(0, 4 * mm), para(c.title, st.title, WIDTH), Spacer(0, 4 * mm),
                             para(c.employer_heading, st.heading, WIDTH),
                             item_table(c.employer, st, [55 * mm, WIDTH - 55 * mm]), Spacer(0, 5 * mm),
                             para(c.attestation, statement, WIDTH), Spacer(0, 2 * mm),
                             para(c.certificate_heading, st.heading, WIDTH),
                             item_table(c.certificate, st, [55 * mm, WIDTH - 55 * mm])]
    if c.revoked:
        story.append(para(c.revoked, st.note, WIDTH))
    code = _code_box(c, st)
    code.hAlign = "CENTER"
    story += [Spacer(0, 6 * mm), code, Spacer(0, 6 * mm), Rule(WIDTH, 0.4), _verification(c, st)]
    return build_pdf(story, st, title=f"{c.title} {c.code}", author=c.institution, subject=c.scheme,
                     language=c.language, footer=c.footer, page_of=c.page_of)
