"""`fangyi backup` and `fangyi restore`: a backup of a running demo while another connection
writes, restored into a fresh database and compared; refusals that change nothing."""

from __future__ import annotations

import datetime
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from fangyi import config
from fangyi.core import backup
from tests.factories import make_resident

ROOT = Path(__file__).resolve().parent.parent


def fangyi(*args: str, var_dir: Path, database_url: str | None = None) -> subprocess.CompletedProcess:
    """The console script in a child process, against the database of `var_dir` (embedded
    SQLite) or `database_url`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FANGYI_TEST_DB_NAME")}
    env.update(FANGYI_VAR_DIR=str(var_dir), PYTHONPATH=str(ROOT))
    if database_url:
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY="x-backup-test-0123456789-0123456789-0123456789",
            ALLOWED_HOSTS="localhost",
        )
    return subprocess.run(
        [sys.executable, "-m", "fangyi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def table_counts(path: Path) -> dict[str, int]:
    names = [name for (name,) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {name: rows(path, f'SELECT count(*) FROM "{name}"')[0][0] for name in names}


SQLITE = {"ENGINE": "django.db.backends.sqlite3"}
RESIDENTS = "SELECT id, name, id_number, phone, birth_date, community_id FROM residents_resident ORDER BY id"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A demo installation (migrated, 300 residents) in its own var/ directory."""
    var = tmp_path_factory.mktemp("demo")
    for args in (("migrate", "--no-input", "-v", "0"), ("demo", "--residents", "300")):
        done = fangyi(*args, var_dir=var)
        assert done.returncode == 0, done.stderr
    return var


