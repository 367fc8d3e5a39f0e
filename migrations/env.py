"""Alembic's environment for Gongwen: the app's engine, the engine package's models.

`flask --app wsgi db upgrade` runs this inside the app, so the database is the one the app is
configured with (instance/gongwen.db or DATABASE_URL) and its connections carry Gongwen's settings.
On SQLite a migration may copy tables (batch mode), which foreign keys would refuse halfway: they
are switched off for the migration and checked afterwards, and the migration fails if any breaks.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import workflow.models  # noqa: F401  (registers every table on the metadata)
from workflow.db import Base

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """`flask db upgrade --sql`: print the SQL instead of running it."""
    url = current_app.extensions["migrate"].db.engine.url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      compare_type=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside any transaction: SQLite ignores this pragma inside one
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            # Flask-Migrate's configure_args carry render_as_batch and compare_type. SQLite's
            # DDL is transactional too: a failed migration leaves nothing half-done.
            context.configure(connection=connection, target_metadata=target_metadata,
                              transactional_ddl=True,
                              **current_app.extensions["migrate"].configure_args)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"迁移后外键不一致：{broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
