"""Staff log-in, the login_required guard and CSRF protection for every form.

- Log-in is throttled with atomic counters (``storage.shared_state.SQLState``
  in the console's database): 5 tries in 15 minutes per name and client
  address, and 20 per address whatever the name, before the password is
  checked, so concurrent tries can't exceed them; a successful log-in clears
  its name and address's count. Nobody can lock a name out from another
  address. An unknown name costs the same password hash as a known one.
- After log-in, ``next`` is followed only to a path of this console (one
  leading ``/``, no scheme or host, a route the URL map knows).
- A session lasts 12 hours at most and names its account and the account's
  session version; every request checks both, so removing an account, logging
  out or changing the password ends every session of that account.
"""
import datetime as dt
import functools
import hmac
import secrets
import time
from typing import Any, Callable
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.security import check_password_hash, generate_password_hash

from console import db
from storage.shared_state import SQLState, counters

bp = Blueprint("auth", __name__)

MAX_FAILURES = 5  # tries per name and address
MAX_ADDRESS_TRIES = 20  # tries per address, whatever the names
FAILURE_WINDOW_SECONDS = 15 * 60
SESSION_HOURS = 12
TOO_MANY = "Too many failed log-ins. Try again in 15 minutes."

failures = sa.Table(
    "console_login_failures", db.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(200), nullable=False, index=True),
    sa.Column("failed_at", sa.Float, nullable=False, index=True),
)
session_versions = sa.Table(
    "console_session_versions", db.metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)
_dummy_hash: list = []


def dummy_hash() -> str:
    """A hash to check unknown names against, so timing tells nothing."""
    if not _dummy_hash:
        _dummy_hash.append(generate_password_hash(secrets.token_hex(16)))
    return str(_dummy_hash[0])


def session_version(conn: sa.engine.Connection, username: str) -> int:
    """The account's current session version (0 until it is first bumped)."""
    found = conn.execute(sa.select(session_versions.c.version).where(
        session_versions.c.username == username)).scalar()
    return int(found or 0)


def end_sessions(username: str) -> None:
    """Invalidate every session of ``username`` (log-out, password change)."""
    with db.engine().begin() as conn:
        version = session_version(conn, username)
        updated = conn.execute(session_versions.update().where(
            session_versions.c.username == username).values(version=version + 1))
        if not updated.rowcount:
            conn.execute(session_versions.insert().values(username=username, version=1))


def set_password(username: str, password: str) -> None:
    """Change a staff password and end the account's sessions; ValueError if not possible."""
    if len(password) < 10:
        raise ValueError("the password must have at least 10 characters")
    with db.engine().begin() as conn:
        changed = conn.execute(db.staff.update().where(db.staff.c.username == username).values(
            password_hash=hash_password(password)))
        if not changed.rowcount:
            raise ValueError(f"no staff account {username}")
    end_sessions(username)


def _throttle_keys(username: str) -> tuple:
    address = request.remote_addr or ""
    return f"login:{address}:{username[:80]}", f"login-addr:{address}"


def _login_counters() -> SQLState:
    return db.app_resource("login_counters", lambda: SQLState(db.engine()))


def throttled(username: str) -> bool:
    """Count this try atomically; whether its name and address, or address, tried too often."""
    pair, address = _throttle_keys(username)
    state = _login_counters()
    return not (state.hit(address, MAX_ADDRESS_TRIES, FAILURE_WINDOW_SECONDS)[0]
                and state.hit(pair, MAX_FAILURES, FAILURE_WINDOW_SECONDS)[0])


def record_success(username: str) -> None:
    """A right password: the name and address may try afresh."""
    pair, _ = _throttle_keys(username)
    with db.engine().begin() as conn:
        conn.execute(counters.delete().where(counters.c.key == pair))


def record_failure(username: str) -> None:
    """A failed log-in, for the record (the counting happened in ``throttled``)."""
    now = time.time()
    with db.engine().begin() as conn:
        conn.execute(failures.delete().where(failures.c.failed_at < now - FAILURE_WINDOW_SECONDS))
        conn.execute(failures.insert().values(key=_throttle_keys(username)[0][:200], failed_at=now))


def safe_next(target: str) -> str | None:
    """``target`` if it is a path of this console, else None (no open redirect)."""
    if not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch == "\\" or ord(ch) < 33 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    try:
        current_app.url_map.bind("console.invalid").match(parts.path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    return target


def same_token(given: Any, expected: Any) -> bool:
    """Constant-time comparison; False for missing or non-ASCII values."""
    if not isinstance(given, str) or not isinstance(expected, str) or not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def hash_password(password: str) -> str:
    """A salted, slow hash (scrypt) of ``password``."""
    return generate_password_hash(password)


def create_staff(username: str, password: str) -> None:
    """Add a staff account; ValueError if the name is taken or the password too short."""
    if len(password) < 10:
        raise ValueError("the password must have at least 10 characters")
    with db.engine().begin() as conn:
        taken = conn.execute(sa.select(db.staff.c.id).where(db.staff.c.username == username))
        if taken.first():
            raise ValueError(f"{username} exists already")
        conn.execute(db.staff.insert().values(username=username, password_hash=hash_password(
            password), created_at=db.now()))


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send visitors without a session to the log-in page (302)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped


def csrf_token() -> str:
    """Return the session's CSRF token, for every form."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def init_app(app: Flask) -> None:
    """Load the user for each request, check CSRF on every POST, expose the token."""
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=SESSION_HOURS)

    @app.before_request
    def load_user_and_check_csrf() -> None:
        g.user = current_user()
        if request.method == "POST":
            if not same_token(request.form.get("csrf_token"), session.get("csrf")):
                abort(400, "missing or wrong CSRF token")

    app.jinja_env.globals["csrf_token"] = csrf_token


def current_user() -> str | None:
    """The logged-in account, checked against the database on every request."""
    username = session.get("user")
    if not username:
        return None
    started = session.get("since")
    conn = db.connection()
    exists = conn.execute(sa.select(db.staff.c.id).where(db.staff.c.username == username)).first()
    if (not exists or not isinstance(started, (int, float))
            or time.time() - started > SESSION_HOURS * 3600
            or session.get("version") != session_version(conn, username)):
        session.clear()
        return None
    return str(username)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Log in with a staff account."""
    if request.method == "POST":
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        if throttled(username):
            return render_template("login.html", problem=TOO_MANY), 429
        row = db.connection().execute(
            sa.select(db.staff).where(db.staff.c.username == username)).first()
        valid = check_password_hash(row.password_hash if row else dummy_hash(), password)
        if row and valid:
            session.clear()
            session.permanent = True
            session["user"] = username
            session["since"] = time.time()
            session["version"] = session_version(db.connection(), username)
            csrf_token()
            record_success(username)
            return redirect(safe_next(request.args.get("next", ""))
                            or url_for("conversations.index"))
        record_failure(username)
        flash("Wrong name or password.")
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Log out: this and every other session of the account end."""
    if g.get("user"):
        end_sessions(g.user)
    session.clear()
    return redirect(url_for("auth.login"))
