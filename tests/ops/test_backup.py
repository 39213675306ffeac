"""`make backup` / `make restore`: pg_dump (custom format) + media files, checked on restore."""

import os
import subprocess

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from psycopg2 import sql

from .conftest import ROOT, database_url_for, needs_postgres_and_redis


def _server():
    conn = psycopg2.connect(database_url_for("postgres"))
    conn.autocommit = True
    return conn


def _figures(url):
    """Row counts of every table and an md5 of the registry, measured here, independently
    of the command's own manifest."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY 1")
        tables = [r[0] for r in cur.fetchall()]
        counts = {}
        for table in tables:
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cur.fetchone()[0]
        cur.execute(
            "SELECT md5(string_agg(c::text, '|' ORDER BY c.id)), count(*) FROM children_child c"
        )
        checksum, children = cur.fetchone()
    conn.close()
    return counts, checksum, children


@needs_postgres_and_redis
def test_a_backup_survives_dropping_the_database_and_the_media_files(tmp_path):
    name = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[1]}_backup_{os.getpid()}"
    url = database_url_for(name)
    media = tmp_path / "media"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_MEDIA_ROOT": str(media)}
    env.pop("REDIS_URL")  # the commands run tasks in-process; no worker involved

    def run(*cmd):
        result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    server = _server()
    with server.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        run("make", "--no-print-directory", "migrate")
        run(".venv/bin/python", "manage.py", "seed_demo", "--children", "400", "--seed", "3")
        (media / "rosters").mkdir(parents=True)
        upload = media / "rosters" / "a1b2c3.xlsx"
        upload.write_bytes(b"PK\x03\x04 roster bytes")
        before = _figures(url)
        assert before[2] == 400

        out = run("make", "--no-print-directory", "backup", f"BACKUP_DIR={tmp_path / 'bk'}")
        (folder,) = (tmp_path / "bk").iterdir()
        assert "备份完成" in out
        assert {p.name for p in folder.iterdir()} == {
            "database.dump",
            "media.tar.gz",
            "manifest.json",
        }
        assert (folder / "database.dump").read_bytes()[:5] == b"PGDMP"  # custom format
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
        assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in folder.iterdir())

        # Disaster: the database and the uploaded files are gone.
        with server.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        subprocess.run(["rm", "-rf", str(media)], check=True)

        out = run("make", "--no-print-directory", "restore", f"FROM={folder}", "YES=1")
        assert "恢复完成" in out and "400 名儿童" in out
        assert _figures(url) == before
        assert upload.read_bytes() == b"PK\x03\x04 roster bytes"
    finally:
        with server.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        server.close()


def test_restore_refuses_a_folder_that_is_not_a_backup_and_changes_nothing(tmp_path):
    (tmp_path / "database.dump").write_bytes(b"PGDMP")
    with pytest.raises(CommandError, match="不是完整的备份"):
        call_command("restore", str(tmp_path), no_input=True)


def test_restore_asks_first_and_a_no_cancels(tmp_path, monkeypatch, settings):
    (tmp_path / "database.dump").write_bytes(b"PGDMP")
    (tmp_path / "manifest.json").write_text(
        '{"created": "2026-12-01T00:00:00", "row_counts": {"children_child": 3},'
        ' "registry_checksum": "x", "media": null, "media_files": 0}'
    )
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="已取消"):
        call_command("restore", str(tmp_path))


def test_backup_on_sqlite_says_it_needs_postgresql(tmp_path, settings):
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("on PostgreSQL the real backup test runs")
    with pytest.raises(CommandError, match="需要 PostgreSQL"):
        call_command("backup", output_dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []
