"""Backup, drop, restore into a fresh database: every row and every stored file back, and the
audit trail unchanged (scripts/backup and scripts/restore, run as `make backup` / `make restore`
run them, against the test database and a database the restore creates)."""

import json
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from contacts import services as contact_services
from enquiries.models import Enquiry
from mash.audit.events import record_event
from mash.audit.models import AuditEvent
from reporting.models import ExportJob
from tests.factories import contact_input, person_input

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parent.parent
AUDIT_TABLES = ("audit_auditevent", "auditlog_logentry")


def database_url(name: str) -> str:
    s = connection.settings_dict
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}/{name}"


@contextmanager
def cursor_on(name: str):
    """An autocommit cursor on database `name`, closed after."""
    s = connection.settings_dict
    db = psycopg2.connect(
        dbname=name,
        user=s["USER"],
        password=s["PASSWORD"],
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    )
    db.autocommit = True
    try:
        with db.cursor() as cursor:
            yield cursor
    finally:
        db.close()


def every_row(name: str) -> dict[str, list[str]]:
    """Each table's rows as JSON text, sorted: the database's whole content, read directly."""
    with cursor_on(name) as cursor:
        cursor.execute("SET TimeZone = 'UTC'")
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        )
        tables = [row[0] for row in cursor.fetchall()]
        content = {}
        for table in tables:
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')
            content[table] = sorted(row[0] for row in cursor.fetchall())
        # Where each id sequence stands: new rows after a restore must not reuse an id.
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
        content["sequences"] = [f"{name}={value}" for name, value in cursor.fetchall()]
    return content


def audit_trail(name: str) -> dict[str, list[tuple]]:
    with cursor_on(name) as cursor:
        trail = {}
        for table in AUDIT_TABLES:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY id')
            trail[table] = cursor.fetchall()
    return trail


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / script), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def fresh_databases():
    """Names for databases the restore creates; dropped afterwards."""
    names = []

    def make() -> str:
        names.append(f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}")
        return names[-1]

    yield make
    with cursor_on("postgres") as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_case_data(hub_worker, manager):
    contact = contact_services.contact_create(
        data=contact_input(subjects=[person_input(nhs_number="9434765919")])
    )
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag="AMBER", rationale="Unclear"
    )
    contact_services.contact_decide(
        contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER"
    )
    contact_services.contact_create(
        data=contact_input(subjects=[person_input(given_name="Amira", family_name="Khan")])
    )
    record_event("backup.test", target=contact, actor=manager, data={"note": "café ✓"})
    ExportJob.objects.create(
        requested_by=manager,
        kind="annex_a",
        file_format="xlsx",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 5, 1),
        suppressed=False,
        state="done",
        created_at=timezone.now(),
        content=bytes(range(256)) * 4,
    )
    assert Enquiry.objects.filter(contact=contact).exists()
    assert AuditEvent.objects.count() >= 3


def test_backup_drop_restore_brings_back_every_row_file_and_the_audit_trail(
    hub_worker, manager, tmp_path, settings, fresh_databases
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    make_case_data(hub_worker, manager)
    stored = {
        default_storage.save("exports/annex-a 2026-04.csv", ContentFile(b"id,name\n1,A\n")),
        default_storage.save("uploads/2026/scan.pdf", ContentFile(bytes(range(256)) * 64)),
    }
    source = connection.settings_dict["NAME"]
    before_rows, before_trail = every_row(source), audit_trail(source)
    before_files = {name: (media / name).read_bytes() for name in stored}
    assert all(before_trail.values()), "the audit trail should hold entries to compare"

    made = run(
        "backup",
        "--output-dir",
        str(tmp_path / "backups"),
        "--database-url",
        database_url(source),
        "--media-root",
        str(media),
    )
    assert made.returncode == 0, made.stderr
    (backup,) = (tmp_path / "backups").glob("mash-*")
    assert {p.name for p in backup.iterdir()} == {"database.dump", "files.tar.gz", "manifest.json"}
    assert oct(backup.stat().st_mode & 0o777) == "0o700"

    # Lose everything: the stored files go, and the restore goes into a new database.
    shutil.rmtree(media)
    target = fresh_databases()
    restored = run(
        "restore", str(backup), "--database-url", database_url(target), "--media-root", str(media)
    )
    assert restored.returncode == 0, restored.stderr
    assert "verified: audit trail public.auditlog_logentry" in restored.stdout

    assert every_row(target) == before_rows
    assert audit_trail(target) == before_trail
    assert {name: (media / name).read_bytes() for name in stored} == before_files
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()) == (
        sorted(stored)
    )

    # The restored trail is still append-only.
    with (
        cursor_on(target) as cursor,
        pytest.raises(psycopg2.errors.RaiseException, match="cannot be deleted"),
    ):
        cursor.execute("DELETE FROM auditlog_logentry")

    # A second restore onto the restored database is refused, and leaves it as it was.
    again = run(
        "restore",
        str(backup),
        "--database-url",
        database_url(target),
        "--media-root",
        str(tmp_path / "elsewhere"),
    )
    assert again.returncode == 1
    assert f"database {target} is not empty" in again.stderr
    assert every_row(target) == before_rows


def test_restore_reports_a_table_that_does_not_match_the_backup(
    hub_worker, manager, tmp_path, fresh_databases
):
    make_case_data(hub_worker, manager)
    source = connection.settings_dict["NAME"]
    made = run(
        "backup",
        "--output-dir",
        str(tmp_path),
        "--database-url",
        database_url(source),
        "--media-root",
        str(tmp_path / "no-media"),
    )
    assert made.returncode == 0, made.stderr
    (backup,) = tmp_path.glob("mash-*")
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["database"]["tables"]["public.auditlog_logentry"]["rows"] += 1
    (backup / "manifest.json").write_text(json.dumps(manifest))

    restored = run("restore", str(backup), "--database-url", database_url(fresh_databases()))
    assert restored.returncode == 1
    assert "verification FAILED" in restored.stderr
    assert "table public.auditlog_logentry:" in restored.stderr
