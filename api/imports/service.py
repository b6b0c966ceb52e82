"""Importing suppliers from a spreadsheet: read it, plan each row, apply the valid ones.

`upload` (the request) refuses at once a file that cannot be used (not a
spreadsheet, empty, over a limit, a required column missing, the header not on
row 1); it processes a file of up to ANSWERED_AT_ONCE_ROWS rows there and then,
and stores a larger one as it is, for the worker to read (`read_file`, the
import's first step: a file found unusable only then fails, no row stored).
`start_import` (the command line) reads and stores every row at once. The rows
are stored as read, so that any worker can process them; `process_chunk` then
takes the next CHUNK_ROWS rows and gives each its outcome:

- `create`, `update` (matched by Proxisource id, else SIRET, else VAT number:
  only the file's columns are changed), or `unchanged` (the row says what is
  stored already);
- `invalid`, with the API's own field-level messages, named by column.

Every row is checked by the supplier service's own rules (`preview_supplier`);
unless it is a dry run, the chunk's rows to create or update are then written
together through `create_suppliers`/`update_suppliers` (one flush for all of
them), history (with the import's id), events and search-outbox rows
included; should that fail, each row is written again on its own, in a
savepoint, so that only the rows at fault become invalid. A chunk is written
in one transaction with its rows' outcomes, so it lands whole or not at all,
and a chunk that failed is simply taken again; importing the same file twice
makes every row `unchanged` the second time.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import BinaryIO

from marshmallow import ValidationError
from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from schemas.fast_load import fast_loader
from schemas.suppliers import SupplierPatchSchema, SupplierWriteSchema

from .. import places
from ..db import utc_now
from ..errors import flatten_messages
from ..exceptions import Conflict, InvalidFile, NotFound, RuleError, TooLarge
from ..models import Import, ImportFilePart, ImportRow, Site, Supplier
from ..principal import Principal
from ..suppliers import service as suppliers
from ..suppliers.records import diff, snapshot
from . import columns, labels, reading, rows
from .columns import normalise

CHUNK_ROWS = 500
ANSWERED_AT_ONCE_ROWS = 500  # an upload of up to this many rows is processed in the request
FILE_PART_BYTES = 1 << 20  # a stored upload's pieces
INSERT_BATCH = 1_000
HEADER_SEARCH_ROWS = 10  # rows looked at for a header that is not on row 1
MAX_FAILURES = 3
OUTCOMES = ("create", "update", "unchanged", "invalid")
MATCHED_ON = ("id", "siret", "vat_number", "legal_name", "site_1_postal_code")
# The API's schemas, loaded without marshmallow's per-field overhead (the same results and messages).
load_create, load_patch = fast_loader(SupplierWriteSchema()), fast_loader(SupplierPatchSchema())

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Layout:
    """What each column of a file holds."""

    header: list[str]  # as the file writes it
    names: list[str | None]  # canonical name of each column; None: not read

    @classmethod
    def of(cls, header: list[str]) -> Layout:
        return cls(header, [columns.canonical(title) or None for title in header])

    def values(self, cells: list) -> dict[str, reading.Cell]:
        """Each known column's cell, by canonical name (None past the row's last cell)."""
        width = len(cells)
        return {name: cells[i] if i < width else None for i, name in self._read}

    def keys(self, cells: list) -> dict[str, reading.Cell]:
        """The cells a row is matched on (its identity, its name and postal code): all that
        storing a row needs, a few columns of the file's many."""
        width = len(cells)
        return {name: cells[i] if i < width else None for i, name in self._keys}

    @cached_property
    def _read(self) -> list[tuple[int, str]]:
        return [(i, name) for i, name in enumerate(self.names) if name]

    @cached_property
    def _keys(self) -> list[tuple[int, str]]:
        return [(i, name) for i, name in self._read if name in MATCHED_ON]

    @cached_property
    def headers(self) -> dict[str, str]:
        return {name: self.header[i] for i, name in enumerate(self.names) if name}

    @cached_property
    def shape(self) -> rows.Shape:
        return rows.Shape.of(self.headers)

    def column(self, name: str) -> str:
        return self.headers.get(name, name)


def hold_reference_data() -> None:
    """Load what planning a row looks up (the vocabularies, the French places) before the first
    chunk, then leave everything loaded so far out of the garbage collector's scans: it lives as
    long as the process (a worker, the command line), and scanning it again at every collection
    made a dry run 15 % slower."""
    labels.preload()
    places.preload()
    gc.freeze()


