"""The 公文 term index (SQLite): an FTS5 table of each document's character bigrams, so a search
reads the documents holding every query word instead of scanning all ``search_text``.

A document's normalised text (``gbt9704.norm``: NFKC, lower, simplified) is written as its CJK
runs' bigrams separated by spaces (``数据共享`` → ``数据 据共 共享``); a query word's CJK runs of
two characters or more become FTS5 phrases of their bigrams, which match exactly the documents
holding the run (plus a few whose runs meet end to end). The index only narrows: the search
still requires every word as a substring (``LIKE``), so results equal the plain scan's.

Written by ``services`` when a document is registered (the only writer), emptied by a trigger
when one is deleted. PostgreSQL has no such table here: the search scans there (not measured
at scale; bench/documents). Set ``ENABLED = False`` to compare with the plain scan.
"""

from __future__ import annotations

from django.db import connection

from shuzheng.core.zhtext import CJK_RE

TABLE = "documents_fts"
ENABLED = True
_present: dict[str, bool] = {}


def grams(normalised: str) -> str:
    out: list[str] = []
    for run in CJK_RE.findall(normalised):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(out)


def match_query(terms: list[str]) -> str | None:
    """The FTS5 query every document holding all ``terms`` matches; None: nothing to narrow."""
    phrases = []
    for t in terms:
        for run in CJK_RE.findall(t):
            if len(run) >= 2:
                phrases.append('"' + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + '"')
    return " AND ".join(phrases) or None


def available() -> bool:
    """Whether searches use the index (SQLite with the table, and ``ENABLED``)."""
    return ENABLED and _table()


def _table() -> bool:
    if connection.vendor != "sqlite":
        return False
    name = str(connection.settings_dict.get("NAME"))
    if name not in _present:
        with connection.cursor() as c:
            c.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [TABLE])
            _present[name] = c.fetchone() is not None
    return _present[name]


def add(rows: list[tuple[int, str]]) -> None:
    """Index ``(document id, normalised text)`` pairs (in the caller's transaction)."""
    if not _table():
        return
    with connection.cursor() as c:
        c.executemany(
            f"INSERT INTO {TABLE} (rowid, grams) VALUES (%s, %s)",  # noqa: S608
            [(pk, grams(text)) for pk, text in rows],
        )


SELECT = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"  # noqa: S608

# the migration's SQL (SQLite only)
CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(grams, tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents_document "
    "BEGIN DELETE FROM documents_fts WHERE rowid = old.id; END",
]
DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_delete", f"DROP TABLE IF EXISTS {TABLE}"]
