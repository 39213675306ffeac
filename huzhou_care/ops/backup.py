"""Backups: ``pg_dump`` in custom format, the media files, and a manifest to check a restore.

A backup is one folder (mode 0700: it holds children's personal data):

    database.dump   pg_dump --format=custom (restored with pg_restore, table by table)
    media.tar.gz    the uploaded files under MEDIA_ROOT (absent when uploads live in S3:
                    back the bucket up with its own versioning/replication)
    manifest.json   when, which database, the exact row count of every table and a checksum
                    of the registry (children_child), compared after every restore
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils import timezone

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    port: str
    user: str
    password: str

    @classmethod
    def from_settings(cls, alias: str = "default") -> Target:
        db = settings.DATABASES[alias]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError(
                "备份与恢复需要 PostgreSQL（设置 DATABASE_URL）；SQLite 数据库请直接复制 db.sqlite3 文件。"
            )
        return cls(
            name=db["NAME"],
            host=db.get("HOST") or "",
            port=str(db.get("PORT") or ""),
            user=db.get("USER") or "",
            password=db.get("PASSWORD") or "",
        )

    def args(self) -> list[str]:
        out = []
        if self.host:
            out += ["--host", self.host]
        if self.port:
            out += ["--port", self.port]
        if self.user:
            out += ["--username", self.user]
        return out

    def env(self) -> dict:
        # The password goes to the tools through the environment, never on a command line.
        env = {**os.environ}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def registry_figures(alias: str = "default") -> dict:
    """Exact row counts of every table and an md5 of the registry's rows in id order."""
    # Through the app registry: the core imports no app (tests/test_conventions.py).
    Child = apps.get_model("children", "Child")  # noqa: N806
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        child_table = connection.ops.quote_name(Child._meta.db_table)
        cursor.execute(
            f"SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY t.id), '')) FROM {child_table} t"  # noqa: S608
        )
        checksum = cursor.fetchone()[0]
    return {"row_counts": counts, "registry_checksum": checksum}


def _run(cmd: list[str], target: Target, what: str) -> None:
    proc = subprocess.run(cmd, env=target.env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{what}失败（退出码 {proc.returncode}）：{proc.stderr.strip()[-500:]}")


def backup_create(*, output_dir: Path, alias: str = "default") -> Path:
    target = Target.from_settings(alias)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder = Path(output_dir) / stamp
    folder.mkdir(parents=True, exist_ok=False, mode=0o700)
    os.chmod(folder, 0o700)
    old_umask = os.umask(0o077)
    try:
        # The figures first, then the dump in one snapshot: rows written between the two
        # would show as a mismatch on restore, so a backup is taken with the site quiet
        # (docs/deploy.md: stop the worker and beat, or take it from the replica).
        figures = registry_figures(alias)
        _run(
            [
                "pg_dump",
                *target.args(),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(folder / DUMP),
                target.name,
            ],
            target,
            "pg_dump ",
        )
        media_root = Path(settings.MEDIA_ROOT)
        on_disk = settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
        media_files = 0
        if on_disk:
            with tarfile.open(folder / MEDIA, "w:gz") as tar:
                if media_root.exists():
                    for path in sorted(media_root.rglob("*")):
                        if path.is_file():
                            tar.add(path, arcname=str(path.relative_to(media_root)))
                            media_files += 1
        manifest = {
            "created": timezone.now().isoformat(),
            "database": target.name,
            "media": MEDIA if on_disk else None,
            "media_files": media_files,
            **figures,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # no half backup left behind
        raise
    finally:
        os.umask(old_umask)
    return folder


def _ensure_database(target: Target) -> None:
    """Create the target database when it is gone (a restore after losing the server)."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(
        dbname="postgres",
        host=target.host or None,
        port=target.port or None,
        user=target.user or None,
        password=target.password or None,
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name)))
    finally:
        conn.close()


def backup_read_manifest(folder: Path) -> dict:
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} 不是完整的备份：缺少或无法读取 {MANIFEST}（{exc}）") from exc
    if not (folder / DUMP).is_file():
        raise BackupError(f"{folder} 不是完整的备份：缺少 {DUMP}")
    return manifest


def backup_restore(*, folder: Path, alias: str = "default") -> dict:
    """Replace the database and the media files with the backup, then compare the figures.
    Returns the manifest; raises BackupError when the restored data do not match it."""
    folder = Path(folder)
    manifest = backup_read_manifest(folder)
    target = Target.from_settings(alias)
    connections[alias].close()
    _ensure_database(target)
    _run(
        [
            "pg_restore",
            *target.args(),
            "--dbname",
            target.name,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(folder / DUMP),
        ],
        target,
        "pg_restore ",
    )
    if manifest.get("media"):
        media_root = Path(settings.MEDIA_ROOT)
        staging = media_root.with_name(media_root.name + ".restoring")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True, mode=0o700)
        with tarfile.open(folder / MEDIA, "r:gz") as tar:
            tar.extractall(staging, filter="data")  # refuses absolute paths and ../
        if media_root.exists():
            shutil.rmtree(media_root)
        staging.rename(media_root)
    connections[alias].close()
    figures = registry_figures(alias)
    differences = [
        f"{table}: 备份 {n}，恢复后 {figures['row_counts'].get(table)}"
        for table, n in manifest["row_counts"].items()
        if figures["row_counts"].get(table) != n
    ]
    if figures["registry_checksum"] != manifest["registry_checksum"]:
        differences.append("登记册校验和不一致")
    if differences:
        raise BackupError("恢复后的数据与备份清单不一致：" + "；".join(differences))
    return manifest