# --- upload -----------------------------------------------------------------------------------


def upload(session: Session, filename: str, file: BinaryIO, *, dry_run: bool,
           principal: Principal | None) -> Import:
    """An upload (the request): a file that cannot be used is refused at once; one of up to
    ANSWERED_AT_ONCE_ROWS rows is processed now (the import is done); a larger one is stored as
    it is, queued for the worker, which reads its rows (`read_file`), then plans them."""
    sheet, layout, imported = _begin(session, filename, file, dry_run=dry_run, principal=principal)
    head = list(islice(sheet.rows, ANSWERED_AT_ONCE_ROWS + 1))
    if len(head) <= ANSWERED_AT_ONCE_ROWS:
        _store_all(session, imported, layout, iter(head))
        return run(session, imported)
    sheet.rows.close()  # done with reading: the file is scanned and stored from its start now
    if reading.rows_at_most(file, imported.format) > reading.MAX_ROWS:
        for _ in reading.read(file).rows:  # perhaps over the row limit: counted (refused when it is)
            pass
    _store_file(session, imported.id, file)
    return imported


def start_import(session: Session, filename: str, file: BinaryIO, *, dry_run: bool,
                 principal: Principal | None) -> Import:
    """Read the whole file now and store its rows as a queued import (the command line)."""
    sheet, layout, imported = _begin(session, filename, file, dry_run=dry_run, principal=principal)
    _store_all(session, imported, layout, sheet.rows)
    return imported


def read_file(session: Session, imported: Import) -> int:
    """Read and store the rows of an import's stored file, then drop the file; how many rows.
    A file found unusable only now (a row too wide, over the row limit) raises InvalidFile or
    TooLarge: its rows are rolled back with the caller's transaction."""
    with tempfile.TemporaryFile() as spooled:
        parts = session.scalars(select(ImportFilePart.data).where(ImportFilePart.import_id == imported.id)
                                .order_by(ImportFilePart.part).execution_options(yield_per=1))
        for data in parts:
            spooled.write(data)
        spooled.seek(0)
        sheet = reading.read(spooled)
        next(sheet.rows)  # the header, checked at upload
        _store_all(session, imported, Layout.of(imported.header), sheet.rows)
    _drop_file(session, imported)
    return imported.rows_total


def has_file(session: Session, imported: Import) -> bool:
    """Whether the import's file is still to be read."""
    return session.scalar(select(ImportFilePart.part).where(ImportFilePart.import_id == imported.id)
                          .limit(1)) is not None


def _begin(session: Session, filename: str, file: BinaryIO, *, dry_run: bool,
           principal: Principal | None) -> tuple[reading.Sheet, Layout, Import]:
    """The file's sheet (its header read) and its new import; refused when the file cannot be used."""
    sheet = reading.read(file)
    _, first = next(sheet.rows, (1, []))
    header = [rows.text(cell) or "" for cell in first]
    layout = _checked_layout(header, sheet.rows)
    imported = Import(status="queued", dry_run=dry_run, filename=filename[:255], format=sheet.format,
                      size=sheet.size, header=header, rows_total=0, rows_done=0,
                      counts=dict.fromkeys(OUTCOMES, 0) | {"warnings": 0}, failures=0,
                      ignored_columns=[title for title, name in zip(header, layout.names)
                                       if name is None and title and columns.canonical(title) is None],
                      actor_key_id=principal.key_id if principal else None,
                      actor_role=principal.role if principal else None,
                      actor_organisation_id=principal.organisation_id if principal else None)
    session.add(imported)
    session.flush()
    return sheet, layout, imported


def _store_file(session: Session, import_id: str, file: BinaryIO) -> None:
    """The file as it is, a FILE_PART_BYTES piece at a time (never whole in memory)."""
    file.seek(0)
    part = 0
    while data := file.read(FILE_PART_BYTES):
        # A Core insert: the session keeps no object (and no copy of the bytes) per part.
        session.execute(insert(ImportFilePart), [{"import_id": import_id, "part": part, "data": data}])
        part += 1
    file.seek(0)


def _drop_file(session: Session, imported: Import) -> None:
    session.execute(delete(ImportFilePart).where(ImportFilePart.import_id == imported.id))