class Writer(threading.Thread):
    """Another connection committing sessions one by one until stopped, as a running app does."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.stop, self.written, self.error = path, threading.Event(), 0, None

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=20)
        try:
            while not self.stop.is_set():
                expires = (timezone.now() + datetime.timedelta(hours=8)).isoformat()
                conn.execute(
                    "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, ?, ?)",
                    (f"writer-{self.written:08d}", "x", expires),
                )
                conn.commit()
                self.written += 1
        except sqlite3.Error as exc:  # the assertion below shows it
            self.error = exc
        finally:
            conn.close()


def sessions(path: Path) -> int:
    return rows(path, "SELECT count(*) FROM django_session")[0][0]


def test_sqlite_backup_while_writing_then_restore_into_a_fresh_database(demo, tmp_path):
    source = demo / "fangyi.sqlite3"
    output = tmp_path / "copy.sqlite3"
    writer = Writer(source)
    writer.start()
    while writer.written < 20:  # the writer is really writing before the backup starts
        time.sleep(0.01)
    before = sessions(source)
    done = fangyi("backup", "--output", str(output), var_dir=demo)
    after = sessions(source)
    writer.stop.set()
    writer.join()

    assert (done.returncode, done.stdout.splitlines()[-1], writer.error) == (0, str(output), None)
    assert after > before  # the app went on writing while the backup ran
    assert before <= sessions(output) <= after  # one consistent instant
    assert (rows(output, "PRAGMA integrity_check"), rows(output, "PRAGMA journal_mode")) == (
        [("ok",)],
        [("delete",)],
    )
    assert stat.S_IMODE(output.stat().st_mode) == 0o600

    fresh = tmp_path / "fresh" / "fangyi.sqlite3"
    backup.restore(output, database={**SQLITE, "NAME": str(fresh)})
    expected = table_counts(source)
    expected["django_session"] = sessions(output)
    assert (table_counts(fresh), table_counts(fresh)["residents_resident"]) == (expected, 300)
    assert rows(fresh, RESIDENTS)[:5] == rows(source, RESIDENTS)[:5]
    assert rows(fresh, RESIDENTS)[-1] == rows(source, RESIDENTS)[-1]
    assert rows(fresh, "SELECT app, name FROM django_migrations") == rows(
        source, "SELECT app, name FROM django_migrations"
    )


def test_restore_on_the_command_line_into_a_fresh_database(demo, tmp_path):
    output = backup.backup(tmp_path / "copy.sqlite3", {**SQLITE, "NAME": str(demo / "fangyi.sqlite3")})
    done = fangyi("restore", str(output), var_dir=tmp_path / "fresh")
    assert (done.returncode, table_counts(tmp_path / "fresh" / "fangyi.sqlite3")) == (
        0,
        table_counts(demo / "fangyi.sqlite3"),
    ), done.stderr


def test_sqlite_restore_refuses_a_database_that_is_not_empty(demo, tmp_path):
    output = backup.backup(tmp_path / "copy.sqlite3", {**SQLITE, "NAME": str(demo / "fangyi.sqlite3")})
    target = tmp_path / "other"
    target.mkdir()
    conn = sqlite3.connect(target / "fangyi.sqlite3")
    conn.execute("CREATE TABLE kept (x)")
    conn.execute("INSERT INTO kept VALUES (1)")
    conn.commit()
    conn.close()

    refused = fangyi("restore", str(output), var_dir=target)
    assert (
        refused.returncode,
        refused.stderr.strip(),
        rows(target / "fangyi.sqlite3", "SELECT x FROM kept"),
    ) == (
        1,
        f"CommandError: 数据库 {target / 'fangyi.sqlite3'} 不是空的。"
        "确认要用备份覆盖它，请先停止网页服务和后台任务，再加 --force。",
        [(1,)],
    )
    backup.restore(output, force=True, database={**SQLITE, "NAME": str(target / "fangyi.sqlite3")})
    assert table_counts(target / "fangyi.sqlite3")["residents_resident"] == 300


def test_the_default_backup_file_is_timestamped_under_var_backups(demo, monkeypatch):
    monkeypatch.setattr(config, "VAR_DIR", demo)
    path = backup.backup(None, {**SQLITE, "NAME": str(demo / "fangyi.sqlite3")})
    assert (path.parent, path.name.startswith("fangyi-"), path.suffix, len(path.stem)) == (
        demo / "backups",
        True,
        ".sqlite3",
        len("fangyi-20220124-083000"),
    )
    assert (stat.S_IMODE(path.parent.stat().st_mode), stat.S_IMODE(path.stat().st_mode)) == (0o700, 0o600)


# Refusals (in process: nothing to run)


def test_a_backup_never_overwrites_a_file(tmp_path):
    (tmp_path / "db.sqlite3").write_bytes(b"")
    existing = tmp_path / "out.sqlite3"
    existing.write_text("keep me")
    with pytest.raises(backup.BackupError) as caught:
        backup.backup(existing, {**SQLITE, "NAME": str(tmp_path / "db.sqlite3")})
    assert (str(caught.value), existing.read_text()) == (f"文件 {existing} 已存在，不会覆盖。", "keep me")


def test_a_backup_of_a_missing_database_leaves_no_file(tmp_path):
    output = tmp_path / "out.sqlite3"
    with pytest.raises(backup.BackupError) as caught:
        backup.backup(output, {**SQLITE, "NAME": str(tmp_path / "missing.sqlite3")})
    assert (str(caught.value), sorted(tmp_path.iterdir())) == (
        f"数据库文件 {tmp_path / 'missing.sqlite3'} 不存在。",
        [],
    )


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("身份证号")
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(bogus, database={**SQLITE, "NAME": str(tmp_path / "new.sqlite3")})
    assert (str(caught.value), (tmp_path / "new.sqlite3").exists()) == (
        f"{bogus} 不是 Fangyi 的数据库备份。",
        False,
    )


def test_restore_refuses_an_sqlite_file_that_is_not_fangyis(tmp_path):
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(other, database={**SQLITE, "NAME": str(tmp_path / "new.sqlite3")})
    assert (str(caught.value), (tmp_path / "new.sqlite3").exists()) == (
        f"{other} 不是 Fangyi 的数据库备份。",
        False,
    )


def test_restore_refuses_a_backup_of_the_other_kind(tmp_path):
    dump = tmp_path / "fangyi.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(dump, database={**SQLITE, "NAME": str(tmp_path / "new.sqlite3")})
    assert str(caught.value) == "这是 postgresql 的备份，而配置的数据库是 sqlite。"


def test_restore_of_a_missing_file(tmp_path):
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(tmp_path / "nope.sqlite3", database={**SQLITE, "NAME": str(tmp_path / "new.sqlite3")})
    assert str(caught.value) == f"备份文件 {tmp_path / 'nope.sqlite3'} 不存在。"


# PostgreSQL

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump and pg_restore: run with DATABASE_URL pointing at PostgreSQL",
)


def pg_url(settings_dict, name: str) -> str:
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{settings_dict['USER']}{password}@{host}:{port}/{name}"


@pytest.fixture
def fresh_pg_database(transactional_db):
    """An empty database beside the test database, dropped afterwards."""
    import psycopg

    name = f"{connection.settings_dict['NAME']}_restore"
    params = {k.lower(): connection.settings_dict.get(k) for k in ("HOST", "PORT", "USER", "PASSWORD")}
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**connection.settings_dict, "NAME": name}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_counts(database) -> dict[str, int]:
    import psycopg

    params = {k.lower(): database.get(k) for k in ("HOST", "PORT", "USER", "PASSWORD")}
    with psycopg.connect(dbname=database["NAME"], **{k: v for k, v in params.items() if v}) as conn:
        names = [n for (n,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def pg_residents(database) -> list[tuple]:
    import psycopg

    params = {k.lower(): database.get(k) for k in ("HOST", "PORT", "USER", "PASSWORD")}
    with psycopg.connect(dbname=database["NAME"], **{k: v for k, v in params.items() if v}) as conn:
        return conn.execute(RESIDENTS).fetchall()


@postgresql_only
def test_postgresql_backup_while_writing_then_restore_into_a_fresh_database(org, fresh_pg_database, tmp_path):
    import psycopg

    for day in range(1, 29):
        make_resident(org["a"], org["a1"], name=f"居民{day}", born=datetime.date(1950, 2, day))
    source = connection.settings_dict
    stop, written = threading.Event(), []

    def write() -> None:
        params = {k.lower(): source.get(k) for k in ("HOST", "PORT", "USER", "PASSWORD")}
        with psycopg.connect(
            dbname=source["NAME"], autocommit=True, **{k: v for k, v in params.items() if v}
        ) as c:
            while not stop.is_set():
                c.execute(
                    "INSERT INTO django_session VALUES (%s, 'x', now() + interval '8 hours')",
                    (f"w{len(written)}",),
                )
                written.append(1)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    while len(written) < 20:
        time.sleep(0.01)
    output = backup.backup(tmp_path / "fangyi.dump", source)
    stop.set()
    writer.join()

    assert (output.read_bytes()[:5], stat.S_IMODE(output.stat().st_mode)) == (b"PGDMP", 0o600)
    backup.restore(output, database=fresh_pg_database)
    expected, got = pg_counts(source), pg_counts(fresh_pg_database)
    assert got["django_session"] <= expected["django_session"]
    del expected["django_session"], got["django_session"]
    assert (got, got["residents_resident"]) == (expected, 28)
    assert pg_residents(fresh_pg_database) == pg_residents(source)


@postgresql_only
def test_postgresql_restore_refuses_a_database_that_is_not_empty(org, fresh_pg_database, tmp_path):
    make_resident(org["a"], org["a1"])
    output = backup.backup(tmp_path / "fangyi.dump", connection.settings_dict)
    backup.restore(output, database=fresh_pg_database)
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(output, database=fresh_pg_database)
    assert str(caught.value) == (
        f"数据库 {fresh_pg_database['NAME']} 不是空的。确认要用备份覆盖它，请先停止网页服务和后台任务，再加 --force。"
    )
    backup.restore(output, force=True, database=fresh_pg_database)
    assert pg_counts(fresh_pg_database)["residents_resident"] == 1


@postgresql_only
def test_postgresql_backup_and_restore_on_the_command_line(org, fresh_pg_database, tmp_path):
    make_resident(org["a"], org["a1"])
    output = tmp_path / "cli.dump"
    done = fangyi(
        "backup",
        "--output",
        str(output),
        var_dir=tmp_path,
        database_url=pg_url(connection.settings_dict, connection.settings_dict["NAME"]),
    )
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, str(output)), done.stderr
    restored = fangyi(
        "restore",
        str(output),
        var_dir=tmp_path,
        database_url=pg_url(fresh_pg_database, fresh_pg_database["NAME"]),
    )
    assert restored.returncode == 0, restored.stderr
    assert pg_residents(fresh_pg_database) == pg_residents(connection.settings_dict)
