"""Generated suppliers into the database, in batches, as creating them through the API would leave them.

Rows go in with SQLAlchemy Core bulk inserts into the real tables, one
transaction per batch, so memory stays flat whatever the count. Drawing a
supplier costs more than inserting it, so on PostgreSQL several processes
(api.processes) each write one contiguous part of the numbers; SQLite takes
one writer at a time. Besides its
profile (version 1), each supplier gets the records of its creation, built
by the same functions as the API's (api.suppliers.records): the `created`
history entry and the public `supplier.created` event, by the system and
dated from the supplier's `created_at`, and a search-outbox row, so the
drainer indexes it even when no rebuild follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from sqlalchemy import Engine, create_engine, insert

from ..models import (
    Contact,
    Event,
    SearchOutbox,
    Site,
    Supplier,
    SupplierCapability,
    SupplierCertification,
    SupplierChange,
)
from ..processes import run as run_jobs
from ..suppliers import records
from .suppliers import DEFAULT_SEED, Generator

BATCH_SIZE = 2000
CHILDREN = ("sites", "capabilities", "certifications", "contacts")
# In the order the foreign keys need.
TABLES = {"supplier": Supplier.__table__, "sites": Site.__table__,
          "capabilities": SupplierCapability.__table__, "certifications": SupplierCertification.__table__,
          "contacts": Contact.__table__, "history": SupplierChange.__table__, "event": Event.__table__,
          "outbox": SearchOutbox.__table__}


def write(engine: Engine, count: int, *, seed: int = DEFAULT_SEED, start: int = 0, region: str = "france",
          batch_size: int = BATCH_SIZE, now: datetime | None = None,
          progress: Callable[[int, int], None] | None = None, processes: int = 1) -> int:
    """Insert suppliers start … start+count-1 in batches (one transaction each); return how many.

    With `processes` > 1 on PostgreSQL, that many processes write a part each."""
    if processes > 1 and engine.dialect.name == "postgresql" and count >= processes * batch_size:
        return _write_in_processes(engine, count, seed=seed, start=start, region=region, batch_size=batch_size,
                                   now=now or datetime.now(timezone.utc), progress=progress, processes=processes)
    generator = Generator(seed, region=region, now=now)
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        rows = _rows_of(generator.suppliers(start + done, size))
        with engine.begin() as connection:
            for name, table in TABLES.items():
                if rows[name]:
                    connection.execute(insert(table), rows[name])
        done += size
        if progress:
            progress(done, count)
    return done


def _write_in_processes(engine: Engine, count: int, *, seed: int, start: int, region: str, batch_size: int,
                        now: datetime, progress: Callable[[int, int], None] | None, processes: int) -> int:
    url = engine.url.render_as_string(hide_password=False)
    bounds = [start + count * part // processes for part in range(processes + 1)]
    parts = [(url, high - low, seed, low, region, batch_size, now) for low, high in zip(bounds, bounds[1:])]
    return run_jobs(_write_part, parts, progress and (lambda done: progress(done, count)))


def _write_part(url: str, count: int, seed: int, start: int, region: str, batch_size: int, now: datetime,
                report: Callable[[int], None]) -> int:
    engine = create_engine(url)
    try:
        return write(engine, count, seed=seed, start=start, region=region, batch_size=batch_size, now=now,
                     progress=lambda done, _total: report(done))
    finally:
        engine.dispose()


def _rows_of(suppliers: Iterable[dict]) -> dict[str, list[dict]]:
    """The rows of each table (keys of TABLES) for generated suppliers."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for generated in suppliers:
        rows["supplier"].append(generated["supplier"])
        for name in CHILDREN:
            rows[name].extend(generated[name])
        created = creation_records(generated)
        rows["history"].append(created.history)
        rows["event"].append(created.event)
        rows["outbox"].append(created.outbox)
    return rows


def creation_records(generated: dict) -> records.ChangeRecords:
    """What creating this supplier through the API writes, with the system as the actor."""
    supplier = generated["supplier"]
    profile = {**supplier, **{name: generated[name] for name in CHILDREN}}
    return records.change_records("created", supplier["id"], supplier["version"], {}, records.snapshot(profile),
                                  None, at=supplier["created_at"])
