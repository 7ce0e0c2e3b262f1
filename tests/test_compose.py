"""docker-compose.yml runs N web and M worker replicas behind one proxy, and exactly one beat.

No Docker engine runs where the tests do (nor `docker compose config`), so the file is read as
YAML (merge keys resolved, as compose does) and checked for what `docker compose up --scale
web=2 --scale worker=2` needs; the web container's health check is run against a server
answering 503.
"""

import importlib.util
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = [name for name, s in SERVICES.items() if s.get("env_file") == ".env"]


def test_web_publishes_no_host_port_so_it_scales():
    assert "ports" not in SERVICES["web"]
    assert "container_name" not in SERVICES["web"]
    assert "container_name" not in SERVICES["worker"]


def test_only_the_proxy_publishes_a_port_and_it_forwards_to_every_web_replica():
    published = {name for name, s in SERVICES.items() if s.get("ports")}
    assert published == {"proxy"}
    (port,) = SERVICES["proxy"]["ports"]
    container_port = port.rsplit(":", 1)[1]

    nginx = (REPO / "docker" / "nginx.conf").read_text()
    volume = next(v for v in SERVICES["proxy"]["volumes"] if "nginx.conf" in v)
    assert volume.startswith("./docker/nginx.conf:/etc/nginx/conf.d/")
    assert re.search(rf"^\s*listen {container_port};", nginx, re.M)
    # Resolved at run time through Docker's DNS, so replicas added later are used too.
    assert re.search(r"^\s*resolver 127\.0\.0\.11 valid=\d+s", nginx, re.M)
    assert "set $mash_web http://web:8000;" in nginx
    assert "proxy_pass $mash_web;" in nginx
    assert "8000" in SERVICES["web"]["expose"]


def test_exactly_one_beat():
    beat = SERVICES["beat"]
    assert beat.get("scale", 1) == 1
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert beat["command"][:4] == ["celery", "-A", "mash", "beat"]
    beats = [s for s in SERVICES.values() if "beat" in s.get("command", [])]
    assert beats == [beat]


def test_every_app_service_reaches_the_database_and_the_broker():
    assert {"migrate", "web", "worker", "beat", "ops"} <= set(APP_SERVICES)
    for name in APP_SERVICES:
        environment = SERVICES[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://"), name
        assert "@postgres:5432/" in environment["DATABASE_URL"], name
        assert environment["REDIS_URL"] == "redis://redis:6379/0", name
        assert environment["DJANGO_SETTINGS_MODULE"] == "mash.settings.production", name


def test_backups_run_only_on_demand():
    ops = SERVICES["ops"]
    assert ops["profiles"] == ["ops"]
    assert ops["environment"]["BACKUP_DIR"] == "/backups"
    assert any(v.endswith(":/backups") for v in ops["volumes"])
    assert (REPO / ops["build"]["dockerfile"]).is_file()


def load_healthcheck():
    spec = importlib.util.spec_from_file_location("healthcheck", REPO / "docker/healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def healthz(monkeypatch):
    """A stand-in web server whose /healthz answers the status the test sets."""
    answer = {"status": 200, "body": b'{"status": "ok"}'}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            assert self.path == "/healthz"
            self.send_response(answer["status"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer["body"])

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("PORT", str(server.server_port))
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "mash.example.org")
    yield answer
    server.shutdown()


def test_an_unhealthy_web_replica_says_which_check_failed(healthz):
    """Beyond tests/test_deploy.py's 200/503 exit codes: `docker inspect` shows the reason."""
    healthcheck = load_healthcheck()
    assert healthcheck.check_web() is None

    healthz.update(status=503, body=b'{"status": "fail", "failing": ["deadline_scan"]}')
    problem = healthcheck.check_web()
    assert "503" in problem
    assert "deadline_scan" in problem


def test_web_and_workers_share_stored_files_and_a_virus_scanner():
    compose = COMPOSE
    for name in ("web", "worker"):
        service = compose["services"][name]
        assert "media:/app/media" in service["volumes"], name
        assert service["environment"]["MASH_MEDIA_ROOT"] == "/app/media"
        assert service["environment"]["MASH_CLAMD_HOST"] == "clamav"
    assert "ports" not in compose["services"]["clamav"]  # reachable inside the project only
    assert {"media", "clamav-db"} <= set(compose["volumes"])
    ops = compose["services"]["ops"]
    assert "media:/app/media" in " ".join(ops["volumes"])  # backups hold the stored files
    assert ops["environment"]["MASH_MEDIA_ROOT"] == "/app/media"
