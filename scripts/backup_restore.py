"""Backup and restore of the MASH front door: PostgreSQL and stored files, verified.

    scripts/backup  [--output-dir DIR] [--database-url URL] [--media-root DIR]
    scripts/restore BACKUP [--database-url URL] [--media-root DIR] [--force]

A backup is a folder `mash-<UTC time>/` (mode 0700) holding:

- `database.dump`: `pg_dump --format=custom` of DATABASE_URL, taken in an exported snapshot;
- `files.tar.gz`: the default file storage's folder (MEDIA_ROOT), when there is one;
- `manifest.json`: for every table its row count and a content checksum computed in the same
  snapshot as the dump, the audit trail's tables and their append-only triggers, every stored
  file's size and SHA-256, and the dump's own SHA-256.

It is written as `.mash-<time>.partial/` and renamed when complete, so a folder named `mash-*`
is always a whole backup.

Restore checks the backup against its manifest first, refuses a target database or media folder
that already holds anything (unless --force: the database is dropped and created again, stored
files are overwritten), restores with `pg_restore --single-transaction` (all or nothing; rows go in
by COPY before the audit trail's triggers are created, so the append-only protection neither
blocks the restore nor is ever switched off), puts the files back, and verifies: every table's
row count and checksum, every file's SHA-256, and the append-only triggers present and enabled.
It prints what it verified and exits 1 on any difference.

The client binaries are those of the server's major version: $MASH_PG_BINDIR, then the usual
per-version folders (/usr/lib/postgresql/N/bin, /usr/pgsql-N/bin, Homebrew), then PATH; a newer
client is accepted when the exact one is missing, an older one never.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MANIFEST_FORMAT = 1
DUMP = "database.dump"
FILES = "files.tar.gz"
MANIFEST = "manifest.json"

# Session settings that fix every value's text form, so a checksum is the same on any server.
STABLE_TEXT = (
    "SET TimeZone = 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 1",
    "SET bytea_output = 'hex'",
)
USER_TABLES = """
    SELECT n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r'
      AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
      AND NOT EXISTS (
          SELECT 1 FROM pg_depend d
          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
      )
    ORDER BY 1, 2
"""
USER_RELATIONS = """
    SELECT count(*)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
      AND NOT EXISTS (
          SELECT 1 FROM pg_depend d
          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
      )
"""
# The append-only triggers of mash/audit/migrations/0002_protect_audit_tables.py.
APPEND_ONLY_TRIGGERS = """
    SELECT c.relname, t.tgname, t.tgenabled
    FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE p.proname = 'mash_audit_append_only' AND NOT t.tgisinternal
    ORDER BY 1, 2
"""


class Failure(Exception):
    """Something the operator must see; the command exits non-zero with this message."""


# --- connection -----------------------------------------------------------------------------


def database_config(url: str | None) -> dict:
    """NAME, USER, PASSWORD, HOST, PORT and OPTIONS of a postgres:// URL (django-environ)."""
    url = url or os.environ.get("DATABASE_URL", "")
    if not url:
        raise Failure(
            "DATABASE_URL is not set. Backups are of PostgreSQL: set DATABASE_URL "
            "(or pass --database-url) to the database the app uses."
        )
    import environ

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        raise Failure(f"DATABASE_URL is not PostgreSQL ({config['ENGINE']}): nothing to back up.")
    return config


def libpq_env(config: dict) -> dict:
    """The environment for pg_dump/pg_restore: credentials stay out of the process list."""
    env = dict(os.environ)
    for var, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if config.get(key):
            env[var] = str(config[key])
    if config.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = config["OPTIONS"]["sslmode"]
    env["PGDATABASE"] = config["NAME"]
    return env


def connect(config: dict, dbname: str | None = None):
    import psycopg2

    return psycopg2.connect(
        dbname=dbname or config["NAME"],
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        sslmode=config.get("OPTIONS", {}).get("sslmode"),
        connect_timeout=10,
    )


def server_major(cursor) -> int:
    cursor.execute("SHOW server_version_num")
    return int(cursor.fetchone()[0]) // 10000


# --- client binaries --------------------------------------------------------------------------


