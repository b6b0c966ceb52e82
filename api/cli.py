"""Command line: `flask --app api <group> <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from search import node

from . import migrate

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
search_cli = AppGroup("search", help="Elasticsearch: local node and indexes.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {migrate.current_revision(current_app.extensions['db_engine'])}")


@search_cli.command("node")
@click.argument("action", type=click.Choice(["start", "stop", "status"]))
def search_node(action: str) -> None:
    """Start, stop or check the local Elasticsearch node (development and tests)."""
    raise SystemExit(node.main([action]))


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(search_cli)
