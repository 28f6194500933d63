"""Persistence: a small unit-of-work interface and its SQLite implementation.

The cluster layer keeps its state in memory and marks every record it changes with put() or
delete(); commit() writes all marked records in one transaction. The server commits before it
writes a response, so an acknowledged change survives SIGKILL.
"""

import abc
import json
import sqlite3

SCHEMA_VERSION = "1"


class Store(abc.ABC):
    @abc.abstractmethod
    def load_all(self):
        """{cluster name: {kind: {record id: record}}} for everything stored."""

    @abc.abstractmethod
    def put(self, cluster, kind, record_id, record):
        """Mark a record as changed; it is written (as it is then) at the next commit."""

    @abc.abstractmethod
    def delete(self, cluster, kind, record_id):
        """Mark a record as deleted."""

    @abc.abstractmethod
    def commit(self):
        """Write every marked change in one transaction."""

    @abc.abstractmethod
    def close(self):
        """Commit and release the storage."""

    @abc.abstractmethod
    def get_meta(self, key, default=None):
        """A process-wide value (not a cluster's record), e.g. the clock's offset."""

    @abc.abstractmethod
    def set_meta(self, key, value):
        """Write a process-wide value at once (outside the unit of work)."""


class SQLiteStore(Store):
    def __init__(self, path):
        # Used only under the simulator's lock, possibly from several threads in turn.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS records (cluster TEXT NOT NULL, kind TEXT NOT NULL,"
            " id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (cluster, kind, id))"
            " WITHOUT ROWID")
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        self._pending = {}  # (cluster, kind, id) -> record, or None for a deletion

    def load_all(self):
        state = {}
        for cluster, kind, record_id, data in self._db.execute(
                "SELECT cluster, kind, id, data FROM records"):
            state.setdefault(cluster, {}).setdefault(kind, {})[record_id] = json.loads(data)
        return state

    def put(self, cluster, kind, record_id, record):
        self._pending[(cluster, kind, str(record_id))] = record

    def delete(self, cluster, kind, record_id):
        self._pending[(cluster, kind, str(record_id))] = None

    def commit(self):
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        upserts = [(*key, json.dumps(rec, separators=(",", ":")))
                   for key, rec in pending.items() if rec is not None]
        deletions = [key for key, rec in pending.items() if rec is None]
        self._db.execute("BEGIN")
        try:
            if upserts:
                self._db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)",
                                     upserts)
            if deletions:
                self._db.executemany(
                    "DELETE FROM records WHERE cluster = ? AND kind = ? AND id = ?", deletions)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self):
        self.commit()
        self._db.close()

    def get_meta(self, key, default=None):
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_meta(self, key, value):
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))