def _checked_layout(header: list[str], following) -> Layout:
    layout = Layout.of(header)
    seen: dict[str, str] = {}
    for title, name in zip(header, layout.names):
        if name and name in seen:
            raise InvalidFile(f"Two columns say {name}: '{seen[name]}' and '{title}'. Keep one.")
        if name:
            seen[name] = title
    missing = [name for name in columns.REQUIRED if name not in seen]
    if not missing:
        return layout
    for number, cells in following:
        if number > HEADER_SEARCH_ROWS:
            break
        names = {columns.canonical(rows.text(cell) or "") for cell in cells}
        if set(columns.REQUIRED) <= names:
            raise InvalidFile(f"The header must be on row 1, and it is on row {number}: "
                              "delete the rows above it.")
    french = {f.key: f.fr for f in columns.FIELDS} | {"site_1_city": "site_1_ville"}
    raise InvalidFile("Missing required column(s): " + ", ".join(
        f"{name} (or {french[name]})" for name in missing) + ". The template has every column: "
        "GET /api/v1/imports/template.csv.")


def _store_all(session: Session, imported: Import, layout: Layout, sheet_rows) -> None:
    imported.rows_total = _store_rows(session, imported.id, layout, sheet_rows)
    if not imported.rows_total:
        raise InvalidFile("The file has a header but no rows under it.")
    _link_earlier_rows(session, imported.id)


def _store_rows(session: Session, import_id: str, layout: Layout, sheet_rows) -> int:
    """Insert the rows in batches, each with the keys that find the file's other rows for the
    same supplier (`_link_earlier_rows`); how many. Core inserts: the ORM's bulk path cost twice as
    much per row."""
    batch, total = [], 0
    for number, cells in sheet_rows:
        values = layout.keys(cells)
        who = rows.identity(values)
        name = None if who.given else _name_key(rows.text(values.get("legal_name")),
                                                rows.text(values.get("site_1_postal_code")))
        batch.append({"import_id": import_id, "number": number, "cells": cells, "id_key": _digest(who.id),
                      "siret_key": _digest(who.siret), "vat_key": _digest(who.vat_number),
                      "name_key": _digest(name and "\x1f".join(name)),
                      "changes": [], "errors": [], "warnings": []})
        if len(batch) == INSERT_BATCH:
            session.execute(insert(ImportRow.__table__), batch)
            total, batch = total + len(batch), []
    if batch:
        session.execute(insert(ImportRow.__table__), batch)
        total += len(batch)
    return total


def _digest(key: str | None) -> str | None:
    """A key of bounded length for any cell (an index cannot take a 100,000-character one)."""
    return hashlib.blake2b(key.encode(), digest_size=20).hexdigest() if key else None


def _link_earlier_rows(session: Session, import_id: str) -> None:
    """Each stored row's `duplicate_of`, the file's first row naming the same supplier (same id,
    else SIRET, else VAT number), and `similar_to`, its first row without identifier of the same
    name and postal code: found by the database in one statement once the rows are stored, so
    nothing grows with the file in memory and no chunk has to ask."""
    table = ImportRow.__table__

    def earlier_with_same(key: str):
        """The first row with the row's `key`, unless it is the row itself (NULL)."""
        earlier = table.alias("earlier")
        # `number + 0`: SQLite would otherwise walk the (import_id, number) index for the minimum
        # rather than seek the key's own index, row after row.
        first = (select(func.min(earlier.c.number + 0))
                 .where(earlier.c.import_id == table.c.import_id, earlier.c[key] == table.c[key]).scalar_subquery())
        return func.nullif(first, table.c.number)

    duplicate_of = func.coalesce(*(earlier_with_same(key) for key in ("id_key", "siret_key", "vat_key")))
    similar_to = earlier_with_same("name_key")
    # The condition asks the same subqueries: only the few rows with an earlier one are rewritten.
    session.execute(update(table).where(table.c.import_id == import_id,
                                        or_(duplicate_of.isnot(None), similar_to.isnot(None)))
                    .values(duplicate_of=duplicate_of, similar_to=similar_to))


def _name_key(name: str | None, postal_code: str | None) -> tuple[str, str] | None:
    return (normalise(name), postal_code) if name and postal_code else None


# --- processing -------------------------------------------------------------------------------


@dataclass
class _PendingRow:
    """A stored row being planned: read and written back with Core statements, a chunk at a time
    (the ORM's bookkeeping of 500 objects cost as much as planning them)."""

    id: int
    number: int
    cells: list
    duplicate_of: int | None
    similar_to: int | None
    outcome: str | None = None
    supplier_id: str | None = None
    changes: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_OUTCOME_COLUMNS = ("outcome", "supplier_id", "changes", "errors", "warnings")


