"""Letters for post: the notices that ask for something by a date (missed filings, assessments, overdue
notices, demands) printed in batches, one letter a notice.

``create_letter_batch`` takes a scheme's notices of those kinds that are in no batch yet, oldest first, and
puts them in a new ``LetterBatch``; a notice goes into one batch only, so a second batch never prints a letter
the first one printed.  ``letter_batch_pdf`` (``notifications.documents.letter``) prints the batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from common.audit import Actor, record_audit
from employers.employers import Employer
from notifications.notices import KINDS, LetterBatch, Notice
from notifications.outbox import Attachment, OutboxMessage

# The notices that go by post as well: those that ask the employer for something by a date.  Reminders come
# before the due date and receipts confirm what the employer did, so they stay electronic.
LETTER_KINDS = ("missed_filing", "assessment", "overdue", "demand")
ATTACHED_KINDS = ("assessment", "demand")  # notices whose e-mail carries the letter as a PDF
_CHUNK = 1_000  # notices updated a statement (keeps the bound parameters within every database's limit)


def _waiting(scheme_code: str, kinds: Sequence[str]):
    return (select(Notice.id).join(Employer, Employer.id == Notice.employer_id)
            .where(Employer.scheme_code == scheme_code, Notice.kind.in_(list(kinds)),
                   Notice.letter_batch_id.is_(None)))


def letters_waiting(session: Session, scheme_code: str, kinds: Sequence[str] = LETTER_KINDS) -> int:
    """How many of the scheme's notices of ``kinds`` are in no batch yet."""
    return session.scalar(select(func.count()).select_from(_waiting(scheme_code, kinds).subquery())) or 0


def create_letter_batch(session: Session, scheme_code: str, *, kinds: Sequence[str] = LETTER_KINDS, actor: Actor,
                        now: dt.datetime, limit: int = 5000) -> LetterBatch | None:
    """A new batch of the scheme's notices of ``kinds`` (by default those that ask for something by a date;
    ValueError for a kind that does not exist) that are in no batch yet, the oldest ``limit`` of them (None
    when there is none).  Flushes and audits; the caller commits.

    On PostgreSQL the notices are locked as they are chosen, skipping those another batch being created at
    the same moment has locked; everywhere a notice is only taken while it is still in no batch, so two
    batches never share a letter."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown notice kinds: {sorted(unknown)}")
    if limit < 1:
        return None
    query = _waiting(scheme_code, kinds).order_by(Notice.created_at, Notice.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Notice, skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        return None
    batch = LetterBatch(scheme_code=scheme_code, created_at=now, created_by=actor.label, letters=0)
    session.add(batch)
    session.flush()
    taken = 0
    for start in range(0, len(ids), _CHUNK):
        taken += session.execute(
            update(Notice).where(Notice.id.in_(ids[start:start + _CHUNK]), Notice.letter_batch_id.is_(None))
            .values(letter_batch_id=batch.id).execution_options(synchronize_session=False)).rowcount
    if not taken:  # another batch took them all in the meantime
        session.delete(batch)
        session.flush()
        return None
    batch.letters = taken
    # Notices already loaded in this session would still say they are in no batch.
    chosen = set(ids)
    for notice in list(session.identity_map.values()):
        if isinstance(notice, Notice) and notice.id in chosen:
            session.expire(notice, ["letter_batch_id"])
    session.flush()
    record_audit(session, actor=actor, action="letters.batch_created", now=now, object_type="letter_batch",
                 object_id=batch.id, summary=f"{scheme_code}: {taken} letter(s) ({', '.join(kinds)})")
    return batch


def letter_batches(session: Session, *, limit: int = 50, offset: int = 0) -> list[LetterBatch]:
    """The latest batches first."""
    return list(session.scalars(select(LetterBatch).order_by(LetterBatch.created_at.desc(), LetterBatch.id.desc())
                                .limit(limit).offset(offset)))


def batch_notices(session: Session, batch: LetterBatch) -> list[Notice]:
    """The notices of a batch in the order they are printed (oldest first)."""
    return list(session.scalars(select(Notice).where(Notice.letter_batch_id == batch.id)
                                .order_by(Notice.created_at, Notice.id)))


def notice_attachments(session: Session, message: OutboxMessage) -> list[Attachment]:
    """What the e-mail of a notice carries: the formal letter (PDF) of an assessment or a demand, which the
    employer may have to show or answer; nothing for the other notices, nor for messages that are not
    notices."""
    from notifications.documents.letter import letter_content, render_letters

    notice = session.get(Notice, message.notice_id) if message.notice_id else None
    if notice is None or notice.kind not in ATTACHED_KINDS:
        return []
    employer = session.get(Employer, notice.employer_id)
    letter = letter_content(notice, employer, employer.scheme)
    pdf = render_letters([letter], title=letter.subject, author=letter.institution, language=notice.language)
    return [(f"{letter.reference}.pdf", "application/pdf", pdf)]
