#!/usr/bin/env bash
# Back up gisplan: the PostGIS database, the media files, and a MANIFEST to check a restore against.
#
#   scripts/backup.sh [DEST_DIR]            DEST_DIR defaults to backups/ beside manage.py
#
# Writes DEST_DIR/<database>-<UTC timestamp>/ containing
#   gisplan.dump   pg_dump custom format (-Fc), without owners and privileges, so it restores into
#                  a database of any role (scripts/restore.sh);
#   media.tar.gz   the files under MEDIA_ROOT (uploaded imports, ...); an empty archive if none;
#   MANIFEST       source, versions, the Django migration state, row counts of the main tables
#                  and the sha256 of the two files.
# The migration state, the row counts and the dump are read in one snapshot (pg_dump --snapshot),
# so they agree even while people are editing. The folder appears under its final name only when
# everything is written; a failed run leaves nothing behind and exits non-zero. The last line on
# stdout is the folder's path; progress goes to stderr.
#
# Settings, as Django reads them: DATABASE_URL and MEDIA_ROOT from the environment, else from the
# .env file beside manage.py, else postgis://gisplan:gisplan@127.0.0.1:5432/gisplan and media/.
# The password is handed to pg_dump/psql in PGPASSWORD (never on a command line, never printed);
# a URL without one uses ~/.pgpass. Needs pg_dump/psql of the server's major version or newer.
# Works as root or as any user that can read MEDIA_ROOT; the backup is readable by its owner only.
set -euo pipefail
umask 077

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENV_FILE="$ROOT/.env"
DEFAULT_DATABASE_URL="postgis://gisplan:gisplan@127.0.0.1:5432/gisplan"
# Tables whose row counts go into MANIFEST (scripts/restore.sh compares them after a restore).
COUNT_TABLES="projects_geo_project projects_geo_projectstage projects_geo_historicalproject
  projects_geo_historicalprojectstage projects_geo_projecttambon layers_province layers_amphoe
  layers_tambon layers_organization auth_user"

log() { printf '[backup] %s\n' "$*" >&2; }
die() { printf '[backup] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# Settings and DATABASE_URL: scripts/dburl.sh (shared with the other script).
# shellcheck source=scripts/dburl.sh
source "$ROOT/scripts/dburl.sh"

# --- arguments ----------------------------------------------------------------------------------
case ${1:-} in
  -h | --help) usage; exit 0 ;;
  -*) usage >&2; die "unknown option $1" ;;
esac
[ $# -le 1 ] || { usage >&2; die "too many arguments"; }
DEST_DIR=${1:-$ROOT/backups}

for tool in pg_dump pg_restore psql tar gzip sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install postgresql-client tar coreutils)"
done

