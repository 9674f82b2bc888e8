"""Creating tables when several servers may be creating the same ones.

SQLite commits each ``CREATE TABLE`` on its own, and PostgreSQL may refuse a
second server's ``CREATE TABLE`` with a ``pg_type`` clash. A server that fails
because another made a table a moment earlier must not go on while the other
server's next table is still missing: it creates again (each table only if
missing) until one whole pass succeeds.
"""
import logging
import time
from typing import Any, Callable, Iterable

import sqlalchemy as sa

logger = logging.getLogger(__name__)

CREATE_ATTEMPTS = 5
RACES = (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError)


def create_together(create: Callable[[], None], engine: Any, tables: Iterable[str],
                    what: str) -> None:
    """Run ``create`` (idempotent) until it succeeds or ``tables`` all exist.

    A failure with every table in place is another server's finished work; with
    one missing, ``create`` runs again. The last failure is raised.
    """
    wanted = set(tables)
    for attempt in range(CREATE_ATTEMPTS):
        try:
            create()
            return
        except RACES as error:
            if wanted <= set(sa.inspect(engine).get_table_names()):
                logger.info("%s made by another server: %s", what, str(error).splitlines()[0])
                return
            if attempt == CREATE_ATTEMPTS - 1:
                raise
            logger.info("%s being made by another server: %s", what,
                        str(error).splitlines()[0])
            time.sleep(0.05 * (attempt + 1))
