"""Command line: `flask --app api <group> <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from search import node

from . import db, migrate
from .accounts.service import create_api_key

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
def search_node(action: str) -> None:
    """Start, stop or check the local Elasticsearch node (development and tests)."""
    raise SystemExit(node.main([action]))


@keys_cli.command("create")
@click.option("--role", type=click.Choice(["admin", "buyer", "supplier"]), required=True)
@click.option("--name", default="created from the command line", show_default=True)
@click.option("--organisation", "organisation_id", help="Organisation id (buyer and supplier keys)")
def keys_create(role: str, name: str, organisation_id: str | None) -> None:
    """Issue an API key and print it (shown once; only its hash is stored)."""
    try:
        _, plain_key = create_api_key(db.session(), name=name, role=role, organisation_id=organisation_id)
    except ValidationError as error:
        raise click.UsageError(str(error.normalized_messages())) from error
    click.echo(plain_key)


def init_app(app: Flask) -> None:
    for group in (db_cli, search_cli, keys_cli):
        app.cli.add_command(group)