def _pending_rows(session: Session, import_id: str) -> list[_PendingRow]:
    """The next CHUNK_ROWS rows without an outcome, in file order."""
    table = ImportRow.__table__
    return [_PendingRow(*found) for found in session.execute(
        select(table.c.id, table.c.number, table.c.cells, table.c.duplicate_of, table.c.similar_to)
        .where(table.c.import_id == import_id, table.c.outcome.is_(None))
        .order_by(table.c.number).limit(CHUNK_ROWS))]


def _store_outcomes(session: Session, planned: list[_PendingRow]) -> None:
    table = ImportRow.__table__
    if planned:
        session.execute(update(table).where(table.c.id == bindparam("row_id")),
                        [{"row_id": row.id, **{name: getattr(row, name) for name in _OUTCOME_COLUMNS}}
                         for row in planned])


def process_chunk(session: Session, imported: Import) -> int:
    """Plan (and unless a dry run, apply) the next CHUNK_ROWS rows; how many. Marks the import
    done after its last row. An import whose file is still to be read has it read first, on its
    own (how many rows it stored)."""
    if imported.started_at is None:
        imported.started_at = utc_now()
    imported.status = "running"
    if has_file(session, imported):
        return read_file(session, imported)
    pending = _pending_rows(session, imported.id)
    layout = Layout.of(imported.header)
    chunk = [(row, values, rows.identity(values)) for row in pending for values in [layout.values(row.cells)]]
    known = _Known.load(session, [(values, who) for _, values, who in chunk])
    writes = [write for row, values, who in chunk
              if (write := _settle(session, layout, row, values, who, known)) is not None]
    if not imported.dry_run:
        _write_all(session, imported, writes, known)
    counts = dict(imported.counts)
    for row in pending:
        counts[row.outcome] += 1
        counts["warnings"] += bool(row.warnings)
    imported.counts = counts
    _store_outcomes(session, pending)
    imported.rows_done += len(pending)
    if imported.rows_done >= imported.rows_total:
        imported.status, imported.finished_at = "done", utc_now()
    session.flush()
    return len(pending)


def run(session: Session, imported: Import) -> Import:
    """Every remaining chunk, in the caller's transaction (a small import, answered at once)."""
    while imported.status != "done" and process_chunk(session, imported):
        pass
    return imported


def import_job(session: Session) -> int:
    """Worker job: the next chunk of the oldest unfinished import (claimed, so that two workers
    never take the same one); how many rows. A chunk that raises is rolled back and taken again,
    up to MAX_FAILURES times, then the import is parked as failed with the error."""
    imported = session.scalar(select(Import).where(Import.status.in_(("queued", "running")))
                              .order_by(Import.created_at, Import.id).limit(1)
                              .with_for_update(skip_locked=True))
    if imported is None:
        return 0
    try:
        with session.begin_nested():
            return process_chunk(session, imported)
    except OperationalError:
        raise  # the database is down: the worker tries again next tick
    except (InvalidFile, TooLarge) as error:  # found only once every row was read: refused whole
        _fail(session, imported, error.detail)
        return 1
    except Exception as error:  # a bug in one import must not stop the others
        log.exception("import %s: a chunk failed", imported.id)
        imported.failures += 1
        if imported.failures >= MAX_FAILURES:
            _fail(session, imported, f"{type(error).__name__}: {error}")
        else:
            imported.error = f"{type(error).__name__}: {error}"
        return 1


def _fail(session: Session, imported: Import, error: str) -> None:
    imported.status, imported.error, imported.finished_at = "failed", error, utc_now()
    _drop_file(session, imported)


def principal_of(imported: Import) -> Principal | None:
    if imported.actor_role in (None, "system"):
        return None
    return Principal(imported.actor_role, imported.actor_organisation_id, imported.actor_key_id)


