#!/usr/bin/env bash
# Restore a backup written by scripts/backup.sh, then check it against the backup's MANIFEST.
#
#   scripts/restore.sh [--force] [--media DIR | --no-media] BACKUP_DIR [TARGET_DATABASE_URL]
#
#   TARGET_DATABASE_URL  postgis://user:password@host:port/name; default DATABASE_URL (environment,
#                        else .env beside manage.py, else postgis://gisplan:gisplan@127.0.0.1:5432/gisplan)
#   --media DIR          unpack the media files into DIR instead of MEDIA_ROOT (default media/)
#   --no-media           leave the media files out
#   --force              restore into a database (and media directory) that is not empty: objects
#                        of the backup replace those of the same name (pg_restore --clean)
#
# 1. Checks the sha256 of gisplan.dump and media.tar.gz against MANIFEST.
# 2. Creates the target database (UTF8, with the postgis extension) when it does not exist; refuses
#    a database that holds any table, view, sequence or function of its own (extensions' own
#    objects do not count), and a media directory that holds files, unless --force.
# 3. pg_restore --no-owner --no-acl --exit-on-error --single-transaction: everything or nothing;
#    the restored objects belong to the role of TARGET_DATABASE_URL. Then ANALYZE.
# 4. Unpacks media.tar.gz.
# 5. Prints the row counts of the restored database beside those of MANIFEST and compares the
#    migration state; exits non-zero on any difference (and on any failure before).
# The role needs CREATEDB to create the database, and the right to create the postgis extension
# (a superuser, or have the database created with the extension beforehand). The password goes to
# psql/pg_restore in PGPASSWORD, never on a command line, and is never printed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENV_FILE="$ROOT/.env"
DEFAULT_DATABASE_URL="postgis://gisplan:gisplan@127.0.0.1:5432/gisplan"
# Objects of the database's own: relations and functions outside the system schemas that no
# extension owns (postgis' spatial_ref_sys, views and functions do not count).
OWN_OBJECTS_SQL="
SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e'))
     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e'));
"
# Row counts of the tables in :tables (as scripts/backup.sh writes them into MANIFEST).
COUNT_SQL="
SELECT t, CASE WHEN to_regclass(quote_ident(t)) IS NULL THEN 'absent'
               ELSE (xpath('/row/c/text()',
                           query_to_xml(format('SELECT count(*) AS c FROM %I', t), false, true, '')))[1]::text END
FROM unnest(regexp_split_to_array(trim(:'tables'), '\s+')) WITH ORDINALITY AS u(t, i)
ORDER BY i;
"

log() { printf '[restore] %s\n' "$*" >&2; }
die() { printf '[restore] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# Settings and DATABASE_URL: scripts/dburl.sh (shared with the other script).
# shellcheck source=scripts/dburl.sh
source "$ROOT/scripts/dburl.sh"
db_uri() { printf 'postgresql://%s%s/%s%s' "${DB_USER_ENC:+$DB_USER_ENC@}" "$DB_HOSTPORT" "$1" "$DB_QUERY"; }

sql() {  # URI [psql options...] — runs the SQL script on stdin, unaligned, stops at the first error
  local uri=$1
  shift
  psql -X -w -q -A -t -F ' ' -v ON_ERROR_STOP=1 "$@" --dbname="$uri"
}

manifest_section() { awk -v s="[$1]" '$0 == s {on = 1; next} /^\[/ {on = 0} on && NF' "$MANIFEST"; }

# --- arguments ----------------------------------------------------------------------------------
FORCE=""
MEDIA_DIR=""
NO_MEDIA=""
positional=()
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --force) FORCE=yes ;;
    --no-media) NO_MEDIA=yes ;;
    --media)
      [ $# -ge 2 ] || die "--media needs a directory"
      MEDIA_DIR=$2
      shift
      ;;
    --media=*) MEDIA_DIR=${1#--media=} ;;
    --) shift; positional+=("$@"); break ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) positional+=("$1") ;;
  esac
  shift