def client_major(binary: str) -> int | None:
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def client_binary(name: str, major: int) -> str:
    """`name` (pg_dump, pg_restore) of PostgreSQL `major`, or the nearest newer one."""
    folders = []
    if os.environ.get("MASH_PG_BINDIR"):
        folders.append(os.environ["MASH_PG_BINDIR"])
    folders += [
        f"/usr/lib/postgresql/{major}/bin",
        f"/usr/pgsql-{major}/bin",
        f"/opt/homebrew/opt/postgresql@{major}/bin",
        f"/usr/local/opt/postgresql@{major}/bin",
    ]
    candidates = [str(Path(folder) / name) for folder in folders]
    candidates += sorted(str(p / name) for p in Path("/usr/lib/postgresql").glob("*/bin"))
    if shutil.which(name):
        candidates.append(shutil.which(name))
    seen = {}
    for candidate in candidates:
        if candidate not in seen and os.access(candidate, os.X_OK):
            seen[candidate] = client_major(candidate)
    exact = [c for c, m in seen.items() if m == major]
    if exact:
        return exact[0]
    newer = sorted((m, c) for c, m in seen.items() if m and m > major)
    if newer:
        return newer[0][1]
    found = ", ".join(f"{c} ({m})" for c, m in seen.items()) or "none"
    raise Failure(
        f"{name} of PostgreSQL {major} (or newer) not found; found: {found}. Install "
        f"postgresql-client-{major} or set MASH_PG_BINDIR to the folder holding {name}."
    )


# --- what a database holds ----------------------------------------------------------------------


def table_summary(cursor) -> dict[str, dict]:
    """Row count and content checksum of every table, keyed "schema.table".

    The checksum is the sum of the first 64 bits of each row's md5 (its text form under
    STABLE_TEXT): independent of row order and physical layout, streamed without holding the
    table in memory, and changed by any added, lost or altered row.
    """
    from psycopg2 import sql

    for statement in STABLE_TEXT:
        cursor.execute(statement)
    cursor.execute(USER_TABLES)
    tables = {}
    for schema, name in cursor.fetchall():
        cursor.execute(
            sql.SQL(
                "SELECT count(*), coalesce(sum(('x' || left(md5(mash_backup_row::text), 16))"
                "::bit(64)::bigint::numeric), 0)::text FROM ONLY {}.{} AS mash_backup_row"
            ).format(sql.Identifier(schema), sql.Identifier(name))
        )
        rows, checksum = cursor.fetchone()
        tables[f"{schema}.{name}"] = {"rows": rows, "checksum": f"md5sum64:{checksum}"}
    return tables


def append_only_triggers(cursor) -> dict[str, dict]:
    cursor.execute(APPEND_ONLY_TRIGGERS)
    return {table: {"trigger": name, "enabled": state} for table, name, state in cursor.fetchall()}


def audit_tables(tables: dict, triggers: dict) -> list[str]:
    """django-auditlog's table, mash.audit's tables (`audit_*`) and any append-only table."""
    names = set()
    for key in tables:
        table = key.split(".", 1)[1]
        if table.startswith(("auditlog_", "audit_")) or table in triggers:
            names.add(key)
    return sorted(names)


# --- stored files ------------------------------------------------------------------------------


def default_media_root() -> str | None:
    """The default file storage's folder, from the Django settings the app runs with."""
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mash.settings.local")
    from django.conf import settings

    storage = settings.STORAGES.get("default", {})
    if storage.get("BACKEND") != "django.core.files.storage.FileSystemStorage":
        print(
            f"note: stored files are in {storage.get('BACKEND')}, not a local folder: back that "
            "store up by its own means; this backup holds the database only."
        )
        return None
    location = storage.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT
    return str(location) if location else None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stored_files(root: Path) -> list[dict]:
    if not root.is_dir():
        return []
    files = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            relative = path.relative_to(root).as_posix()
            files.append({"path": relative, "size": path.stat().st_size, "sha256": sha256(path)})
    return files


# --- backup ------------------------------------------------------------------------------------


def _write_backup(config: dict, partial: Path, media_root: str | None, say) -> tuple:
    """The dump, the files and the manifest, into `partial`."""
    import psycopg2.extensions

    connection = connect(config)
    try:
        connection.set_session(
            isolation_level=psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True
        )
        with connection.cursor() as cursor:
            major = server_major(cursor)
            pg_dump = client_binary("pg_dump", major)
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            # pg_dump reads the very snapshot the counts below are taken in.
            dump = subprocess.Popen(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={partial / DUMP}",
                ],
                env=libpq_env(config),
                stderr=subprocess.PIPE,
                text=True,
            )
            tables = table_summary(cursor)
            triggers = append_only_triggers(cursor)
            _, errors = dump.communicate()
            if dump.returncode != 0:
                raise Failure(f"pg_dump failed ({dump.returncode}): {errors.strip()}")
        connection.rollback()
    finally:
        connection.close()

    media_root = media_root if media_root is not None else default_media_root()
    files = []
    if media_root:
        root = Path(media_root)
        files = stored_files(root)
        with tarfile.open(partial / FILES, "w:gz") as archive:
            for entry in files:
                archive.add(root / entry["path"], arcname=entry["path"], recursive=False)
    else:
        say("note: MEDIA_ROOT is not set: the app keeps no stored files; none backed up.")

    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "database": {
            "name": config["NAME"],
            "server_major": major,
            "pg_dump": pg_dump,
            "pg_dump_major": client_major(pg_dump),
            "dump": DUMP,
            "dump_sha256": sha256(partial / DUMP),
            "tables": tables,
        },
        "audit": {
            "tables": audit_tables(tables, triggers),
            "append_only_triggers": triggers,
        },
        "files": {
            "media_root": str(Path(media_root).resolve()) if media_root else None,
            "archive": FILES if media_root else None,
            "archive_sha256": sha256(partial / FILES) if media_root else None,
            "files": files,
        },
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest, media_root