@dataclass
class _Known:
    """The stored suppliers a chunk's rows may name: by id, SIRET or VAT, and by name and
    postal code for rows without any identifier."""

    by_identifier: dict[tuple[str, str], Supplier]
    by_name: dict[tuple[str, str], list[Supplier]]
    siret_holders: dict[str, str]  # every registered SIRET of the chunk -> its supplier
    twins: set[str] = field(default_factory=set)  # of those, the ones a row already stands for

    @classmethod
    def load(cls, session: Session, chunk: list[tuple[dict, rows.Identity]]) -> _Known:
        identities = [who for _, who in chunk]
        ids = {who.id for who in identities if who.id}
        sirets = {who.siret for who in identities if who.siret}
        vats = {who.vat_number for who in identities if who.vat_number}
        found = list(session.scalars(select(Supplier).options(*suppliers.load_options()).where(or_(
            Supplier.id.in_(ids), Supplier.siret.in_(sirets), Supplier.vat_number.in_(vats))))) if (
            ids or sirets or vats) else []
        by_identifier = {}
        for supplier in found:
            for kind in ("id", "siret", "vat_number"):
                if getattr(supplier, kind):
                    by_identifier[(kind, getattr(supplier, kind))] = supplier
        postal_codes = {rows.text(values.get("site_1_postal_code")) for values, who in chunk if not who.given} - {None}
        by_name: dict[tuple[str, str], list[Supplier]] = {}
        if postal_codes:
            for supplier, postal_code in session.execute(
                    select(Supplier, Site.postal_code).join(Site).where(Site.postal_code.in_(postal_codes))
                    .options(*suppliers.load_options())):
                by_name.setdefault(_name_key(supplier.legal_name, postal_code), []).append(supplier)
        holders = {value: supplier.id for (kind, value), supplier in by_identifier.items() if kind == "siret"}
        return cls(by_identifier, by_name, holders)

    def match(self, who: rows.Identity) -> Supplier | None:
        """The supplier the row names (None: a new one); NotFound for an unknown id, Conflict
        when its identifiers name different suppliers."""
        named = {kind: self.by_identifier.get((kind, value)) for kind, value in vars(who).items() if value}
        if who.id and named["id"] is None:
            raise NotFound(f"No supplier {who.id}: clear the id to create it again.")
        distinct = {supplier.id: kind for kind, supplier in named.items() if supplier is not None}
        if len(distinct) > 1:
            raise Conflict("The id, SIRET and VAT number name different suppliers: "
                            + ", ".join(f"{kind} is {supplier_id}" for supplier_id, kind in distinct.items()) + ".")
        return next((supplier for supplier in named.values() if supplier is not None), None)


@dataclass(frozen=True)
class _Write:
    """A row to create or update its supplier from, once the chunk's rows are planned."""

    row: _PendingRow
    data: dict  # the schema's output
    current: Supplier | None  # None: a new supplier
    draft: rows.Draft


def _settle(session: Session, layout: Layout, row: _PendingRow, values: dict, who: rows.Identity,
            known: _Known) -> _Write | None:
    """Give the row its outcome; what to write when it is a create or an update."""
    draft = rows.draft(values, layout.shape)
    row.warnings = list(draft.warnings)
    identifier_column = layout.column("siret" if "siret" in layout.headers else "legal_name")
    if row.duplicate_of:
        return _invalid(row, [{"column": identifier_column, "field": None,
                               "message": f"Row {row.duplicate_of} is the same supplier: "
                                          "give each supplier one row."}])
    try:
        current = known.match(who)
    except RuleError as error:
        return _invalid(row, [{"column": layout.column("id" if "id" in layout.headers else "siret"),
                               "field": None, "message": error.detail}])
    try:
        data = (load_patch if current else load_create)(draft.data)
        proposed = suppliers.preview_supplier(session, data, current, siret_holders=known.siret_holders)
    except ValidationError as error:
        return _invalid(row, _errors(draft, error.normalized_messages()))
    except RuleError as error:  # a SIRET another supplier holds
        return _invalid(row, [{"column": identifier_column, "field": "siret", "message": error.detail}])
    row.warnings += _geocoded(data, proposed)
    if current is not None:
        row.supplier_id, row.changes = current.id, sorted(diff(snapshot(current), snapshot(proposed)))
        row.outcome = "update" if row.changes else "unchanged"
    else:
        twin = _same_profile(known, draft, proposed)
        if twin is not None:
            row.supplier_id, row.outcome = twin.id, "unchanged"
        else:
            row.outcome = "create"
            row.warnings += _possible_duplicates(known, row, draft)
    return _Write(row, data, current, draft) if row.outcome in ("create", "update") else None


