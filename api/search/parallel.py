"""Every supplier into an index from several processes at once: the rebuild's stream.

Building a document (reading its rows, normalising its text) costs about as much
CPU as Elasticsearch spends indexing it, and one Python process builds one
document at a time: a rebuild in one process is bound by building, not by
Elasticsearch. Here each process (api.processes) takes one slice of the supplier
ids, reads it with its own database connection and Elasticsearch client, and
bulk-sends its documents (patiently, see search.indexer.write_all); the parent
only adds up progress. The documents are those of profiles.upserts, built the same way.

Ids are UUID4s, so slices cut at hexadecimal digits are about equal; the
slices cover every string, so an id of any other form is still streamed.
Each process holds one batch of suppliers and its bulk requests in flight:
memory stays flat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, make_url
from sqlalchemy.orm import Session

from search import indexer
from search.client import make_client

from .. import processes
from ..db import make_engine
from ..models import Supplier
from .profiles import upserts

HEX_DIGITS = "0123456789abcdef"


@dataclass(frozen=True)
class Sources:
    """Where each process of the stream reads and writes (URLs: a process cannot share connections)."""

    database_url: str
    elasticsearch_url: str
    processes: int
    # A spawned process (api.processes: when threads run) imports the application again, seconds
    # and ~150 MB; a forked one starts at once. Below this many suppliers one process is as fast.
    parallel_from: int = 50_000

    @classmethod
    def of(cls, config) -> Sources:
        """From the application's configuration (REBUILD_PROCESSES)."""
        return cls(config["DATABASE_URL"], config["ELASTICSEARCH_URL"], config["REBUILD_PROCESSES"])

    def worth_it(self, suppliers: int) -> bool:
        """Several processes pay off for this many suppliers and can open the database (an in-memory
        SQLite database is one connection's)."""
        return (self.processes > 1 and suppliers >= self.parallel_from
                and make_url(self.database_url).database not in (None, "", ":memory:"))


def id_slices(count: int) -> list[tuple[str, str | None]]:
    """`count` (at most 16) ranges [low, high) of ids that together cover every string, in order."""
    count = min(count, len(HEX_DIGITS))
    cuts = [HEX_DIGITS[len(HEX_DIGITS) * i // count] for i in range(1, count)]
    return list(zip(["", *cuts], [*cuts, None]))


def in_slice(low: str, high: str | None) -> ColumnElement[bool]:
    within = Supplier.id >= low
    return within if high is None else and_(within, Supplier.id < high)


def stream(sources: Sources, index_name: str, progress: Callable[[int], None] | None = None,
           patience: indexer.Patience = indexer.PATIENT) -> int:
    """Index every supplier into `index_name` from `sources.processes` processes; how many."""
    slices = [(sources, index_name, low, high, patience) for low, high in id_slices(sources.processes)]
    try:
        return processes.run(_stream_slice, slices, progress)
    except processes.JobFailed as error:
        raise indexer.IndexingError(str(error)) from error


def _stream_slice(sources: Sources, index_name: str, low: str, high: str | None,
                  patience: indexer.Patience, report: Callable[[int], None]) -> int:
    engine = make_engine(sources.database_url)
    client = make_client(sources.elasticsearch_url)
    try:
        with Session(engine) as session:
            return indexer.write_all(client, upserts(session, in_slice(low, high)), index_name, report,
                                     patience=patience)
    finally:
        client.close()
        engine.dispose()
