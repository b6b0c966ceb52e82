"""An import's report as a spreadsheet: the file's rows as read, with their outcome and messages.

The operator fixes the invalid rows in it and uploads it again: the `status`,
`errors` and `warnings` columns are not read back, and the `id` column (added
when the file had none) names the supplier each row created or matched, so the
rows already imported come back `unchanged`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from ..models import Import, ImportRow
from . import columns
from .service import Layout, report_rows

SEPARATOR = " | "


def table(session: Session, imported: Import) -> Iterator[list]:
    """The header, then every row of the import in file order."""
    layout = Layout.of(imported.header)
    header = list(imported.header)
    if "id" in layout.names:
        id_column = layout.names.index("id")
    else:
        id_column = len(header)
        header.append("id")
    yield header + list(columns.REPORT_COLUMNS)
    for row in report_rows(session, imported):
        yield _cells(row, len(header), id_column) + [
            row.outcome, SEPARATOR.join(message(error) for error in row.errors) or None,
            SEPARATOR.join(row.warnings) or None]


def _cells(row: ImportRow, width: int, id_column: int) -> list:
    cells = (list(row.cells) + [None] * width)[:width]
    if row.supplier_id and row.outcome != "invalid":
        cells[id_column] = row.supplier_id
    return cells


def message(error: dict) -> str:
    return f"{error['column']}: {error['message']}" if error.get("column") else error["message"]
