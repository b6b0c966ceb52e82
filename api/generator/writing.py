"""Generated suppliers into the database, in batches.

Rows go in with SQLAlchemy Core bulk inserts into the real tables, one
transaction per batch, so memory stays flat whatever the count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, insert

from ..models import Contact, Site, Supplier, SupplierCapability, SupplierCertification
from .suppliers import DEFAULT_SEED, Generator

BATCH_SIZE = 2000
TABLES = (("supplier", Supplier.__table__), ("sites", Site.__table__),
          ("capabilities", SupplierCapability.__table__),
          ("certifications", SupplierCertification.__table__), ("contacts", Contact.__table__))


def write(engine: Engine, count: int, *, seed: int = DEFAULT_SEED, start: int = 0, region: str = "france",
          batch_size: int = BATCH_SIZE, now: datetime | None = None,
          progress: Callable[[int, int], None] | None = None) -> int:
    """Insert suppliers start … start+count-1 in batches (one transaction each); return how many."""
    generator = Generator(seed, region=region, now=now)
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        rows: dict[str, list[dict]] = {name: [] for name, _ in TABLES}
        for generated in generator.suppliers(start + done, size):
            rows["supplier"].append(generated["supplier"])
            for name, _ in TABLES[1:]:
                rows[name].extend(generated[name])
        with engine.begin() as connection:
            for name, table in TABLES:
                if rows[name]:
                    connection.execute(insert(table), rows[name])
        done += size
        if progress:
            progress(done, count)
    return done
