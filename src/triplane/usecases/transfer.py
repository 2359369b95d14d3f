"""Use cases of export and import: every athlete's settings and log as one JSON document."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select

from triplane.core.errors import Conflict, Invalid
from triplane.store import schema as t
from triplane.usecases.athletes import Athlete
from triplane.usecases.logs import LogCases
from triplane.usecases.parsing import EXPORT_FORMAT, EXPORT_VERSION, parse_date


class TransferCases(LogCases):
    # -- export / import --

    def export(self, athletes: Sequence[Athlete] | None = None) -> dict[str, Any]:
        chosen = athletes if athletes is not None else self.athletes()
        out = []
        for a in chosen:
            row = self.conn.execute(select(t.athletes).where(t.athletes.c.id == a.id)).one()
            item: dict[str, Any] = {
                "name": row.name,
                "tz": row.tz,
                "created_at": _iso(row.created_at),
            }
            for table in t.ATHLETE_TABLES:
                rows = self.conn.execute(
                    select(table).where(table.c.athlete_id == a.id).order_by(table.c.id)
                ).mappings()
                item[table.name] = [
                    {k: _iso(v) for k, v in r.items() if k not in ("id", "athlete_id")}
                    for r in rows
                ]
            out.append(item)
        return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "athletes": out}

    def import_(self, data: Any, merge: bool = False) -> dict[str, Any]:
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise Invalid("this is not a Triplane export (its 'format' is not triplane-export)")
        if data.get("version") != EXPORT_VERSION:
            raise Invalid(f"export version {data.get('version')} is not one this Triplane reads")
        items = data.get("athletes")
        if not isinstance(items, list):
            raise Invalid("the export has no 'athletes' list; is the file complete?")
        existing = {a.name for a in self.athletes()}
        if existing and not merge:
            raise Conflict(
                "the database already holds athletes; import into an empty database, or add "
                "--merge to add the export's athletes beside them"
            )
        counts: dict[str, int] = {}
        for item in items:
            try:
                name = item["name"]
                if name in existing:
                    raise Conflict(
                        f"athlete '{name}' is both in the export and the database; rename one first"
                    )
                aid = t.inserted_id(
                    self.conn.execute(
                        insert(t.athletes).values(
                            name=name,
                            tz=item.get("tz", "UTC"),
                            created_at=_from_iso(item["created_at"], "created_at"),
                        )
                    )
                )
                for table in t.ATHLETE_TABLES:
                    rows = item.get(table.name, [])
                    for r in rows:
                        values = {k: _coerce(table, k, v) for k, v in r.items()}
                        self.conn.execute(insert(table).values(athlete_id=aid, **values))
                    counts[table.name] = counts.get(table.name, 0) + len(rows)
            except (KeyError, TypeError, AttributeError) as exc:
                raise Invalid(f"the export is damaged near athlete {item!r:.60}: {exc}") from None
        return {"athletes": len(items), **counts}


def _iso(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


def _from_iso(v: Any, what: str) -> datetime:
    try:
        return datetime.fromisoformat(v)
    except (TypeError, ValueError):
        raise Invalid(f"'{what}' value {v!r} is not a date-time") from None


def _coerce(table: Any, key: str, value: Any) -> Any:
    if key not in table.c:
        raise Invalid(f"the export has an unknown field '{key}' in {table.name}")
    if value is None:
        return None
    kind = type(table.c[key].type).__name__
    if kind == "Date":
        return parse_date(value, key)
    if kind == "DateTime":
        return _from_iso(value, key)
    return value