def backup(
    *, database_url: str | None, media_root: str | None, output_dir: str, quiet: bool = False
) -> Path:
    say = (lambda *a: None) if quiet else print
    config = database_config(database_url)
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    if not (output / ".gitignore").exists():
        # Backups hold children's records: never let one be committed by accident.
        (output / ".gitignore").write_text("# Backups hold personal data: never commit them.\n*\n")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1, 100):
        name = f"mash-{stamp}" if attempt == 1 else f"mash-{stamp}-{attempt}"
        final, partial = output / name, output / f".{name}.partial"
        if not final.exists() and not partial.exists():
            break
    partial.mkdir(mode=0o700)
    os.chmod(partial, 0o700)  # whatever the umask: it holds personal data

    try:
        manifest, media_root = _write_backup(config, partial, media_root, say)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    for child in partial.iterdir():
        os.chmod(child, 0o600)
    os.rename(partial, final)

    database, files = manifest["database"], manifest["files"]["files"]
    tables = database["tables"]
    rows = sum(t["rows"] for t in tables.values())
    audit_rows = sum(tables[t]["rows"] for t in manifest["audit"]["tables"])
    say(f"backup written: {final}")
    say(
        f"  database {config['NAME']} (PostgreSQL {database['server_major']}, "
        f"{database['pg_dump']}): {len(tables)} tables, {rows} rows, of which audit trail "
        f"{audit_rows} rows in {', '.join(manifest['audit']['tables'])}"
    )
    say(
        f"  stored files: {len(files)} ({sum(f['size'] for f in files)} bytes)"
        + (f" from {media_root}" if media_root else "")
    )
    return final


# --- restore -----------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    if not (folder / MANIFEST).is_file():
        raise Failure(f"{folder} is not a backup: it has no {MANIFEST}.")
    manifest = json.loads((folder / MANIFEST).read_text())
    if manifest.get("format") != MANIFEST_FORMAT:
        raise Failure(f"{folder}: unknown manifest format {manifest.get('format')!r}.")
    actual = sha256(folder / DUMP)
    if actual != manifest["database"]["dump_sha256"]:
        raise Failure(f"{folder / DUMP} is damaged: its SHA-256 is not the one recorded.")
    archive = manifest["files"]["archive"]
    if archive and sha256(folder / archive) != manifest["files"]["archive_sha256"]:
        raise Failure(f"{folder / archive} is damaged: its SHA-256 is not the one recorded.")
    return manifest


def prepare_database(config: dict, *, force: bool, say) -> None:
    """Make sure the target database exists and is empty (dropped and created with --force)."""
    import psycopg2
    from psycopg2 import sql

    name = config["NAME"]
    try:
        maintenance = connect(config, dbname="postgres")
    except psycopg2.OperationalError:
        maintenance = None  # no access to the maintenance database: the target must exist
    exists = True
    if maintenance is not None:
        maintenance.autocommit = True
        with maintenance.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
    try:
        if exists:
            with connect(config) as connection, connection.cursor() as cursor:
                cursor.execute(USER_RELATIONS)
                relations = cursor.fetchone()[0]
            connection.close()
            if relations and not force:
                raise Failure(
                    f"database {name} is not empty ({relations} tables, sequences or views). "
                    "Restore into a new database, or pass --force (make restore ... FORCE=1) to "
                    "drop it and create it again."
                )
            if relations:
                if maintenance is None:
                    raise Failure(f"--force needs the 'postgres' database to drop {name}.")
                say(f"--force: dropping database {name} ({relations} relations) and creating it")
                with maintenance.cursor() as cursor:
                    try:
                        cursor.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
                    except psycopg2.errors.ObjectInUse as error:
                        raise Failure(
                            f"cannot drop {name}: {error.pgerror.strip()} Stop web, worker and "
                            "beat first (docker compose stop web worker beat)."
                        ) from error
                exists = False
        if not exists:
            if maintenance is None:
                raise Failure(f"database {name} does not exist and cannot be created here.")
            with maintenance.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name}")
    finally:
        if maintenance is not None:
            maintenance.close()


