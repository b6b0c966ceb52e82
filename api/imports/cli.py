"""`flask --app api suppliers import FILE [--dry-run]` and `flask --app api suppliers export FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..db import unit_of_work
from ..exceptions import RuleError
from ..models import Import, Supplier
from ..principal import Principal
from . import export, report, service, writing

suppliers_cli = AppGroup("suppliers", help="Supplier spreadsheets: import and export (CSV or XLSX).")
SYSTEM = None  # imports from the command line are the system's: no API key is their actor
OPERATOR = Principal(role="admin")  # whoever runs the command line may read everything
FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


def _format_of(path: Path) -> str:
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise click.BadParameter("name a .csv or .xlsx file", param_hint="FILE")
    return file_format


@suppliers_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Give every row its outcome, write nothing")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report (the rows with status, errors, warnings) to this .csv or .xlsx")
def import_command(file: Path, dry_run: bool, report_path: Path | None) -> None:
    """Import suppliers from FILE, a CSV or XLSX spreadsheet in the template's columns."""
    sessions = current_app.extensions["db_sessionmaker"]
    service.hold_reference_data()
    try:
        with unit_of_work(sessions) as session, file.open("rb") as content:
            import_id = service.start_import(session, file.name, content, dry_run=dry_run, principal=SYSTEM).id
    except RuleError as error:
        raise click.ClickException(error.detail) from error
    with unit_of_work(sessions) as session:
        total = session.get(Import, import_id).rows_total
    click.echo(f"import {import_id}: {total:,} rows{' (dry run)' if dry_run else ''}", err=True)
    with click.progressbar(length=total, label="rows", file=click.get_text_stream("stderr"),
                           show_pos=True) as bar:
        done = True
        while done:
            # One transaction per chunk: what is done stays done if the command is stopped.
            with unit_of_work(sessions) as session:
                done = service.process_chunk(session, session.get(Import, import_id))
            bar.update(done)
    with sessions() as session:
        imported = session.get(Import, import_id)
        for row in service.report_rows(session, imported):
            if row.outcome == "invalid" or row.warnings:
                messages = [report.message(error) for error in row.errors] + row.warnings
                click.echo(f"row {row.number}: {row.outcome}: {report.SEPARATOR.join(messages)}")
        click.echo(", ".join(f"{imported.counts[name]:,} {name}" for name in service.OUTCOMES)
                   + f"; {imported.counts['warnings']:,} rows with warnings")
        if report_path is not None:
            _write(report_path, report.table(session, imported))
    if not dry_run:
        click.echo("the worker (flask --app api worker) makes the changes searchable", err=True)


@suppliers_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True,
              help="Language of the headers")
def export_command(file: Path, lang: str) -> None:
    """Write every supplier to FILE (.csv or .xlsx), in the template's columns."""
    _format_of(file)
    with current_app.extensions["db_sessionmaker"]() as session:
        count = session.scalar(select(func.count(Supplier.id)))
        _write(file, export.supplier_rows(session, OPERATOR, lang), lang)
    click.echo(f"{count:,} suppliers written to {file}", err=True)


def _write(path: Path, rows, lang: str = "en") -> None:
    """Write `rows` to `path`, in the format its name says."""
    if _format_of(path) == "csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            out.writelines(writing.csv_pieces(rows, lang))
    else:
        with path.open("wb") as out:
            out.writelines(writing.xlsx_pieces(rows))
