#!/usr/bin/env bash
# A streaming read replica of the local PostgreSQL cluster, for the tests of the replica router
# (tests/ops/test_replicas.py) and for trying replicas on one machine: the Debian cluster
# $PG_VERSION/replica on port $REPLICA_PORT, made with `pg_basebackup -R` from $PG_VERSION/main.
#
# Idempotent: a replica that is online and streaming is left alone; one that is stopped is started;
# one that stopped streaming (it fell behind the WAL the primary keeps) is made again. The primary
# is never restarted (wal_level=replica and max_wal_senders are PostgreSQL's defaults; the backup
# and the stream use the postgres account's local "replication" connection, peer-authenticated).
# Run as root (through runuser), as postgres, or as a user with sudo (as `make test` is). `scripts/replica.sh --drop` removes the replica.
set -euo pipefail
PG_VERSION=${PG_VERSION:-15}
NAME=${REPLICA_CLUSTER:-replica}
PORT=${REPLICA_PORT:-5433}
DATA=/var/lib/postgresql/$PG_VERSION/$NAME
# A physical replication slot on the primary keeps the WAL the replica has not received yet (without
# it, a busy primary recycles WAL before the new replica starts streaming). --drop removes it too.
SLOT=${REPLICA_SLOT:-gisplan_${NAME}}

as_pg() {
    if [ "$(id -un)" = postgres ]; then "$@"
    elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
    else sudo -u postgres "$@"; fi
}
exists() { pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$PG_VERSION/$NAME"; }
online() { pg_lsclusters -h | awk -v c="$PG_VERSION/$NAME" '$1"/"$2 == c {print $4}' | grep -q online; }
streaming() {
    [ "$(as_pg psql -p "$PORT" -Atc "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')" 2>/dev/null)" = t ]
}
drop() {
    if exists; then as_pg pg_dropcluster --stop "$PG_VERSION" "$NAME"; fi
    as_pg psql -p 5432 -qAtc "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
}

if [ "${1:-}" = --drop ]; then drop; exit 0; fi

if exists; then
    online || as_pg pg_ctlcluster "$PG_VERSION" "$NAME" start || true
    for _ in $(seq 1 20); do streaming && { echo "replica $PG_VERSION/$NAME on port $PORT: streaming"; exit 0; }; sleep 0.5; done
    echo "replica $PG_VERSION/$NAME is not streaming: making it again" >&2
    drop
fi

as_pg pg_createcluster "$PG_VERSION" "$NAME" -p "$PORT" >/dev/null
as_pg rm -rf "$DATA"
# -R: standby.signal, primary_conninfo (the primary's socket) and primary_slot_name in the copy;
# -X stream: the WAL written during the copy comes along; -c fast: an immediate checkpoint, no wait.
as_pg psql -p 5432 -qAtc "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
as_pg pg_basebackup -D "$DATA" -R -X stream -c fast -p 5432 -C -S "$SLOT"
# Debian keeps the configuration in /etc/postgresql/$PG_VERSION/$NAME (port $PORT), not in the copy.
as_pg pg_ctlcluster "$PG_VERSION" "$NAME" start
for _ in $(seq 1 60); do streaming && { echo "replica $PG_VERSION/$NAME on port $PORT: streaming"; exit 0; }; sleep 0.5; done
echo "replica $PG_VERSION/$NAME started but is not streaming; see /var/log/postgresql/postgresql-$PG_VERSION-$NAME.log" >&2
exit 1
