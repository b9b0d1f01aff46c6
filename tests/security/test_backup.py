"""Issue 8, point 9: a backup (database dump + uploaded files) restores into an empty database."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.files import save_stored_file
from findings.models import ActionEvidence
from security.events import record
from security.models import SecurityEvent
from tests import factories as f
from tests.conftest import need_service
from tests.security.helpers import ROOT, database_url, is_postgresql

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + bytes(range(256)) * 40

TABLES = [
    "organisation_municipality",
    "organisation_orgunit",
    "organisation_user",
    "organisation_roleassignment",
    "findings_finding",
    "findings_action",
    "findings_actionevidence",
    "security_securityevent",
    "organisation_historicaluser",
]


def _script(name: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / name), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _rows(cursor, table: str) -> list[tuple]:
    cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 (our own table names)
    return cursor.fetchall()


@pytest.fixture
def restored_database():
    name = f"uppsikt_restore_{uuid.uuid4().hex[:10]}"
    admin_url = database_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_restores_the_same_records_and_files(
    world, coordinator, tmp_path, restored_database
):
    need_service(is_postgresql(), "PostgreSQL")
    need_service(bool(shutil.which("pg_dump") and shutil.which("pg_restore")), "pg_dump/pg_restore")

    finding = f.FindingFactory(unit=world.sn, title="Lösenordet Sommar2017 gissades")
    action = f.ActionFactory(unit=world.sn, findings=[finding], title="Inför lösenordspolicy")
    progress = f.ActionProgressFactory(action=action)
    evidence = save_stored_file(
        ActionEvidence,
        uploaded=SimpleUploadedFile("policy.pdf", PDF, content_type="application/pdf"),
        user=coordinator,
        progress=progress,
    )
    record(None, kind=SecurityEvent.Kind.LOGIN, user=coordinator)
    upload_root = Path(default_storage.location)
    assert (upload_root / evidence.file.name).read_bytes() == PDF

    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url(), "UPLOAD_ROOT": str(upload_root)}
    backup_dir = tmp_path / "backup"
    made = _script("backup.sh", str(backup_dir), env=env)
    assert made.returncode == 0, made.stderr
    assert {p.name for p in backup_dir.iterdir()} == {
        "database.dump",
        "uploads.tar.gz",
        "SHA256SUMS",
    }

    restored_root = tmp_path / "restored-uploads"
    env_restore = {**env, "DATABASE_URL": restored_database, "UPLOAD_ROOT": str(restored_root)}
    restored = _script("restore.sh", str(backup_dir), env=env_restore)
    assert restored.returncode == 0, restored.stderr

    # The same rows, table by table.
    with connection.cursor() as original, psycopg.connect(restored_database) as conn:
        copy = conn.cursor()
        for table in TABLES:
            expected = _rows(original, table)
            assert expected, table
            assert _rows(copy, table) == expected, table
        copy.execute(
            "SELECT file, sha256 FROM findings_actionevidence WHERE id = %s", [evidence.pk]
        )
        file_name, sha256 = copy.fetchone()
    # The same file, byte for byte.
    restored_file = restored_root / file_name
    assert hashlib.sha256(restored_file.read_bytes()).hexdigest() == sha256 == evidence.sha256

    # A second restore into the now non-empty database is refused and changes nothing.
    again = _script(
        "restore.sh", str(backup_dir), env={**env_restore, "UPLOAD_ROOT": str(tmp_path / "x")}
    )
    assert again.returncode == 2
    assert "already has" in again.stderr


def test_restore_refuses_a_damaged_backup(tmp_path, db):
    need_service(is_postgresql(), "PostgreSQL")
    backup_dir = tmp_path / "backup"
    backup_dir.mkdir()
    (backup_dir / "database.dump").write_bytes(b"dump")
    (backup_dir / "uploads.tar.gz").write_bytes(b"tar")
    (backup_dir / "SHA256SUMS").write_text(
        f"{hashlib.sha256(b'other').hexdigest()}  database.dump\n"
        f"{hashlib.sha256(b'tar').hexdigest()}  uploads.tar.gz\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url("nonexistent"),
        "UPLOAD_ROOT": str(tmp_path / "u"),
    }
    result = _script("restore.sh", str(backup_dir), env=env)
    assert result.returncode != 0
    assert not (tmp_path / "u").exists()
