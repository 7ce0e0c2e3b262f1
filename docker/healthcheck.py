"""Container health checks for docker-compose.yml: `python docker/healthcheck.py web|beat`.

web:  GET http://localhost:8000/healthz must answer 200; any other status (503 names the
      failing check) is unhealthy, and the reason shown by `docker inspect` carries the start
      of the body. The request carries an allowed Host and X-Forwarded-Proto: https, as the
      proxies' would, so that ALLOWED_HOSTS and SECURE_SSL_REDIRECT answer it instead of
      refusing or redirecting it. It asks this replica directly, never through `proxy`.
beat: the database and the broker that beat schedules from and into must both answer.

Exit 0 when healthy, 1 with a one-line reason otherwise. Standard library plus what the image
already has (django-environ, psycopg2, redis); Django itself is not started, to stay cheap.
"""

import os
import sys
import urllib.error
import urllib.request


def _probe_host() -> str:
    """A host name that ALLOWED_HOSTS accepts: the first listed, wildcards made concrete."""
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    if not hosts or hosts[0] == "*":
        return "localhost"
    return hosts[0].lstrip(".")


def check_web() -> str | None:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://localhost:{port}/healthz",
        headers={"Host": _probe_host(), "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            if response.status != 200:
                return f"/healthz answered {response.status}"
    except urllib.error.HTTPError as error:
        return f"/healthz answered {error.code}: {error.read(300).decode(errors='replace')}"
    except OSError as error:
        return f"/healthz unreachable: {error}"
    return None


def check_beat() -> str | None:
    import environ
    import psycopg2
    import redis

    try:
        config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
        psycopg2.connect(
            dbname=config["NAME"],
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            connect_timeout=5,
        ).close()
    except Exception as error:  # noqa: BLE001 - a health check reports, it does not raise
        return f"database: {error.__class__.__name__}: {error}".strip()
    try:
        redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).ping()
    except Exception as error:  # noqa: BLE001
        return f"broker: {error.__class__.__name__}: {error}".strip()
    return None


CHECKS = {"web": check_web, "beat": check_beat}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in CHECKS:
        print(f"usage: healthcheck.py {{{'|'.join(CHECKS)}}}", file=sys.stderr)
        return 2
    problem = CHECKS[argv[1]]()
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
