"""Letters for post: a batch of notices printed as one A4 PDF, one letter a notice, each starting on a new
page (a long one takes more).  A letter carries the institution's letterhead, the employer's name and postal
address, the date and reference of the notice, its subject and body in the notice's language and, where the
notice has one, the copy in the second language after a rule (Tajik letters carry the Russian copy).  Each
page's footer gives the letter's reference and its page among the letter's pages.

The notice's subject and body are printed as they were written (``notices.notify``): the letter says what the
e-mail and the inbox said.  Every string goes through :func:`letter_content`, which returns translated,
formatted strings without touching reportlab; :func:`render_letters` lays them out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from io import BytesIO
from zoneinfo import ZoneInfo

from babel import Locale
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate, Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.schemes import Scheme
from employers.employers import Employer
from notifications.documents.formatting import Item, Text, all_strings, clean
from notifications.documents.layout import MARGIN, TOP_MARGIN, WIDTH, Rule, Styles, draw_footer, grid, para
from notifications.notices import LetterBatch, Notice


def _(text: str) -> str:
    """Mark a string for extraction; it is translated when the letter is built, in its language."""
    return text


_CHUNK = 1_000  # employers read a query


@dataclass(frozen=True)
class LetterContent:
    """Every string printed on one letter, already translated and formatted, without zero-width spaces."""

    language: str
    reference: str
    institution: str
    scheme: str
    recipient: list[str]  # the employer's name, then the lines of its postal address
    details: list[Item]  # date, reference, employer number
    subject: str
    body: list[list[str]]  # paragraphs, each a list of lines
    copy_language: str | None
    copy_heading: str  # "" when there is no copy
    copy_details: str
    copy_subject: str
    copy_body: list[list[str]]
    footer: str
    page_of: str  # "Page %(page)d of %(pages)d", filled in once the letter's pages are counted

    def value(self, key: str) -> str:
        """The value of the detail named ``key`` (KeyError if the letter has none)."""
        for item in self.details:
            if item.key == key:
                return item.value
        raise KeyError(key)

    def strings(self) -> list[str]:
        """Every string the letter is built from (for checks)."""
        return all_strings(self)


def reference_of(notice: Notice) -> str:
    """The reference a letter (and a reply to it) quotes: the notice's number."""
    return f"N-{notice.id}"


def paragraphs(text: str) -> list[list[str]]:
    """``text`` as paragraphs (separated by blank lines), each as its lines."""
    blocks = clean(text).replace("\r\n", "\n").split("\n\n")
    return [[line.strip() for line in block.split("\n") if line.strip()] for block in blocks if block.strip()]


@lru_cache(maxsize=32)
def _text(language: str, currency: str) -> Text:
    return Text(language, currency)


@lru_cache(maxsize=8)
def language_name(language: str) -> str:
    """The language's name in itself (``русский``, ``тоҷикӣ``)."""
    try:
        return Locale.parse(language).get_display_name(language) or language
    except (ValueError, LookupError):
        return language


def letter_content(notice: Notice, employer: Employer, scheme: Scheme, *, reference: str | None = None,
                   date: dt.date | None = None) -> LetterContent:
    """The letter of ``notice`` to ``employer``: in the notice's language, dated the day the notice was
    written (in the scheme's time zone) unless ``date`` is given."""
    reference = reference or reference_of(notice)
    t = _text(notice.language, scheme.currency)
    day = date or notice.created_at.astimezone(ZoneInfo(scheme.time_zone)).date()
    address = [line.strip() for line in clean(employer.address or "").replace("\r\n", "\n").split("\n")
               if line.strip()]
    number = employer.employer_number or ""
    copy_heading = copy_details = copy_subject = ""
    copy_body: list[list[str]] = []
    copy_language = notice.copy_language if notice.copy_language and notice.copy_body else None
    if copy_language:
        c = _text(copy_language, scheme.currency)
        copy_heading = c(_("Copy in %(language)s"), language=language_name(copy_language))
        copy_details = f"{c(_('Our reference'))}: {reference} · {c(_('Date'))}: {c.date(day)}"
        copy_subject, copy_body = clean(notice.copy_subject), paragraphs(notice.copy_body)
    return LetterContent(
        language=notice.language, reference=reference, institution=clean(scheme.institution_in(notice.language)),
        scheme=clean(scheme.name_in(notice.language)),
        recipient=[clean(employer.legal_name)] + address,
        details=[Item("date", t(_("Date")), t.date(day)), Item("reference", t(_("Our reference")), reference),
                 Item("employer_number", t(_("Employer number")), number)],
        subject=clean(notice.subject), body=paragraphs(notice.body),
        copy_language=copy_language, copy_heading=copy_heading, copy_details=copy_details,
        copy_subject=copy_subject, copy_body=copy_body,
        footer=f"{reference} · {t(_('Employer number'))}: {number}",
        page_of=t(_("Page %(page)d of %(pages)d")),
    )


def batch_letters(session: Session, batch: LetterBatch) -> list[LetterContent]:
    """The letters of a batch in the order they are printed (the oldest notice first)."""
    from notifications.letters import batch_notices

    scheme = session.get(Scheme, batch.scheme_code)
    notices = batch_notices(session, batch)
    ids = sorted({notice.employer_id for notice in notices})
    employers: dict[int, Employer] = {}
    for start in range(0, len(ids), _CHUNK):
        employers.update((employer.id, employer) for employer in session.scalars(
            select(Employer).where(Employer.id.in_(ids[start:start + _CHUNK]))))
    return [letter_content(notice, employers[notice.employer_id], scheme) for notice in notices]


