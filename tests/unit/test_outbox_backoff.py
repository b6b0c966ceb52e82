"""A row Elasticsearch refuses is tried again later and later, then parked with the reason."""

from datetime import datetime, timedelta, timezone

from api.models import SearchOutbox
from api.search import outbox

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def test_refusals_back_off_exponentially_then_park_the_row():
    row = SearchOutbox(entity_type="supplier", entity_id="s", version=1, attempts=0)
    delays = []
    for _ in range(4):
        assert outbox.record_refusal(row, "400 document_parsing_exception: bad", NOW) is False
        delays.append(row.next_attempt_at - NOW)
    assert delays == [timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40), timedelta(seconds=80)]
    assert row.failed_at is None

    assert outbox.record_refusal(row, "400 " + "x" * 10_000, NOW) is True
    assert (row.attempts, row.failed_at, row.next_attempt_at) == (5, NOW, None)
    assert len(row.last_error) == outbox.ERROR_TEXT_LIMIT  # kept readable, not a whole document