parse_database_url "$(setting DATABASE_URL "$DEFAULT_DATABASE_URL")"
MEDIA_ROOT=$(setting MEDIA_ROOT "$ROOT/media")
[[ $MEDIA_ROOT == /* ]] || MEDIA_ROOT="$ROOT/$MEDIA_ROOT"

mkdir -p "$DEST_DIR" || die "cannot create $DEST_DIR"
DEST_DIR=$(cd "$DEST_DIR" && pwd)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$DEST_DIR/${DB_NAME//[^A-Za-z0-9_.-]/_}-$stamp"
partial="$final.partial"
[ ! -e "$final" ] || die "$final exists already (one backup per second)"
mkdir "$partial" || die "cannot create $partial"
trap 'rm -rf -- "$partial"' EXIT

log "backing up $DB_WHERE into $final"

# --- database: migration state, counts and pg_dump in one snapshot ------------------------------
# psql keeps a REPEATABLE READ transaction open, exports its snapshot, writes what it sees and runs
# pg_dump on that same snapshot (\! runs a shell command while the transaction stays open).
export GISPLAN_DB_URI=$DB_URI GISPLAN_DUMP="$partial/gisplan.dump" GISPLAN_DUMP_RC="$partial/.pg_dump.rc"
psql_out="$partial/.database"
if ! psql -X -w -q -A -t -F ' ' -v ON_ERROR_STOP=1 -v tables="$COUNT_TABLES" \
  --dbname="$DB_URI" >"$psql_out" <<'SQL'; then
BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SELECT pg_export_snapshot() AS gisplan_snapshot \gset
\setenv GISPLAN_SNAPSHOT :gisplan_snapshot
\echo [server]
SELECT 'postgresql', current_setting('server_version');
SELECT 'postgis', coalesce((SELECT extversion FROM pg_extension WHERE extname = 'postgis'), 'absent');
\echo [migrations]
SELECT app, name FROM django_migrations ORDER BY 1, 2;
\echo [counts]
SELECT t, CASE WHEN to_regclass(quote_ident(t)) IS NULL THEN 'absent'
               ELSE (xpath('/row/c/text()',
                           query_to_xml(format('SELECT count(*) AS c FROM %I', t), false, true, '')))[1]::text END
FROM unnest(regexp_split_to_array(trim(:'tables'), '\s+')) WITH ORDINALITY AS u(t, i)
ORDER BY i;
\! pg_dump -w --format=custom --no-owner --no-acl --snapshot="$GISPLAN_SNAPSHOT" --file="$GISPLAN_DUMP" --dbname="$GISPLAN_DB_URI"; echo $? >"$GISPLAN_DUMP_RC"
COMMIT;
SQL
  die "reading $DB_WHERE failed (see the message above; is it a migrated gisplan database and is DATABASE_URL right?)"
fi
rc=$(cat "$GISPLAN_DUMP_RC" 2>/dev/null || echo "not run")
[ "$rc" = 0 ] || die "pg_dump failed (exit status $rc; see the message above)"
pg_restore --list "$GISPLAN_DUMP" >/dev/null || die "the dump just written cannot be read back"
rm -f "$GISPLAN_DUMP_RC"

section() { awk -v s="[$1]" '$0 == s {on = 1; next} /^\[/ {on = 0} on && NF' "$psql_out"; }
server_version=$(section server | awk '$1 == "postgresql" {print $2}')
postgis_version=$(section server | awk '$1 == "postgis" {print $2}')
migrations=$(section migrations)
counts=$(section counts)
[ -n "$migrations" ] || die "django_migrations is empty: not a migrated gisplan database"

# --- media --------------------------------------------------------------------------------------
media_files=0
if [ -d "$MEDIA_ROOT" ]; then
  media_files=$(find "$MEDIA_ROOT" -type f | wc -l)
  log "archiving $media_files media file(s) from $MEDIA_ROOT"
  set +e
  tar --create --gzip --file="$partial/media.tar.gz" --directory="$MEDIA_ROOT" .
  rc=$?
  set -e
  # 1: a file changed while it was read (an upload in progress); the archive is still usable.
  if [ "$rc" -eq 1 ]; then
    log "warning: some media files changed while they were archived"
  elif [ "$rc" -ne 0 ]; then
    die "archiving $MEDIA_ROOT failed (tar exit status $rc)"
  fi
else
  log "no media directory at $MEDIA_ROOT: writing an empty media archive"
  tar --create --gzip --file="$partial/media.tar.gz" --files-from=/dev/null
fi

# --- MANIFEST -----------------------------------------------------------------------------------
commit=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
{
  echo "# gisplan backup, written by scripts/backup.sh; scripts/restore.sh checks a restore against it."
  echo "format 1"
  echo "created $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "database $DB_NAME"
  echo "server ${DB_HOSTPORT:-local-socket}"
  echo "user ${DB_USER:-default}"
  echo "postgresql $server_version"
  echo "postgis $postgis_version"
  echo "pg_dump $(pg_dump --version | sed -E 's/^pg_dump \(PostgreSQL\) //')"
  echo "gisplan_commit $commit"
  echo "media_root $MEDIA_ROOT"
  echo "media_files $media_files"
  echo
  echo "[migrations]"
  printf '%s\n' "$migrations"
  echo
  echo "[counts]"
  printf '%s\n' "$counts"
  echo
  echo "[sha256]"
  (cd "$partial" && sha256sum gisplan.dump media.tar.gz)
} >"$partial/MANIFEST"
rm -f "$psql_out"

mv "$partial" "$final"
trap - EXIT
log "done: $(du -sh "$final" | cut -f1) in $final"
printf '%s\n' "$counts" | awk '{printf "[backup]   %-38s %s\n", $1, $2}' >&2
printf '%s\n' "$final"
