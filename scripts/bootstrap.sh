#!/usr/bin/env bash
# Install what is missing and provision a local PostGIS server; safe to re-run.
#
#  1. Debian packages (PostgreSQL 15 + PostGIS 3, GDAL, GEOS, PROJ, gettext, Chromium for the
#     browser tests, Thai fonts) — only when one is missing, so a second run asks apt nothing.
#  2. .venv with the project installed from pyproject.toml (re-installed when it changes).
#  3. .env with a random SECRET_KEY (kept once written).
#  4. Redis (cache and sessions) started on 127.0.0.1:6379 unless REDIS_URL points elsewhere.
#  5. Unless DATABASE_URL points elsewhere: the Debian cluster 15/main started, a role and a
#     database with the postgis extension. The role is a superuser *of this local cluster*
#     because pytest-django creates the test database and its postgis extension.
# No Django code here.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PG_VERSION=${PG_VERSION:-15}
DB_NAME=${GISPLAN_DB_NAME:-gisplan}
DB_USER=${GISPLAN_DB_USER:-gisplan}
DB_PASSWORD=${GISPLAN_DB_PASSWORD:-gisplan}
DB_PORT=${GISPLAN_DB_PORT:-5432}

log() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*" >&2; }

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

# --- 1. Debian packages -----------------------------------------------------------------------
PACKAGES=(
  "postgresql-$PG_VERSION" "postgresql-$PG_VERSION-postgis-3" postgis
  gdal-bin libgdal-dev libgeos-c1v5 libproj25 binutils gettext
  python3-venv python3-dev build-essential
  chromium fonts-thai-tlwg fonts-noto-core
  make curl ca-certificates
  redis-server redis-tools
  python3-qgis  # headless QGIS for the OGC API client tests (tests/analysis/test_ogc_clients.py)
)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

# --- 2. virtualenv ----------------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.gisplan-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  log "installing the project and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
else
  log ".venv up to date"
fi
# The OGC API conformance runner pins pytest<9 and httpx 0.27: its own virtualenv
# (tests/analysis/test_ogc_clients.py).
if [ ! -x .ogctests-venv/bin/python ] || ! .ogctests-venv/bin/python -c 'import ogctests' 2>/dev/null; then
  log "creating .ogctests-venv (ogctests, the OGC API conformance runner)"
  rm -rf .ogctests-venv  # a half-made one (or a stray link) is made again
  "$PYTHON" -m venv .ogctests-venv
  .ogctests-venv/bin/python -m pip install -q 'ogctests==0.1.15' || { log "could not install ogctests"; rm -rf .ogctests-venv; exit 1; }
fi

# --- 3. .env ----------------------------------------------------------------------------------
if [ ! -f .env ]; then
  log "writing .env (DEBUG on, random SECRET_KEY) — edit it or see .env.example"
  key=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
  cat > .env <<ENV
# Written by scripts/bootstrap.sh for local development; see .env.example for every setting.
DEBUG=true
SECRET_KEY=$key
ENV
fi

# --- 4. Redis ---------------------------------------------------------------------------------
# The cache behind sessions (and later the job queue). A REDIS_URL of the user's means their server.
if [ -z "${REDIS_URL:-}" ] && ! grep -q '^REDIS_URL=' .env 2>/dev/null; then
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    log "starting Redis on 127.0.0.1:6379"
    # Debian's config (persistence on, bound to loopback); daemonised, whether or not systemd runs.
    $SUDO redis-server /etc/redis/redis.conf --daemonize yes --bind 127.0.0.1 --port 6379 >/dev/null
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
  fi
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { log "Redis did not come up"; exit 1; }
  log "Redis ready: redis://127.0.0.1:6379"
fi

