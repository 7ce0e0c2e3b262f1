"""Deployment: production settings pass `check --deploy`, refuse to start without their
variables, and docker-compose.yml describes the services with their health checks.

The suite runs on mash.settings.test, so production settings are loaded in subprocesses with an
explicit environment. Settings read a .env at the project root for names the environment does
not set: the tests that depend on a name being absent skip where a local .env exists.
"""

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LOCAL_DOTENV = ROOT / ".env"
REQUIRED = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")
# A fixed, 50+ character, non-insecure key: the settings only check its shape.
GOOD_SECRET_KEY = "k3Xq9-Lw2Rz7_Tb4Nc8Vm1Hp6Jd0Fs5Gy3Ua7Ie2Ow9Qr4Tt8Yb1Zn6Xc0Vl5Mk"
TIMEOUT = 60

needs_no_local_dotenv = pytest.mark.skipif(
    LOCAL_DOTENV.exists(), reason="a local .env would supply the variables under test"
)


def production_env(**overrides: str | None) -> dict[str, str]:
    """This process's environment without any setting of ours, plus production's required four.

    An override of None leaves that variable out altogether.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "MASH_", "DATABASE_", "REDIS_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="mash.settings.production",
        DJANGO_SECRET_KEY=GOOD_SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="mash.example.org",
        DATABASE_URL="postgres://mash:not-a-password@db.invalid:5432/mash",
        REDIS_URL="redis://redis.invalid:6379/0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


# --- Production settings ----------------------------------------------------------------------


@needs_no_local_dotenv
def test_check_deploy_passes_without_warnings():
    result = run_python(["manage.py", "check", "--deploy"], production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


@needs_no_local_dotenv
@pytest.mark.parametrize("name", REQUIRED)
def test_start_up_stops_when_a_required_variable_is_unset(name):
    result = run_python(["manage.py", "check"], production_env(**{name: None}))
    assert result.returncode != 0
    assert name in result.stderr
    # The reason is the last thing printed: no reading through a traceback to find it.
    assert name in last_line(result.stderr)


@pytest.mark.parametrize("name", REQUIRED)
def test_start_up_stops_when_a_required_variable_is_empty(name):
    result = run_python(["manage.py", "check"], production_env(**{name: ""}))
    assert result.returncode != 0
    assert name in last_line(result.stderr)


@pytest.mark.parametrize(
    "secret_key",
    [
        "too-short-to-be-a-secret",
        "django-insecure-" + GOOD_SECRET_KEY,
        "ab" * 30,  # long enough, but only two different characters
    ],
    ids=["short", "insecure-prefix", "few-characters"],
)
def test_an_unsafe_secret_key_is_refused(secret_key):
    result = run_python(["manage.py", "check"], production_env(DJANGO_SECRET_KEY=secret_key))
    assert result.returncode != 0
    message = last_line(result.stderr)
    assert "DJANGO_SECRET_KEY" in message
    assert "not a safe secret key" in message
    assert secret_key not in result.stderr  # the refused value is never echoed


def test_allowed_hosts_of_only_commas_is_refused():
    result = run_python(["manage.py", "check"], production_env(DJANGO_ALLOWED_HOSTS=" , ,"))
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in last_line(result.stderr)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "not-a-url"),
        ("DATABASE_URL", "sqlite:///db.sqlite3"),
        ("REDIS_URL", "localhost:6379"),
    ],
)
def test_a_malformed_address_is_refused_by_name(name, value):
    result = run_python(["manage.py", "check"], production_env(**{name: value}))
    assert result.returncode != 0
    assert name in last_line(result.stderr)


@needs_no_local_dotenv
def test_production_settings_require_a_second_factor_and_secure_transport_by_default():
    probe = (
        "import json, importlib; s = importlib.import_module('mash.settings.production'); "
        "print(json.dumps({name: getattr(s, name) for name in ("
        "'MASH_REQUIRE_SECOND_FACTOR', 'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'ALLOWED_HOSTS')}))"
    )
    result = run_python(["-c", probe], production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(last_line(result.stdout))
    assert values["MASH_REQUIRE_SECOND_FACTOR"] is True
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["ALLOWED_HOSTS"] == ["mash.example.org"]


def test_every_variable_the_settings_read_is_documented_in_env_example():
    pattern = re.compile(
        r"""(?:env(?:\.\w+)?|_required|_secret_key|_host_list|_database|_redis_url)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    read = set()
    for settings_file in (ROOT / "mash" / "settings").glob("*.py"):
        read.update(pattern.findall(settings_file.read_text()))
    assert set(REQUIRED) <= read
    documented = set(
        re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    assert read - documented == set()


# --- docker-compose.yml -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_with_a_health_check(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert name in services, name
        healthcheck = services[name].get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        assert not healthcheck.get("disable"), name
        assert healthcheck.get("test"), name
        assert services[name].get("restart") in {"always", "unless-stopped", "on-failure"}, name


def test_compose_app_services_wait_for_a_one_shot_migrate(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert "migrate" in " ".join(migrate["command"])
    assert migrate.get("restart", "no") == "no"
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name


def test_compose_app_services_point_at_the_compose_database_and_broker(compose):
    services = compose["services"]
    for name in ("migrate", "web", "worker", "beat"):
        service = services[name]
        assert service["env_file"] in (".env", [".env"]), name
        environment = service["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "mash.settings.production", name
        assert "@postgres:5432/" in environment["DATABASE_URL"], name
        assert environment["REDIS_URL"].startswith("redis://redis:6379/"), name
    assert "mash.wsgi:application" in " ".join(services["web"]["command"])
    assert " ".join(services["worker"]["command"][:4]) == "celery -A mash worker"
    assert " ".join(services["beat"]["command"][:4]) == "celery -A mash beat"


def test_compose_postgres_and_redis_keep_their_data_in_named_volumes(compose):
    named = set(compose.get("volumes") or {})
    services = compose["services"]
    assert services["postgres"]["image"].split(":")[1].startswith("16")
    assert services["redis"]["image"].split(":")[1].startswith("7")
    for name, data_dir in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data")):
        mounts = [volume.split(":") for volume in services[name]["volumes"]]
        assert [source for source, target, *_ in mounts if target == data_dir][0] in named, name


# --- docker/healthcheck.py --------------------------------------------------------------------


class _Healthz(BaseHTTPRequestHandler):
    status = 200
    seen: list[dict] = []

    def do_GET(self):
        type(self).seen.append({"path": self.path, **dict(self.headers)})
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "exit_code"), [(200, 0), (503, 1)])
def test_web_health_check_reads_healthz_as_the_proxy_would(status, exit_code):
    _Healthz.status = status
    _Healthz.seen = []
    server = HTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = production_env(PORT=str(server.server_address[1]))
        env["DJANGO_ALLOWED_HOSTS"] = ".example.org,localhost"
        result = run_python(["docker/healthcheck.py", "web"], env)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == exit_code, result.stderr
    (request,) = _Healthz.seen
    assert request["path"] == "/healthz"
    assert request["Host"] == "example.org"
    assert request["X-Forwarded-Proto"] == "https"
