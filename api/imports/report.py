"""An import's report as a spreadsheet: the file's rows as read, with their outcome and messages.

The operator fixes the invalid rows in it and uploads it again: the `status`,
`errors` and `warnings` columns are not read back, and the `id` column (added
when the file had none) names the supplier each row created or matched, so the
rows already imported come back `unchanged`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from ..models import Import
from . import columns
from .service import report_rows

SEPARATOR = " | "


def table(session: Session, imported: Import) -> Iterator[list]:
    """The header, then every row of the import in file order (a report's own status, errors
    and warnings columns, when the file was a report, replaced by this one's)."""
    kept = [i for i, title in enumerate(imported.header) if columns.canonical(title) != ""]
    header = [imported.header[i] for i in kept]
    names = [columns.canonical(title) for title in header]
    id_column = names.index("id") if "id" in names else len(header)
    if id_column == len(header):
        header.append("id")
    yield header + list(columns.REPORT_COLUMNS)
    for row in report_rows(session, imported):
        cells = [row.cells[i] if i < len(row.cells) else None for i in kept] + [None] * (len(header) - len(kept))
        if row.supplier_id and row.outcome != "invalid":
            cells[id_column] = row.supplier_id
        yield cells + [row.outcome, SEPARATOR.join(message(error) for error in row.errors) or None,
                       SEPARATOR.join(row.warnings) or None]


def message(error: dict) -> str:
    return f"{error['column']}: {error['message']}" if error.get("column") else error["message"]