# --- 5. PostGIS server ------------------------------------------------------------------------
# A DATABASE_URL of the user's (environment or .env) means their server; one this script wrote
# (after the PROVISIONED marker, for non-default GISPLAN_DB_*) is the local one it keeps running.
PROVISIONED="# DATABASE_URL below provisioned by scripts/bootstrap.sh from GISPLAN_DB_*"
external_db=""
if [ -n "${DATABASE_URL:-}" ]; then
  external_db=yes
elif grep -q '^DATABASE_URL=' .env 2>/dev/null && ! grep -qxF "$PROVISIONED" .env; then
  external_db=yes
fi
if [ -n "$external_db" ]; then
  log "DATABASE_URL is set: using that server, not provisioning a local one"
  exit 0
fi

if ! pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "$PG_VERSION/main"; then
  log "creating PostgreSQL cluster $PG_VERSION/main"
  $SUDO pg_createcluster "$PG_VERSION" main --port "$DB_PORT" >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main" {print $4}' | grep -q online; then
  log "starting PostgreSQL $PG_VERSION/main"
  $SUDO pg_ctlcluster "$PG_VERSION" main start
fi
for _ in $(seq 1 30); do
  as_postgres pg_isready -q -p "$DB_PORT" && break
  sleep 1
done
as_postgres pg_isready -q -p "$DB_PORT" || { log "PostgreSQL did not come up"; exit 1; }

psql_pg() { as_postgres psql -p "$DB_PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_pg -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]; then
  log "creating role $DB_USER"
  psql_pg -c "CREATE ROLE \"$DB_USER\" LOGIN SUPERUSER PASSWORD '$DB_PASSWORD'"
fi
if [ "$(psql_pg -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
  log "creating database $DB_NAME"
  psql_pg -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\" ENCODING 'UTF8' TEMPLATE template0"
fi
psql_pg -d "$DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS postgis"
# Connections: each server process holds at most DB_POOL_MAX_SIZE + GISPLAN_EXTRA_CONNECTIONS
# (docs/operations.md). Room here for this machine's gunicorn (one worker per core), a development
# server, the test suite and a benchmark at once, plus PostgreSQL's reserve; raised (restart) if not.
per_process=$(( ${DB_POOL_MAX_SIZE:-8} + ${GISPLAN_EXTRA_CONNECTIONS:-2} ))
needed=$(( per_process * ($(nproc) + 3) + 20 ))
have=$(psql_pg -c "SHOW max_connections")
if [ "$have" -lt "$needed" ]; then
  log "max_connections $have < $needed: raising it (PostgreSQL restarts once)"
  psql_pg -c "ALTER SYSTEM SET max_connections = $needed"
  $SUDO pg_ctlcluster "$PG_VERSION" main restart
  for _ in $(seq 1 30); do as_postgres pg_isready -q -p "$DB_PORT" && break; sleep 1; done
fi
# Settings default to postgis://gisplan:gisplan@127.0.0.1:5432/gisplan; other GISPLAN_DB_* values
# are written to .env so Django connects to what was provisioned.
url="postgis://$DB_USER:$DB_PASSWORD@127.0.0.1:$DB_PORT/$DB_NAME"
default_url="postgis://gisplan:gisplan@127.0.0.1:5432/gisplan"
if ! grep -qxF "DATABASE_URL=$url" .env && { [ "$url" != "$default_url" ] || grep -qxF "$PROVISIONED" .env; }; then
  log "DATABASE_URL in .env: postgis://$DB_USER:***@127.0.0.1:$DB_PORT/$DB_NAME"
  # drop an earlier provisioned URL (the marker line and the one after it)
  awk -v m="$PROVISIONED" '$0 == m {skip = 1; next} skip {skip = 0; next} {print}' .env > .env.tmp && mv .env.tmp .env
  if [ "$url" != "$default_url" ]; then printf '%s\nDATABASE_URL=%s\n' "$PROVISIONED" "$url" >> .env; fi
fi
log "PostGIS ready: postgis://$DB_USER:***@127.0.0.1:$DB_PORT/$DB_NAME"
