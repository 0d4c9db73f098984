"""Demo data of the notifications: the demo's people have read their older mail.

The demo replays three years of the programme in one run, so every reminder and notice of those years
would otherwise wait unread (Köln: about 200 on a late demo day). ``app/demo.py`` calls ``read_old_mail``
last, after the documents' notices: messages older than ``READ_AFTER`` before the demo day count as read
one day after they arrived, so the inbox shows what is new.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..platform.clock import BERLIN
from ..platform.extensions import db
from .models import Message

READ_AFTER = timedelta(days=14)


def read_old_mail(context) -> None:
    cutoff = datetime.combine(context.day - READ_AFTER, time(), tzinfo=BERLIN)
    for message in db.session.scalars(select(Message).where(Message.read_at.is_(None),
                                                            Message.created_at < cutoff)).all():
        message.read_at = message.created_at + timedelta(days=1)
    db.session.flush()
