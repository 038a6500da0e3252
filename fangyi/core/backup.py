"""Backups of the whole database, and restoring one.

SQLite: SQLite's online backup API copies the database through a read transaction, so the
web server and the worker go on writing meanwhile (WAL mode) and the copy is the database as
it was at one instant. PostgreSQL: `pg_dump` in its custom format (a snapshot too),
`pg_restore --clean` in one transaction (all or nothing).

A backup holds every resident's ID number and phone: the file is made readable by its
owner only, and never overwrites another file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi import config

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
BUSY_TIMEOUT = 20  # seconds a backup or a restore waits for a writer to finish


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message is for the user."""


def is_sqlite(database: Mapping[str, Any]) -> bool:
    return database["ENGINE"] == "django.db.backends.sqlite3"


def default_path(database: Mapping[str, Any]) -> Path:
    """var/backups/fangyi-YYYYMMDD-HHMMSS.sqlite3 (or .dump for PostgreSQL), local time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return config.VAR_DIR / "backups" / f"fangyi-{stamp}.{'sqlite3' if is_sqlite(database) else 'dump'}"


def _new_private_file(path: Path) -> Path:
    """An empty file beside `path`, readable by its owner only, to be renamed to `path` once
    complete (a crash never leaves a half-written file under the final name)."""
    if path.exists():
        raise BackupError(_("文件 %(path)s 已存在，不会覆盖。") % {"path": path})
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return partial


def backup(output: Path | None = None, database: Mapping[str, Any] | None = None) -> Path:
    """Write a backup of `database` (the configured one by default) to `output` (a new file
    under var/backups/ by default) and return its path."""
    database = database or connections["default"].settings_dict
    output = Path(output) if output else default_path(database)
    partial = _new_private_file(output)
    try:
        if is_sqlite(database):
            _sqlite_backup(Path(database["NAME"]), partial)
        else:
            _pg_dump(database, partial)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return output


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(_("数据库文件 %(path)s 不存在。") % {"path": source})
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT)
    dst = sqlite3.connect(target)
    try:
        # All pages in one step: one read transaction, so one consistent instant. (Copying in
        # slices would start over each time a writer commits, and might never finish.)
        src.backup(dst)
        # A single self-contained file, without a -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(dst, target)
    finally:
        dst.close()
        src.close()


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(_("%(path)s 已损坏：%(detail)s") % {"path": path, "detail": result})
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'").fetchone():
        raise BackupError(_("%(path)s 不是 Fangyi 的数据库备份。") % {"path": path})


def _pg_environment(database: Mapping[str, Any]) -> dict[str, str]:
    """Connection settings for pg_dump and pg_restore through libpq's variables, so that the
    password never shows in the process list."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    if database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = database["OPTIONS"]["sslmode"]
    env["PGDATABASE"] = database["NAME"]
    return env


def _run(program: str, args: list[str], database: Mapping[str, Any]) -> None:
    path = shutil.which(program)
    if path is None:
        raise BackupError(
            _("找不到 %(program)s：请安装 PostgreSQL 客户端（postgresql-client）。") % {"program": program}
        )
    done = subprocess.run(
        [path, *args], env=_pg_environment(database), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip()
        raise BackupError(_("%(program)s 失败：%(detail)s") % {"program": program, "detail": detail})


def _pg_dump(database: Mapping[str, Any], target: Path) -> None:
    _run("pg_dump", ["--format=custom", f"--file={target}"], database)
    # The archive's table of contents reads back: the file is whole.
    _run("pg_restore", ["--list", str(target)], database)


def _kind_of(path: Path) -> str:
    if not path.is_file():
        raise BackupError(_("备份文件 %(path)s 不存在。") % {"path": path})
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(_("%(path)s 不是 Fangyi 的数据库备份。") % {"path": path})


def is_empty(database: Mapping[str, Any]) -> bool:
    """No table at all: a new database, or an SQLite file not created yet."""
    if is_sqlite(database):
        path = Path(database["NAME"])
        if not path.exists():
            return True
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT)
        try:
            return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0
        finally:
            conn.close()
    import psycopg  # PostgreSQL installations only

    params = {key.lower(): database.get(key) for key in ("HOST", "PORT", "USER", "PASSWORD")}
    params["sslmode"] = database.get("OPTIONS", {}).get("sslmode")
    with psycopg.connect(dbname=database["NAME"], **{k: v for k, v in params.items() if v}) as pg:
        row = pg.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    return row is None or row[0] == 0


def restore(source: Path, *, force: bool = False, database: Mapping[str, Any] | None = None) -> None:
    """Replace the contents of `database` (the configured one by default) with the backup in
    `source`. Refused when the database holds tables, unless `force`: the web server and the
    worker must be stopped first, and what the database held is gone afterwards."""
    database = database or connections["default"].settings_dict
    source = Path(source)
    kind = _kind_of(source)
    expected = "sqlite" if is_sqlite(database) else "postgresql"
    if kind != expected:
        raise BackupError(
            _("这是 %(kind)s 的备份，而配置的数据库是 %(expected)s。") % {"kind": kind, "expected": expected}
        )
    if not force and not is_empty(database):
        raise BackupError(
            _("数据库 %(name)s 不是空的。确认要用备份覆盖它，请先停止网页服务和后台任务，再加 --force。")
            % {"name": database["NAME"]}
        )
    connections.close_all()  # our own connections must not hold a lock the restore waits for
    if kind == "sqlite":
        _sqlite_restore(source, Path(database["NAME"]))
    else:
        _run(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                f"--dbname={database['NAME']}",
                str(source),
            ],
            database,
        )


def _sqlite_restore(source: Path, target: Path) -> None:
    src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        _check_sqlite(src, source)
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT)
        try:
            # Through the backup API rather than copying the file: the target's -wal and
            # -shm stay consistent with it, and the copy waits for a writer's lock.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()
