"""Real parts for the fault tests: Celery worker and beat processes, a private Redis server the
test can stop and start, and an SMTP sink (aiosmtpd) that records every message it accepts.

Nothing here is a mock: the workers are ``celery -A mash worker`` processes on the test database,
the broker is a ``redis-server`` the test owns, and mail goes over SMTP to a server in the test
process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from email import message_from_bytes
from pathlib import Path
from typing import Any

import redis
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    probe: Callable[[], Any], timeout: float, what: str, logs: Callable[[], str] = str
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}\n{logs()}")


def database_url_for_tests() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


# --- SMTP -------------------------------------------------------------------------------------


class _Recorder:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.message_ids: list[str] = []
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's API
        import asyncio

        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.message_ids.append(str(message["Message-ID"]).strip())
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts everything, taking `delay` seconds a message."""

    def __init__(self, delay: float = 0.0) -> None:
        self.port = free_port()
        self._recorder = _Recorder(delay)
        self._controller = Controller(self._recorder, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._controller.stop()

    @property
    def message_ids(self) -> list[str]:
        with self._recorder.lock:
            return list(self._recorder.message_ids)

    def counts(self) -> Counter:
        return Counter(self.message_ids)


# --- Redis ------------------------------------------------------------------------------------


class PrivateRedis:
    """A ``redis-server`` of the test's own, on its own port, keeping nothing on disk."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()  # kept across stop() and start(): clients reconnect to it
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        wait_until(lambda: _pings(client), 10, f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        """Stopped hard, as a crash or a network cut would: clients see the connection drop."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


# --- Celery processes --------------------------------------------------------------------------


class CeleryProcess:
    """``celery -A mash worker`` or ``beat`` in its own process group, logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "mash", *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the whole group: no warm shutdown, nothing acknowledged or restored."""
        self.signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text[-lines:]) or "(empty log)"


class Celery:
    """Workers and beat against the test database and a broker; all killed at the end."""

    def __init__(self, log_dir: Path, broker_url: str, settings_module: str, **env: str) -> None:
        self.log_dir = log_dir
        self.started: list[CeleryProcess] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": database_url_for_tests(),
            "REDIS_URL": broker_url,
            **env,
        }

    def worker(self, name: str, *extra: str) -> CeleryProcess:
        args = [
            "worker",
            f"--hostname={name}@test",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            *(extra or ("--pool=solo",)),
        ]
        process = CeleryProcess(name, args, self.env, self.log_dir / f"{name}.log")
        self.started.append(process)
        return process

    def beat(self) -> CeleryProcess:
        args = [
            "beat",
            "--loglevel=INFO",
            f"--schedule={self.log_dir / 'beat-schedule'}",
            "--max-interval=1",
        ]
        process = CeleryProcess("beat", args, self.env, self.log_dir / "beat.log")
        self.started.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} log ---\n{p.tail()}" for p in self.started)

    def kill_all(self) -> None:
        for process in self.started:
            process.kill()


def publish_celery_to(url: str) -> None:
    """Point this process's Celery app (what pages and services publish with) at the broker at
    `url`, with fresh connection and producer pools (the old ones stay bound to the old one)."""
    from mash.celery import app

    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
