#!/usr/bin/env bash
# Starts a real PostgreSQL 17 with pgvector on a Linux machine without Docker, and prints its JDBC URL.
#
# Debian 12 has no pgvector package, so this bootstraps a minimal Debian 13 ("trixie") root with
# postgresql-17 and postgresql-17-pgvector into a folder outside the source tree and runs the server
# from it with chroot. Idempotent: reuses the folder and the data directory when they exist, starts the
# server when it is stopped, does nothing when it already runs.
#
# Usage: pgvector-local.sh [start|stop|restart|status|url|env]   (default: start)
#   start   create/start as needed, print the JDBC URL on stdout (progress on stderr)
#   env     like start, then print shell exports (eval "$(.ci/pgvector-local.sh env)")
#   url     print the JDBC URL only (does not start anything)
#   status  exit 0 when the server answers
#   stop    stop the server (fast: open sessions are ended, their transactions rolled back)
#   restart stop (fast) and start again: what the fault tests do to a server of their own in the middle of a command
# Environment:
#   ROLLBACK_PG_ROOT  folder of the bootstrapped root (default: $HOME/.cache/rollback-jobs/pg17-trixie)
#   ROLLBACK_PG_PORT  port on 127.0.0.1 (default: 5432)
#   ROLLBACK_PG_DATA  data directory inside the root (default: /var/lib/rollback-pg/data); another directory and port
#                     make a second, independent server from the same root (the fault tests restart theirs)
#   ROLLBACK_PG_MIRROR Debian mirror (default: the one this machine's apt configuration uses)
# Needs root (debootstrap and chroot). Takes about a minute and ~700 MB the first time.
# Connections are trusted (no password), except for members of the role rollback_password_checked, which must give
# their password on 127.0.0.1 (scram-sha-256): the secrets test makes PostgreSQL refuse a wrong one with such a role.
# The rule is added to an existing data directory too (and the running server reloaded).
set -euo pipefail

ROOT="${ROLLBACK_PG_ROOT:-${HOME:-/root}/.cache/rollback-jobs/pg17-trixie}"
PORT="${ROLLBACK_PG_PORT:-5432}"
PGBIN=/usr/lib/postgresql/17/bin
DATA="${ROLLBACK_PG_DATA:-/var/lib/rollback-pg/data}"
case "$DATA" in /var/lib/rollback-pg/*) ;; *) echo "pgvector-local: ROLLBACK_PG_DATA must be under /var/lib/rollback-pg/" >&2; exit 2 ;; esac
LOG=/var/lib/rollback-pg/server.log
[ -z "${ROLLBACK_PG_DATA:-}" ] || LOG="$DATA.log" # a second server logs next to its data directory
CMD="${1:-start}"

say() { echo "pgvector-local: $*" >&2; }
die() { say "error: $*"; exit 1; }
jdbc_url() { echo "jdbc:postgresql://127.0.0.1:${PORT}/postgres"; }
in_root() { chroot "$ROOT" /usr/sbin/runuser -u postgres -- "$@"; }
answers() { [ -x "$ROOT$PGBIN/pg_isready" ] && chroot "$ROOT" "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; }

debian_mirror() {
  if [ -n "${ROLLBACK_PG_MIRROR:-}" ]; then echo "$ROLLBACK_PG_MIRROR"; return; fi
  local m
  m=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | grep -E '/debian/?( |$)' | grep -v security | head -n1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; s/[[:space:]].*$//')
  echo "${m:-http://deb.debian.org/debian}"
}

bootstrap() {
  [ -x "$ROOT$PGBIN/postgres" ] && [ -f "$ROOT/usr/share/postgresql/17/extension/vector.control" ] && return
  [ "$(id -u)" = 0 ] || die "bootstrapping needs root (debootstrap, chroot); run as root or set SPRING_DATASOURCE_URL to a PostgreSQL with pgvector"
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    (apt-get update -qq && apt-get install -y -qq debootstrap) >&2 || die "could not install debootstrap"
  fi
  local mirror tmp
  mirror=$(debian_mirror)
  tmp="$ROOT.partial"
  rm -rf "$tmp"; mkdir -p "$tmp"
  say "bootstrapping Debian trixie with postgresql-17 and pgvector into $ROOT (mirror $mirror)"
  debootstrap --variant=minbase --include=postgresql-17,postgresql-17-pgvector trixie "$tmp" "$mirror" >&2 \
    || die "debootstrap failed; see $tmp/debootstrap/debootstrap.log"
  rm -rf "$ROOT"; mv "$tmp" "$ROOT"
}

init_data() {
  [ -f "$ROOT$DATA/PG_VERSION" ] && return
  say "initialising data directory"
  mkdir -p "$ROOT$DATA"
  chroot "$ROOT" chown -R postgres:postgres /var/lib/rollback-pg
  in_root "$PGBIN/initdb" -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$DATA" >&2
  cat >> "$ROOT$DATA/postgresql.conf" <<CONF
# rollback-jobs local server
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
max_connections = 200
shared_buffers = 512MB
max_wal_size = 4GB
dynamic_shared_memory_type = mmap
CONF
}

# Before the trust lines (the first matching line decides); a role that is no member matches nothing here.
PASSWORD_RULE="host    all             +rollback_password_checked 127.0.0.1/32  scram-sha-256"
password_rule() {
  local hba="$ROOT$DATA/pg_hba.conf"
  grep -qF "$PASSWORD_RULE" "$hba" && return 1
  say "adding the password rule for members of rollback_password_checked to pg_hba.conf"
  { echo "# rollback-jobs: members of rollback_password_checked give their password (see .ci/pgvector-local.sh)"
    echo "$PASSWORD_RULE"
    cat "$hba"; } > "$hba.new"
  chmod --reference="$hba" "$hba.new"
  chown --reference="$hba" "$hba.new"
  mv "$hba.new" "$hba"
}

start() {
  if answers; then
    say "PostgreSQL already running on 127.0.0.1:$PORT"
    if [ -f "$ROOT$DATA/pg_hba.conf" ] && password_rule; then in_root "$PGBIN/pg_ctl" -D "$DATA" reload >&2; fi
    return
  fi
  bootstrap
  init_data
  password_rule || true
  [ -d "$ROOT/dev" ] && [ -e "$ROOT/dev/null" ] || { mkdir -p "$ROOT/dev"; mknod -m 666 "$ROOT/dev/null" c 1 3 2>/dev/null || true; }
  say "starting PostgreSQL 17 on 127.0.0.1:$PORT"
  in_root "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -o "-p $PORT" -w -t 60 start >&2 \
    || { tail -n 20 "$ROOT$LOG" >&2 || true; die "server did not start (log: $ROOT$LOG)"; }
  # the extension in template1 too, so that databases created later (tests make their own) have it
  for db in template1 postgres; do
    chroot "$ROOT" "$PGBIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -d "$db" \
      -c 'CREATE EXTENSION IF NOT EXISTS vector' >&2
  done
}

case "$CMD" in
  start) start; jdbc_url ;;
  env) start; echo "export SPRING_DATASOURCE_URL='$(jdbc_url)' SPRING_DATASOURCE_USERNAME=postgres SPRING_DATASOURCE_PASSWORD=''" ;;
  url) jdbc_url ;;
  status) answers ;;
  stop) in_root "$PGBIN/pg_ctl" -D "$DATA" -m fast stop >&2 ;;
  restart) in_root "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true; start; jdbc_url ;;
  -h|--help|help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$CMD' (valid: start, env, url, status, stop, restart)" ;;
esac
