# The `ops` service of docker-compose.yml: the app image plus PostgreSQL's client binaries of the
# database's major version, for scripts/backup and scripts/restore. pg_dump must be as new as
# the server, and Debian bookworm's own client is 15: the PostgreSQL project's apt repository
# (its signing key ships in Debian's postgresql-common) has every major version.
#   docker compose --profile ops build ops
ARG MASH_IMAGE=mash-front-door:latest
FROM ${MASH_IMAGE}
ARG PG_MAJOR=16
USER root
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       "postgresql-client-${PG_MAJOR}" \
    && rm -rf /var/lib/apt/lists/*
USER mash