done
[ ${#positional[@]} -ge 1 ] && [ ${#positional[@]} -le 2 ] || { usage >&2; die "give BACKUP_DIR and optionally TARGET_DATABASE_URL"; }
[ -z "$NO_MEDIA" ] || [ -z "$MEDIA_DIR" ] || die "--media and --no-media exclude each other"

for tool in pg_restore psql tar gzip sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install postgresql-client tar coreutils)"
done

# --- 1. the backup ------------------------------------------------------------------------------
BACKUP_DIR=${positional[0]}
[ -d "$BACKUP_DIR" ] || die "no backup directory $BACKUP_DIR"
BACKUP_DIR=$(cd "$BACKUP_DIR" && pwd)
MANIFEST="$BACKUP_DIR/MANIFEST"
for f in MANIFEST gisplan.dump media.tar.gz; do
  [ -f "$BACKUP_DIR/$f" ] || die "$BACKUP_DIR has no $f: not a backup of scripts/backup.sh (or an incomplete one)"
done
grep -qx 'format 1' "$MANIFEST" || die "$MANIFEST: unknown format (expected 'format 1')"
sums=$(manifest_section sha256)
[ "$(printf '%s\n' "$sums" | grep -c .)" -eq 2 ] || die "$MANIFEST lists no sha256 of gisplan.dump and media.tar.gz"
(cd "$BACKUP_DIR" && printf '%s\n' "$sums" | sha256sum --check --quiet --strict) \
  || die "checksum mismatch: the files of $BACKUP_DIR are not those the backup wrote"
log "backup $BACKUP_DIR: checksums ok ($(awk '$1 == "created" {print $2}' "$MANIFEST"), database $(awk '$1 == "database" {print $2}' "$MANIFEST"))"

# --- 2. the target ------------------------------------------------------------------------------
parse_database_url "${positional[1]:-$(setting DATABASE_URL "$DEFAULT_DATABASE_URL")}"
TARGET_URI=$(db_uri "$DB_NAME_ENC")
if [ -z "$NO_MEDIA" ] && [ -z "$MEDIA_DIR" ]; then
  MEDIA_DIR=$(setting MEDIA_ROOT "$ROOT/media")
  [[ $MEDIA_DIR == /* ]] || MEDIA_DIR="$ROOT/$MEDIA_DIR"
fi

if [ -n "$MEDIA_DIR" ] && [ -d "$MEDIA_DIR" ] && [ -n "$(find "$MEDIA_DIR" -type f -print -quit)" ]; then
  [ -n "$FORCE" ] || die "media directory $MEDIA_DIR holds files: give --media with an empty directory, --no-media, or --force to unpack over them"
  log "media directory $MEDIA_DIR holds files: unpacking over them (--force)"
fi

maintenance=""
for candidate in postgres template1; do
  if sql "$(db_uri "$candidate")" -c 'SELECT 1' >/dev/null 2>&1; then
    maintenance=$(db_uri "$candidate")
    break
  fi
done
[ -n "$maintenance" ] || {
  sql "$(db_uri postgres)" -c 'SELECT 1' >/dev/null || true  # shows libpq's reason
  die "cannot connect to the server of $DB_WHERE"
}

exists=$(sql "$maintenance" -v name="$DB_NAME" <<<"SELECT count(*) FROM pg_database WHERE datname = :'name';")
if [ "$exists" = 0 ]; then
  log "creating $DB_WHERE (UTF8, postgis)"
  sql "$maintenance" -v name="$DB_NAME" <<<"CREATE DATABASE :\"name\" TEMPLATE template0 ENCODING 'UTF8';" \
    || die "could not create $DB_WHERE (the role needs CREATEDB)"
else
  # Objects of the database's own: relations and functions outside the system schemas that no
  # extension owns (postgis' spatial_ref_sys, views and functions do not count).
  own=$(sql "$TARGET_URI" <<<"$OWN_OBJECTS_SQL") || die "cannot connect to $DB_WHERE"
  if [ "$own" != 0 ]; then
    [ -n "$FORCE" ] || die "$DB_WHERE is not empty ($own tables, views, sequences or functions): restore into a new database (give TARGET_DATABASE_URL with a new name), or --force to replace the objects of the backup in it"
    log "$DB_WHERE is not empty ($own objects): replacing the backup's objects in it (--force)"
  else
    log "restoring into the existing empty $DB_WHERE"
  fi
fi
sql "$TARGET_URI" <<<'SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis;' \
  || die "could not create the postgis extension in $DB_WHERE (needs a superuser, or create it beforehand)"

# --- 3. the database ----------------------------------------------------------------------------
restore_opts=(--no-owner --no-acl --exit-on-error --single-transaction)
[ -z "$FORCE" ] || restore_opts+=(--clean --if-exists)
log "pg_restore ${restore_opts[*]} (one transaction: all or nothing)"
pg_restore -w "${restore_opts[@]}" --dbname="$TARGET_URI" "$BACKUP_DIR/gisplan.dump" \
  || die "pg_restore failed and rolled back; $DB_WHERE holds nothing of the backup (see the message above)"
sql "$TARGET_URI" -c 'ANALYZE' || die "ANALYZE failed"

# --- 4. media -----------------------------------------------------------------------------------
if [ -n "$MEDIA_DIR" ]; then
  mkdir -p "$MEDIA_DIR" || die "cannot create $MEDIA_DIR"
  tar --extract --gzip --file="$BACKUP_DIR/media.tar.gz" --directory="$MEDIA_DIR" \
    || die "unpacking the media files into $MEDIA_DIR failed"
  log "media: $(find "$MEDIA_DIR" -type f | wc -l) file(s) in $MEDIA_DIR (backup had $(awk '$1 == "media_files" {print $2}' "$MANIFEST"))"
else
  log "media: left out (--no-media)"
fi

# --- 5. check -----------------------------------------------------------------------------------
expected=$(manifest_section counts)
tables=$(printf '%s\n' "$expected" | awk '{print $1}' | tr '\n' ' ')
actual=$(sql "$TARGET_URI" -v tables="$tables" <<<"$COUNT_SQL") \
  || die "counting the rows of the restored database failed"
mismatches=0
printf '[restore]   %-38s %12s %12s\n' table backup restored >&2
while read -r table want; do
  got=$(printf '%s\n' "$actual" | awk -v t="$table" '$1 == t {print $2}')
  mark=ok
  if [ "$got" != "$want" ]; then
    mark=MISMATCH
    mismatches=$((mismatches + 1))
  fi
  printf '[restore]   %-38s %12s %12s  %s\n' "$table" "$want" "${got:-?}" "$mark" >&2
done <<<"$expected"

migrations=$(sql "$TARGET_URI" <<<'SELECT app, name FROM django_migrations ORDER BY 1, 2;') \
  || die "reading django_migrations of the restored database failed"
if [ "$migrations" != "$(manifest_section migrations)" ]; then
  log "MISMATCH: the migration state differs from MANIFEST:"
  diff <(manifest_section migrations) <(printf '%s\n' "$migrations") >&2 || true
  mismatches=$((mismatches + 1))
else
  log "migration state: $(printf '%s\n' "$migrations" | grep -c .) migrations, as in MANIFEST"
fi

[ "$mismatches" -eq 0 ] || die "$mismatches difference(s) between $DB_WHERE and $MANIFEST"
log "restored $BACKUP_DIR into $DB_WHERE: row counts and migration state match MANIFEST"
