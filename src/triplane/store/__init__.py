"""Storage: SQLAlchemy Core tables, Alembic migrations, SQLite by default, PostgreSQL by URL."""