def _write_all(session: Session, imported: Import, writes: list[_Write], known: _Known) -> None:
    """Write the chunk's creates and updates through the supplier rules, flushed together. When
    that fails (a supplier changed, or a SIRET was registered, since the rows were checked),
    each row is written again on its own, so that only the rows at fault become invalid."""
    if not writes:
        return
    creates = [write for write in writes if write.current is None]
    updates = [write for write in writes if write.current is not None]
    principal = principal_of(imported)
    try:
        with session.begin_nested():
            created = suppliers.create_suppliers(session, [write.data for write in creates], principal,
                                                 import_id=imported.id, siret_holders=known.siret_holders)
            suppliers.update_suppliers(session, [(write.current, write.data) for write in updates], principal,
                                       replace=False, import_id=imported.id, siret_holders=known.siret_holders)
    except (ValidationError, RuleError, IntegrityError, StaleDataError):
        for write in writes:
            _write(session, imported, write)
        return
    for write, supplier in zip(creates, created):
        write.row.supplier_id = supplier.id


def _write(session: Session, imported: Import, write: _Write) -> None:
    row = write.row
    try:
        with session.begin_nested():
            if write.current is None:
                row.supplier_id = suppliers.create_supplier(
                    session, write.data, principal_of(imported), import_id=imported.id).id
            else:
                suppliers.update_supplier(session, write.current, write.data, principal_of(imported),
                                          replace=False, import_id=imported.id)
    except ValidationError as error:
        _invalid(row, _errors(write.draft, error.normalized_messages()))
    except (RuleError, IntegrityError, StaleDataError) as error:
        # Changed by someone else since the row was checked: the row says so, the others land.
        _invalid(row, [{"column": None, "field": None, "message": getattr(error, "detail", None) or
                        "The supplier changed while the row was applied: import the file again."}])


def _invalid(row: _PendingRow, errors: list[dict]) -> None:
    row.outcome, row.errors, row.changes = "invalid", errors, []


def _errors(draft: rows.Draft, messages: dict) -> list[dict]:
    return [{"column": draft.column_of(error["field"] or ""), "field": error["field"], "message": error["message"]}
            for error in flatten_messages(messages, "row")]


def _geocoded(data: dict, proposed) -> list[str]:
    return [f"Site {i + 1} placed from its city and postal code ({site['city']}: {site['latitude']:.4f}, "
            f"{site['longitude']:.4f}); give latitude and longitude to place it exactly."
            for i, (given, site) in enumerate(zip(data.get("sites") or [], proposed.sites))
            if given.get("latitude") is None]


def _without_identity(profile: dict) -> dict:
    return {key: value for key, value in profile.items() if key not in ("id", "organisation_id")}


def _same_profile(known: _Known, draft: rows.Draft, proposed) -> Supplier | None:
    """A stored supplier without identifiers whose profile is exactly the row's: the row is
    already imported (so a file of foreign suppliers without VAT numbers imports once)."""
    candidates = known.by_name.get(_name_key(draft.data.get("legal_name"), _first_postal_code(draft)), [])
    if not candidates:
        return None
    target = _without_identity(snapshot(proposed))
    twin = next((s for s in candidates if s.id not in known.twins and _without_identity(snapshot(s)) == target),
                None)
    if twin is not None:
        known.twins.add(twin.id)  # two identical rows stand for two identical suppliers
    return twin


def _possible_duplicates(known: _Known, row: _PendingRow, draft: rows.Draft) -> list[str]:
    if draft.data.get("siret") or draft.data.get("vat_number"):
        return []
    warnings = [f"Possible duplicate of row {row.similar_to}: same name and postal code, and no SIRET "
                "or VAT number to tell them apart."] if row.similar_to else []
    key = _name_key(draft.data.get("legal_name"), _first_postal_code(draft))
    warnings += [f"Possible duplicate of supplier {supplier.id}: same name and postal code, and no SIRET "
                 "or VAT number to tell them apart." for supplier in known.by_name.get(key, [])]
    return warnings


def _first_postal_code(draft: rows.Draft) -> str | None:
    sites = draft.data.get("sites") or []
    return sites[0].get("postal_code") if sites else None


# --- reading the report -----------------------------------------------------------------------


def get_import(session: Session, principal: Principal, import_id: str) -> Import:
    principal.require("admin")
    imported = session.get(Import, import_id)
    if imported is None:
        raise NotFound(f"No import {import_id}.")
    return imported


def report_rows(session: Session, imported: Import, *, after: int = 0, limit: int | None = None,
                outcome: str | None = None):
    """The import's rows in file order, from after row `after`, `limit` of them."""
    query = select(ImportRow).where(ImportRow.import_id == imported.id, ImportRow.number > after)
    if outcome:
        query = query.where(ImportRow.outcome == outcome)
    query = query.order_by(ImportRow.number)
    if limit:
        query = query.limit(limit)
    return session.scalars(query.execution_options(yield_per=INSERT_BATCH))
