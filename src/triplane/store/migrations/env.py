"""Alembic environment: runs on the connection handed over by triplane.store.db.upgrade."""

from alembic import context

from triplane.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise SystemExit("run migrations through triplane (they are applied on first use)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