def prepare_media(root: Path, manifest: dict, *, force: bool) -> None:
    present = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
    if present and not force:
        raise Failure(
            f"{root} already holds {len(present)} files. Restore into an empty folder, or pass "
            "--force (FORCE=1) to overwrite the files the backup holds."
        )


def restore(
    backup_folder: str,
    *,
    database_url: str | None,
    media_root: str | None,
    force: bool = False,
    quiet: bool = False,
) -> dict:
    """Restore and verify; returns what was verified. Raises Failure on any difference."""
    say = (lambda *a: None) if quiet else print
    folder = Path(backup_folder)
    manifest = read_manifest(folder)
    config = database_config(database_url)
    files = manifest["files"]["files"]
    if files:
        media_root = media_root if media_root is not None else default_media_root()
        if not media_root:
            raise Failure(
                f"the backup holds {len(files)} stored files but MEDIA_ROOT is not set: "
                "pass --media-root."
            )
        root = Path(media_root)
        prepare_media(root, manifest, force=force)

    prepare_database(config, force=force, say=say)
    with connect(config) as connection, connection.cursor() as cursor:
        major = server_major(cursor)
    connection.close()
    pg_restore = client_binary("pg_restore", max(major, manifest["database"]["pg_dump_major"]))
    result = subprocess.run(
        [
            pg_restore,
            "--no-password",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={config['NAME']}",
            str(folder / DUMP),
        ],
        env=libpq_env(config),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise Failure(f"pg_restore failed ({result.returncode}): {result.stderr.strip()}")
    say(f"restored database {config['NAME']} with {pg_restore}")

    if files:
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / FILES, "r:gz") as archive:
            archive.extractall(root, filter="data")
        say(f"restored {len(files)} stored files into {root}")

    return verify(config, manifest, root if files else None, say=say)


def verify(config: dict, manifest: dict, root: Path | None, *, say) -> dict:
    problems = []
    with connect(config) as connection, connection.cursor() as cursor:
        tables = table_summary(cursor)
        triggers = append_only_triggers(cursor)
        cursor.execute("ANALYZE")
    connection.close()

    expected = manifest["database"]["tables"]
    for table in sorted(set(expected) | set(tables)):
        want, got = expected.get(table), tables.get(table)
        if want is None:
            problems.append(f"table {table} is not in the backup")
        elif got is None:
            problems.append(f"table {table} is missing")
        elif want != got:
            problems.append(
                f"table {table}: {got['rows']} rows {got['checksum']}, "
                f"backup had {want['rows']} rows {want['checksum']}"
            )
    for table, trigger in manifest["audit"]["append_only_triggers"].items():
        if triggers.get(table) != trigger:
            problems.append(f"audit table {table}: append-only trigger {trigger} is not in force")

    file_problems = []
    for entry in manifest["files"]["files"]:
        path = root / entry["path"]
        if not path.is_file():
            file_problems.append(f"file {entry['path']} is missing")
        elif sha256(path) != entry["sha256"]:
            file_problems.append(f"file {entry['path']} differs from the backup")
    problems += file_problems

    if problems:
        raise Failure("verification FAILED:\n  " + "\n  ".join(problems))

    audit = manifest["audit"]["tables"]
    summary = {
        "tables": len(tables),
        "rows": sum(t["rows"] for t in tables.values()),
        "audit": {t: tables[t] for t in audit},
        "append_only_triggers": sorted(triggers),
        "files": len(manifest["files"]["files"]),
    }
    say(
        f"verified: {summary['tables']} tables, {summary['rows']} rows, each table's row count "
        "and checksum as backed up"
    )
    for table in audit:
        say(
            f"verified: audit trail {table}: {tables[table]['rows']} rows, checksum "
            f"{tables[table]['checksum']} unchanged"
        )
    say(f"verified: append-only trigger in force on {', '.join(sorted(triggers)) or 'no table'}")
    say(f"verified: {summary['files']} stored files, each SHA-256 as backed up")
    return summary


# --- command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a verified backup")
    make.add_argument("--output-dir", default=os.environ.get("BACKUP_DIR") or "backups")
    back = commands.add_parser("restore", help="restore a backup and verify it")
    back.add_argument("backup", help="a backup folder, backups/mash-<time>")
    back.add_argument("--force", action="store_true", help="replace a non-empty target")
    for sub in (make, back):
        sub.add_argument("--database-url", help="default: $DATABASE_URL")
        sub.add_argument("--media-root", help="default: the settings' MEDIA_ROOT")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            backup(
                database_url=args.database_url,
                media_root=args.media_root,
                output_dir=args.output_dir,
            )
        else:
            restore(
                args.backup,
                database_url=args.database_url,
                media_root=args.media_root,
                force=args.force,
            )
    except Failure as failure:
        print(f"{args.command}: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
