#!/usr/bin/env bash
# Builds the job and scheduler images with Jib (profile image, no Docker daemon) and runs them without Docker:
# each image's layers are unpacked into a root, and its entrypoint runs there with chroot, as user 10001 (as the
# Kubernetes definitions run it) with the image's environment:
#   job image:       --version; `status --json` against a database of its own on the test server (the whole
#                    application starts: Flyway, the catalog, the job repository)
#   scheduler image: --help; then the scheduler itself on the example schedules (the image's default command),
#                    until /actuator/health says UP, and stopped with SIGTERM (exit 0 or 143)
# The base is the Debian 12 + openjdk-17 tarball of .ci/image-base.sh, since Docker Hub (eclipse-temurin) is out
# of reach here. Prints the build time. Needs root (chroot), python3, and the server of ROLLBACK_TEST_JDBC_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "image: $*" >&2; }
die() { say "error: $*"; exit 1; }

base="$(bash .ci/image-base.sh)"
start=$(date +%s)
mvn -B -q -Pimage -DskipTests -Dimage.jobs.base="tar://$base" package >&2
say "built jobs/target/rollback-jobs-image.tar and schedules/target/rollback-scheduler-image.tar in $(($(date +%s) - start)) s"

work="$(mktemp -d)"
mounted=()
cleanup() {
  [[ -n "${scheduler_pid:-}" ]] && kill -9 "$scheduler_pid" 2>/dev/null || true
  for m in "${mounted[@]+"${mounted[@]}"}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  # never into a mount still there (the host's /dev)
  if ! grep -q " $work/" /proc/mounts; then rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT

# unpack IMAGE.tar into ROOT (layers in order; these images delete nothing, so no whiteouts), print its config
unpack() {
  local tar="$1" root="$2"
  mkdir -p "$root" "$work/blobs"
  tar -xf "$tar" -C "$work/blobs"
  python3 - "$work/blobs" > "$work/layers" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1] + "/manifest.json"))[0]
print("\n".join(manifest["Layers"]))
PY
  while read -r layer; do
    tar --warning=no-unknown-keyword -xzf "$work/blobs/$layer" -C "$root"
  done < "$work/layers"
  cp "$work/blobs/config.json" "$root.config.json"
  rm -rf "$work/blobs"
  mkdir -p "$root/proc" "$root/dev" "$root/tmp" && chmod 1777 "$root/tmp"
  mount -t proc proc "$root/proc" && mounted+=("$root/proc")
  mount --bind /dev "$root/dev" && mounted+=("$root/dev")
}

# the image's Entrypoint, Cmd or Env as lines
config() {
  python3 - "$1" "$2" <<'PY'
import json, sys
value = json.load(open(sys.argv[1]))["config"].get(sys.argv[2]) or []
print("\n".join(value))
PY
}

# run in ROOT as 10001 with the image's environment plus NAME=VALUE arguments before --; it execs, so call it in
# a subshell: ( in_image ... ), $(in_image ...), or in_image ... & (then $! is the process itself)
in_image() {
  local root="$1"; shift
  local env=()
  while IFS= read -r line; do env+=("$line"); done < <(config "$root.config.json" Env)
  while [[ "$1" != "--" ]]; do env+=("$1"); shift; done
  shift
  exec env -i "${env[@]}" chroot --userspec=10001:10001 "$root" "$@"
}

url="${ROLLBACK_TEST_JDBC_URL:-$(bash .ci/pgvector-local.sh url)}"
user="${ROLLBACK_TEST_JDBC_USER:-postgres}"
server="${url%/*}"
db="rollback_image_check"
psql_args=(-h 127.0.0.1 -p "$(echo "$server" | sed -E 's#.*:([0-9]+)$#\1#')" -U "$user" -d postgres -q)
PGPASSWORD="${ROLLBACK_TEST_JDBC_PASSWORD:-}" psql "${psql_args[@]}" -c "DROP DATABASE IF EXISTS $db" \
  -c "CREATE DATABASE $db" >&2 || die "cannot create database $db with psql on $server"
database=(SPRING_DATASOURCE_URL="$server/$db" SPRING_DATASOURCE_USERNAME="$user"
  SPRING_DATASOURCE_PASSWORD="${ROLLBACK_TEST_JDBC_PASSWORD:-}"
  ROLLBACK_ICEBERG_CATALOG_WAREHOUSE=/tmp/warehouse)

# the job image
jobs="$work/jobs"
unpack jobs/target/rollback-jobs-image.tar "$jobs"
[[ "$(config "$jobs.config.json" Entrypoint)" == "/opt/rollback/bin/rollback-jobs" ]] \
  || die "job image: entrypoint $(config "$jobs.config.json" Entrypoint)"
version="$(in_image "$jobs" -- /opt/rollback/bin/rollback-jobs --version)" || die "job image: --version failed"
say "job image: --version: $version"
status="$(in_image "$jobs" "${database[@]}" -- /opt/rollback/bin/rollback-jobs status --json 2>"$work/status.err")" \
  || { cat "$work/status.err" >&2; die "job image: status --json failed"; }
[[ "$(tail -n 1 <<<"$status")" == '{"command":"status"'* ]] || die "job image: status --json printed: $status"
say "job image: status --json: $(tail -n 1 <<<"$status" | cut -c1-120)"

# the scheduler image, on top of the job image
scheduler="$work/scheduler"
unpack schedules/target/rollback-scheduler-image.tar "$scheduler"
[[ "$(config "$scheduler.config.json" Entrypoint)" == "/opt/rollback/bin/rollback-scheduler" ]] \
  || die "scheduler image: entrypoint"
mapfile -t cmd < <(config "$scheduler.config.json" Cmd)
job_command="$(config "$scheduler.config.json" Env | sed -n 's/^ROLLBACK_SCHEDULER_JOBCOMMAND=//p')"
[[ -x "$scheduler$job_command" ]] || die "scheduler image: its job command $job_command is not in the image"
(in_image "$scheduler" -- /opt/rollback/bin/rollback-scheduler --help) > /dev/null || die "scheduler image: --help failed"
mkdir -p "$scheduler/etc/rollback"
cp schedules/examples/schedules.yml "$scheduler/etc/rollback/schedules.yml"
cp -r jobs/examples/systems "$scheduler/etc/rollback/systems"
port=18080
while (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
in_image "$scheduler" "${database[@]}" ROLLBACK_ALERT_TOKEN=image-check -- \
  /opt/rollback/bin/rollback-scheduler "${cmd[@]}" --server.port=$port > "$work/scheduler.log" 2>&1 &
scheduler_pid=$!
health=""
for _ in $(seq 1 120); do
  health="$(curl -s "http://127.0.0.1:$port/actuator/health" || true)"
  [[ "$health" == *'"UP"'* ]] && break
  kill -0 "$scheduler_pid" 2>/dev/null || break
  sleep 1
done
[[ "$health" == *'"UP"'* ]] || { tail -n 40 "$work/scheduler.log" >&2; die "scheduler image: not healthy ($health)"; }
say "scheduler image: $(config "$scheduler.config.json" Entrypoint) ${cmd[*]}: /actuator/health $health"
kill -TERM "$scheduler_pid"
code=0
wait "$scheduler_pid" || code=$?
scheduler_pid=""
[[ $code == 0 || $code == 143 ]] || { tail -n 40 "$work/scheduler.log" >&2; die "scheduler image: exit $code after SIGTERM"; }
PGPASSWORD="${ROLLBACK_TEST_JDBC_PASSWORD:-}" psql "${psql_args[@]}" -c "DROP DATABASE IF EXISTS $db" >&2 || true
say "images checked"
