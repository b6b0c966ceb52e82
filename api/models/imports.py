"""Spreadsheet imports: the upload, its rows as read, and each row's outcome once planned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, new_id, utc_now
from .events import SEQUENCE


class Import(Base):
    """One uploaded file. Its rows are stored as read (ImportRow), so a worker on any machine
    can process them, chunk after chunk, and the report can be downloaded later."""

    __tablename__ = "imports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued, running, done, failed
    dry_run: Mapped[bool] = mapped_column(Boolean)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(8))  # csv or xlsx
    size: Mapped[int] = mapped_column(Integer)
    header: Mapped[list[str]] = mapped_column(JSON)  # the first row, as written in the file
    ignored_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)  # outcome -> rows, and "warnings"
    failures: Mapped[int] = mapped_column(Integer, default=0)  # chunks that raised, retried
    error: Mapped[str | None] = mapped_column(Text)
    # Who started it: the actor of every change it makes (None everywhere: the command line).
    actor_key_id: Mapped[str | None] = mapped_column(String(36))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    actor_organisation_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportFilePart(Base):
    """A piece of an uploaded file the worker has not read yet: the request stores the file as
    it is and answers at once; the worker reads it a piece at a time, then deletes it."""

    __tablename__ = "import_files"

    import_id: Mapped[str] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


def _given(key: str) -> Index:
    where = text(f"{key} IS NOT NULL")
    return Index(f"ix_import_rows_{key}", "import_id", key, sqlite_where=where, postgresql_where=where)


class ImportRow(Base):
    """A data row of an import: its cells as read, then its outcome (null until planned)."""

    __tablename__ = "import_rows"
    __table_args__ = (
        Index("ix_import_rows_import_number", "import_id", "number", unique=True),
        # The rows still to be planned: a chunk finds them without walking past the planned ones.
        Index("ix_import_rows_pending", "import_id", "number",
              sqlite_where=text("outcome IS NULL"), postgresql_where=text("outcome IS NULL")),
        # The earlier row of the file with the same identifier: found by the database.
        *(_given(key) for key in ("id_key", "siret_key", "vat_key", "name_key")),
    )

    id: Mapped[int] = mapped_column(SEQUENCE, primary_key=True, autoincrement=True)
    import_id: Mapped[str] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # the row number the spreadsheet shows
    cells: Mapped[list] = mapped_column(JSON)  # aligned with Import.header
    # Earlier rows of the same file naming the same supplier (an error), or a supplier with
    # the same name and postal code and no identifier (a warning).
    duplicate_of: Mapped[int | None] = mapped_column(Integer)
    similar_to: Mapped[int | None] = mapped_column(Integer)
    # Digests of the row's id, SIRET and VAT number, and of its name and postal code when it has
    # none of them: how each chunk finds the file's earlier rows for the same supplier.
    id_key: Mapped[str | None] = mapped_column(String(40))
    siret_key: Mapped[str | None] = mapped_column(String(40))
    vat_key: Mapped[str | None] = mapped_column(String(40))
    name_key: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(16))  # create, update, unchanged, invalid
    supplier_id: Mapped[str | None] = mapped_column(String(36))
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)  # fields an update changes
    errors: Mapped[list[dict]] = mapped_column(JSON, default=list)  # {column, field, message}
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
