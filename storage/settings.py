"""Where the conversation database is: one rule for the bot and the staff console."""
import os

URL_VARIABLE = "TRACKER_DB_URL"


def database_url(db: str, host: str | None = None) -> str:
    """PostgreSQL (or any URL) from ``TRACKER_DB_URL`` if set, else the configured one."""
    return os.environ.get(URL_VARIABLE) or host or f"sqlite:///{db}"
