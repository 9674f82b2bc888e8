"""Command-line commands: ``flask --app console create-staff NAME`` and ``purge --days N``."""
import datetime as dt
import getpass
import sys

import click
import sqlalchemy as sa
from flask import Flask

from console import db
from console.auth import create_staff
from storage import bookings


@click.command("create-staff")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_staff_command(username: str, password_stdin: bool) -> None:
    """Create a staff account (the password is asked for, and stored hashed)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise click.ClickException("the passwords differ")
    try:
        create_staff(username, password)
    except ValueError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"created staff account {username}")


@click.command("purge")
@click.option("--days", type=int, required=True, help="Keep conversations newer than this.")
def purge_command(days: int) -> None:
    """Delete conversations whose last event is older than N days."""
    if days < 1:
        raise click.ClickException("--days must be at least 1")
    cutoff = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)).timestamp()
    with db.engine().begin() as conn:
        last = sa.select(db.events.c.sender_id).group_by(db.events.c.sender_id).having(
            sa.func.max(db.events.c.timestamp) < cutoff)
        old = [row.sender_id for row in conn.execute(last)]
        for table in (db.events, db.labels, db.reveals):
            conn.execute(table.delete().where(table.c.sender_id.in_(old)))
        bookings.ensure_tables(conn)
        bookings.delete_for(conn, old)
    click.echo(f"deleted {len(old)} conversations older than {days} days")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(create_staff_command)
    app.cli.add_command(purge_command)
