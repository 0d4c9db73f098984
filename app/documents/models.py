"""An issued document: the PDF bytes as sent, with their SHA-256; rows are never changed afterwards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..platform.database import UTCDateTime
from ..platform.extensions import db
from ..reference.models import Kommune, Organisation


class Document(db.Model):
    """One issued document. ``object_type``/``object_id`` name what it decides (e.g. a drawdown).

    A corrected document is a new row whose ``replaces`` names the one it corrects.
    """

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("(kommune_id IS NULL) <> (organisation_id IS NULL)", name="one_recipient"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(80))  # the Aktenzeichen / number printed on it
    title: Mapped[str] = mapped_column(String(300))
    kommune_id: Mapped[int | None] = mapped_column(ForeignKey("kommunen.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)  # a Berichtigung (§ 42 VwVfG): why

    kommune: Mapped[Kommune | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    issued_by: Mapped[User | None] = relationship()
    replaces: Mapped[Document | None] = relationship(remote_side="Document.id")


@event.listens_for(Document, "before_update")
@event.listens_for(Document, "before_delete")
def _issued_is_final(_mapper, _connection, target: Document) -> None:
    raise ValueError(f"Das Dokument {target.id} wurde bereits erlassen und kann nicht geändert werden.")
