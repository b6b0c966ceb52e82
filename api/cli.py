"""Command line: `flask --app api <group> <command>`."""

from __future__ import annotations

import atexit
import gc
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from marshmallow import ValidationError
from sqlalchemy import func, select

from search import node

from . import migrate, transaction
from .accounts.service import create_api_key
from .db import unit_of_work
from .demo import demo_cli
from .imports.cli import suppliers_cli
from .models import Supplier
from .search import sync
from .search.parallel import Sources
from .search.rebuild import rebuild
from .worker import worker_command

# At exit the interpreter's collector walked the application's ~180,000 objects several times:
# 0.7 s added to every command (a rebuild's included). Nothing needs collecting by then.
atexit.register(gc.freeze)

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
search_cli = AppGroup("search", help="Elasticsearch: local node and indexes.")
keys_cli = AppGroup("keys", help="API keys.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {migrate.current_revision(current_app.extensions['db_engine'])}")


@search_cli.command("node")
@click.argument("action", type=click.Choice(["start", "stop", "status"]))
@click.option("--nodes", type=click.IntRange(min=1), help="How many nodes form the cluster (default: ES_NODES or 1).")
def search_node(action: str, nodes: int | None) -> None:
    """Start, stop or check the local Elasticsearch node or cluster (development and tests)."""
    raise SystemExit(node.main([action, *(["--nodes", str(nodes)] if nodes else [])]))


@search_cli.command("rebuild")
def search_rebuild() -> None:
    """Rebuild the supplier index from the database, then swap it in (no downtime)."""
    session = transaction.session()
    total = session.scalar(select(func.count(Supplier.id)))
    started = time.monotonic()

    def progress(done: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-6)
        click.echo(f"  {done:,}/{total:,} suppliers ({done / max(total, 1):.0%}), {rate:,.0f}/s", err=True)

    click.echo(f"rebuilding the supplier index from {total:,} suppliers", err=True)
    report = rebuild(session, sync.supplier_index(), progress, sources=Sources.of(current_app.config))
    click.echo(f"{report.index} is live: {report.indexed:,} indexed, {report.caught_up:,} caught up, "
               f"{report.seconds:.1f}s; dropped {', '.join(report.dropped) or 'nothing'}")


@search_cli.command("drain")
def search_drain() -> None:
    """Push every pending change to the index once, and exit (the worker does this continuously)."""
    def progress(report: sync.PushReport) -> None:
        click.echo(f"  {len(report.pushed):,} pushed, {len(report.refused):,} refused", err=True)

    report = sync.drain(transaction.session(), sync.supplier_index(), progress)
    click.echo(f"{len(report.pushed):,} changes pushed; {len(report.refused):,} refused "
               f"({len(report.parked):,} parked); {len(report.unavailable):,} left for Elasticsearch to take")


@keys_cli.command("create")
@click.option("--role", type=click.Choice(["admin", "buyer", "supplier"]), required=True)
@click.option("--name", default="created from the command line", show_default=True)
@click.option("--organisation", "organisation_id", help="Organisation id (buyer and supplier keys)")
def keys_create(role: str, name: str, organisation_id: str | None) -> None:
    """Issue an API key and print it (shown once; only its hash is stored)."""
    try:
        with unit_of_work(current_app.extensions["db_sessionmaker"]) as session:
            _, plain_key = create_api_key(session, name=name, role=role, organisation_id=organisation_id)
    except ValidationError as error:
        raise click.UsageError(str(error.normalized_messages())) from error
    click.echo(plain_key)


def init_app(app: Flask) -> None:
    for command in (db_cli, search_cli, keys_cli, demo_cli, suppliers_cli, worker_command):
        app.cli.add_command(command)
