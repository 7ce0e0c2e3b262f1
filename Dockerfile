# syntax=docker/dockerfile:1
# MASH front door: one image for web (gunicorn), worker and beat (Celery) and migrate.
#   docker build -t mash-front-door .

# --- Stage 1: front-end assets (GOV.UK Frontend, MOJ Frontend, htmx, Chart.js, Sass) ----------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY assets/ ./assets/
RUN mkdir -p static/build && npm run build

# --- Stage 2: the application ---------------------------------------------------------------
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=mash.settings.production \
    PORT=8000

# An unprivileged user owns the processes; root keeps the code and static files read-only.
RUN groupadd --system --gid 10001 mash \
    && useradd --system --uid 10001 --gid mash --create-home --home-dir /home/mash \
       --shell /usr/sbin/nologin mash

WORKDIR /app

# Dependencies first, for the layer cache. The lock file names package indexes local to the
# machine that compiled it: those lines are dropped, so the image installs from PyPI alone.
COPY requirements/base.txt /tmp/requirements.txt
RUN python -m venv "$VIRTUAL_ENV" \
    && grep -v -E '^--(extra-index-url|index-url|find-links)' /tmp/requirements.txt \
       > /tmp/requirements-image.txt \
    && pip install --only-binary=:all: -r /tmp/requirements-image.txt \
    && rm /tmp/requirements.txt /tmp/requirements-image.txt

COPY . .

# Only the node_modules folders that STATICFILES_DIRS (mash/settings/base.py) names.
COPY --from=assets /build/static/build/ ./static/build/
COPY --from=assets /build/node_modules/govuk-frontend/dist/govuk/ ./node_modules/govuk-frontend/dist/govuk/
COPY --from=assets /build/node_modules/@ministryofjustice/frontend/moj/ ./node_modules/@ministryofjustice/frontend/moj/
COPY --from=assets /build/node_modules/htmx.org/dist/ ./node_modules/htmx.org/dist/
COPY --from=assets /build/node_modules/chart.js/dist/ ./node_modules/chart.js/dist/

# Static files are collected (hashed and compressed for whitenoise) into the image. Production
# settings need their variables to load: throwaway values, used by this command only, never
# kept in the image, and a secret key made afresh on every build.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build:build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --noinput --verbosity 1 \
    && python -m compileall -q -x '/node_modules/' .

# The stored-files folder (a named volume in compose copies this owner on first use).
RUN mkdir -p /app/media && chown mash:mash /app/media

USER mash

EXPOSE 8000

# No HEALTHCHECK here: the one image runs web, worker, beat and migrate, and each needs its own
# (docker-compose.yml). The web one is `python docker/healthcheck.py web`.
CMD ["gunicorn", "mash.wsgi:application", "--config", "docker/gunicorn.conf.py"]
