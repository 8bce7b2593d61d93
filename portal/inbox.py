"""Notices in the portal: the employer's inbox, and an employer's notices as staff see them.

The employer reads its notices under ``/employer/notices`` (newest first); opening one marks it read.  The
number of unread notices is in the navigation of every page and on the employer's home page, through the
``unread_notices()`` template global (one COUNT, once a request).  Staff see an employer's latest notices,
with how each was delivered, on the staff account page (the partial ``inbox/_staff.html`` reads them
through the ``staff_notices(employer)`` global), and each notice with every delivery attempt on its own
page.  Staff reading a notice does not mark it read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from employers.accounts import Role, User
from employers.employers import Employer
from notifications.notices import Notice, mark_read, notices_of, unread_count
from notifications.outbox import OutboxMessage, attempts_of
from portal.access import EMPLOYER, allow
from portal.database import db_session
from portal.web import now

bp = Blueprint("inbox", __name__)

PAGE_SIZE = 50
STAFF_SHOWN = 20
VIEWERS = (Role.INSPECTOR, Role.SUPERVISOR, Role.SYSADMIN)
_EMPLOYER_ROLES = frozenset(role.value for role in EMPLOYER)


@dataclass
class NoticeRow:
    notice: Notice
    messages: list[OutboxMessage]  # its e-mail and SMS, e-mail first


def deliveries_of(db, notice_ids: Iterable[int]) -> dict[int, list[OutboxMessage]]:
    """The outbox messages of each notice (e-mail before SMS); an empty list for a notice sent by none."""
    ids = list(dict.fromkeys(notice_ids))
    found: dict[int, list[OutboxMessage]] = {notice_id: [] for notice_id in ids}
    if not ids:
        return found
    for message in db.scalars(select(OutboxMessage).where(OutboxMessage.notice_id.in_(ids))
                              .order_by(OutboxMessage.channel, OutboxMessage.id)):
        found[message.notice_id].append(message)
    return found


def _rows(db, notices: list[Notice]) -> list[NoticeRow]:
    messages = deliveries_of(db, [notice.id for notice in notices])
    return [NoticeRow(notice, messages[notice.id]) for notice in notices]


def _page_arg() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)


# --- Template globals ---------------------------------------------------------------------------------------


@bp.app_template_global("unread_notices")
def _unread_notices() -> int | None:
    """How many of the employer's notices are unread, for an employer user (None for anyone else)."""
    if not (current_user.is_authenticated and current_user.role in _EMPLOYER_ROLES and current_user.employer_id):
        return None
    if "unread_notices" not in g:
        try:
            g.unread_notices = unread_count(db_session(), current_user.employer_id)
        except SQLAlchemyError:
            # An error page shown after the request's transaction failed must still render: no count then.
            return None
    return g.unread_notices


@bp.app_template_global("staff_notices")
def _staff_notices(employer: Employer) -> list[NoticeRow]:
    """The employer's latest notices with their delivery, for the staff account page."""
    db = db_session()
    return _rows(db, notices_of(db, employer.id, limit=STAFF_SHOWN))


@bp.app_template_global("staff_notices_shown")
def _staff_notices_shown() -> int:
    return STAFF_SHOWN


# --- The employer's inbox -----------------------------------------------------------------------------------


@bp.route("/employer/notices")
@allow(EMPLOYER)
def notices():
    employer = current_user.employer
    db = db_session()
    total = db.scalar(select(func.count()).select_from(Notice).where(Notice.employer_id == employer.id)) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(_page_arg(), pages)
    listed = notices_of(db, employer.id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("inbox/notices.html", employer=employer, notices=listed, total=total, page=page,
                           pages=pages)


@bp.route("/employer/notices/<int(max=2147483647):notice_id>")
@allow(EMPLOYER)
def notice(notice_id: int):
    """One notice; opening it marks it read (by this user, the first time)."""
    employer = current_user.employer
    db = db_session()
    record = db.get(Notice, notice_id)
    if record is None or record.employer_id != employer.id:
        abort(404)
    mark_read(db, record, user_id=current_user.id, now=now())
    return render_template("inbox/notice.html", employer=employer, notice=record,
                           messages=deliveries_of(db, [record.id])[record.id])


# --- Staff ----------------------------------------------------------------------------------------------------


@bp.route("/staff/employers/<int(max=2147483647):employer_id>/notices/<int(max=2147483647):notice_id>")
@allow(*VIEWERS)
def staff_notice(employer_id: int, notice_id: int):
    """A notice as staff see it: its text, who read it, and every try at delivering it.  Not marked read."""
    db = db_session()
    employer = db.get(Employer, employer_id)
    record = db.get(Notice, notice_id)
    if employer is None or record is None or record.employer_id != employer.id:
        abort(404)
    messages = deliveries_of(db, [record.id])[record.id]
    tries = attempts_of(db, [message.id for message in messages])
    attempts = sorted((attempt for message in messages for attempt in tries[message.id]),
                      key=lambda attempt: (attempt.attempted_at, attempt.id))
    reader = db.get(User, record.read_by_user_id) if record.read_by_user_id else None
    return render_template("inbox/staff_notice.html", employer=employer, notice=record, messages=messages,
                           attempts=attempts, reader=reader)