def letter_batch_pdf(session: Session, batch: LetterBatch) -> bytes:
    """The batch's letters as one A4 PDF, each letter starting on a new page.  Raises ValueError for a batch
    without letters."""
    scheme = session.get(Scheme, batch.scheme_code)
    language = scheme.language_list[0] if scheme.language_list else "en"
    t = _text(language, scheme.currency)
    title = t(_("Letters of batch %(batch)s"), batch=batch.id)
    return render_letters(batch_letters(session, batch), title=title, author=clean(scheme.institution_in(language)),
                          language=language)


# --- Layout -------------------------------------------------------------------------------------------------


class _LetterStart(Flowable):
    """Takes no room; tells the canvas that the pages from here on are the letter's (for the footers)."""

    def __init__(self, number: int, footer: str, page_of: str) -> None:
        super().__init__()
        self.letter = (number, footer, page_of)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.letter = self.letter


class _LetterCanvas(Canvas):
    """Holds the pages back until the end so that each footer can say "page N of M" of its own letter."""

    def __init__(self, *args: object, styles: Styles, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict] = []
        self._styles = styles
        self.letter: tuple[int, str, str] = (0, "", "")

    def showPage(self) -> None:  # reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = Counter(state["letter"][0] for state in self._held)
        seen: Counter[int] = Counter()
        for state in self._held:
            self.__dict__.update(state)
            number, footer, page_of = state["letter"]
            seen[number] += 1
            draw_footer(self, seen[number], pages[number], left=footer, page_of=page_of, st=self._styles)
            super().showPage()
        super().save()


class _LetterStyles:
    def __init__(self, st: Styles) -> None:
        self.body = ParagraphStyle("letter_body", parent=st.text, fontSize=10, leading=15)
        self.item = ParagraphStyle("letter_item", parent=self.body, leftIndent=5 * mm, spaceBefore=0.5 * mm)
        self.subject = ParagraphStyle("letter_subject", parent=st.strong, fontSize=11.5, leading=17,
                                      spaceBefore=2 * mm, spaceAfter=3 * mm)
        self.recipient = ParagraphStyle("letter_recipient", parent=st.text, fontSize=10.5, leading=15.5)
        self.recipient_name = ParagraphStyle("letter_recipient_name", parent=self.recipient,
                                             fontName=st.strong.fontName)
        self.copy_heading = ParagraphStyle("letter_copy_heading", parent=st.heading, spaceBefore=1 * mm)


def _body(lines_of: list[list[str]], ls: _LetterStyles) -> list[Flowable]:
    story: list[Flowable] = []
    for block in lines_of:
        for line in block:
            story.append(para(line, ls.item if line.startswith("- ") else ls.body, WIDTH))
        story.append(Spacer(0, 2.5 * mm))
    return story


def _head(c: LetterContent, st: Styles, ls: _LetterStyles) -> list[Flowable]:
    """Letterhead, then the addressee on the left (where a window envelope shows it) and the letter's date
    and reference on the right."""
    left_width, right_width = WIDTH * 0.55, WIDTH * 0.45
    recipient = [para(line, ls.recipient_name if i == 0 else ls.recipient, left_width - 6 * mm)
                 for i, line in enumerate(c.recipient)]
    details = grid([[para(item.label, st.label, 30 * mm), para(item.value, st.value, right_width - 36 * mm)]
                    for item in c.details], [32 * mm, right_width - 32 * mm], ("LEFTPADDING", (0, 0), (0, -1), 0))
    return [para(c.institution, st.institution, WIDTH), para(c.scheme, st.scheme, WIDTH), Rule(WIDTH, 1.2),
            Spacer(0, 6 * mm),
            grid([[recipient, details]], [left_width, right_width], ("LEFTPADDING", (0, 0), (-1, -1), 0)),
            Spacer(0, 8 * mm)]


def _letter(c: LetterContent, number: int, st: Styles, ls: _LetterStyles) -> list[Flowable]:
    story: list[Flowable] = [_LetterStart(number, c.footer, c.page_of)] + _head(c, st, ls)
    story += [para(c.subject, ls.subject, WIDTH)] + _body(c.body, ls)
    if c.copy_language:
        story += [Spacer(0, 2 * mm), Rule(WIDTH, 0.6), para(c.copy_heading, ls.copy_heading, WIDTH),
                  para(c.copy_details, st.small, WIDTH), para(c.copy_subject, ls.subject, WIDTH)]
        story += _body(c.copy_body, ls)
    return story


def render_letters(letters: Sequence[LetterContent], *, title: str, author: str, language: str) -> bytes:
    """The letters as one A4 PDF, each starting on a new page.  Raises ValueError when there are none."""
    if not letters:
        raise ValueError("no letters to print")
    st = Styles()
    ls = _LetterStyles(st)
    story: list[Flowable] = []
    for number, content in enumerate(letters, start=1):
        if number > 1:
            story.append(PageBreak())
        story += _letter(content, number, st, ls)
    buffer = BytesIO()
    frame = Frame(MARGIN, MARGIN, WIDTH, A4[1] - MARGIN - TOP_MARGIN, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0)
    document = BaseDocTemplate(buffer, pagesize=A4, pageTemplates=[PageTemplate("page", [frame])], title=title,
                               author=author, subject=title, lang=language)
    document.build(story, canvasmaker=partial(_LetterCanvas, styles=st))
    return buffer.getvalue()
