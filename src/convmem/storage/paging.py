"""Keyset pagination over a time-ordered key column (our TTIDs sort by creation time)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Select

from convmem.domain.pagination import Cursor, Page


def keyset_page(conn: Connection, stmt: Select[Any], key: Column[Any], cursor: Cursor, size: int,
                key_of: Any = None) -> Page:
    """Run ``stmt`` one page at a time. ``key_of(row)`` extracts the cursor value (default: the
    row attribute named like ``key``)."""
    key_of = key_of or (lambda row: getattr(row, key.name))
    ascending = cursor.order == "ASC"
    backward = cursor.before is not None
    if backward:
        stmt = stmt.where(key < cursor.before if ascending else key > cursor.before)
        stmt = stmt.order_by(key.desc() if ascending else key.asc())
    else:
        if cursor.after is not None:
            stmt = stmt.where(key > cursor.after if ascending else key < cursor.after)
        stmt = stmt.order_by(key.asc() if ascending else key.desc())
    rows = list(conn.execute(stmt.limit(size + 1)).all())
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
        has_prev, has_next = more, True
    else:
        has_prev, has_next = cursor.after is not None, more
    next_cursor = prev_cursor = None
    if rows and has_next:
        next_cursor = Cursor(order=cursor.order, after=key_of(rows[-1]), filters=cursor.filters)
    if rows and has_prev:
        prev_cursor = Cursor(order=cursor.order, before=key_of(rows[0]), filters=cursor.filters)
    return Page(items=rows, next_cursor=next_cursor, previous_cursor=prev_cursor, size=size)


def list_page(items: list[Any], cursor: Cursor, size: int) -> Page:
    """The same paging over a small in-memory list already in ascending order (e.g. the traits
    of one group); the cursor is an index."""
    ordered = items if cursor.order == "ASC" else list(reversed(items))
    if cursor.before is not None:
        end = max(0, int(cursor.before))
        start = max(0, end - size)
    else:
        start = 0 if cursor.after is None else int(cursor.after) + 1
        end = start + size
    chunk = ordered[start:end]
    next_cursor = Cursor(order=cursor.order, after=end - 1, filters=cursor.filters) if end < len(ordered) else None
    prev_cursor = Cursor(order=cursor.order, before=start, filters=cursor.filters) if start > 0 and chunk else None
    return Page(items=chunk, next_cursor=next_cursor, previous_cursor=prev_cursor, size=size)
