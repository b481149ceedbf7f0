#!/usr/bin/env bash
# Start-up benchmark (issue 15): in one run, interleaved, times a bare `java -version`, `psql -c 'select 1'`
# against the same server, and each command below started both ways (jobs/bin/rollback-jobs and
# java -jar jobs/target/rollback-jobs.jar); prints median, min and max wall time and each median's ratio to the
# bare JVM start, the load average before and after, and the classes loaded by `history` both ways.
#
#   bash jobs/bench/startup-benchmark.sh [--repeats N] [--baseline-jar OLD.jar] [--baseline-launcher OLD-SCRIPT]
#   bash jobs/bench/startup-benchmark.sh --write-class-list jobs/bin/rollback-jobs.classlist
#
# --write-class-list runs each command below once (no timing) and writes the classes they load, the launcher's class
# list for its class-data archive (docs/design/launcher.md); run it after changes that load other classes at start.
#
# --baseline-jar also times `java -jar OLD.jar` for each command (an earlier build, side by side);
# --baseline-launcher an earlier copy of jobs/bin/rollback-jobs (run on OLD.jar if given, else on the same JAR).
# "java -jar, C1" is `java -XX:TieredStopAtLevel=1 -jar` (what JDK_JAVA_OPTIONS can give a java -jar start of a
# short command).
# Database: SPRING_DATASOURCE_URL (default jdbc:postgresql://127.0.0.1:5432/rollback_startup_bench, created if
# missing), user postgres; the demo table demo.orders is created in it on the first run (the `demo` command).
# Warehouse: ROLLBACK_ICEBERG_CATALOG_WAREHOUSE (default a folder under /tmp). Needs psql on the PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

repeats=5
baseline=""
baseline_launcher=""
class_list=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeats) repeats="$2"; shift 2 ;;
    --baseline-jar) baseline="$(readlink -f "$2")"; shift 2 ;;
    --baseline-launcher) baseline_launcher="$(readlink -f "$2")"; shift 2 ;;
    --write-class-list) class_list="$2"; shift 2 ;;
    *) echo "usage: $0 [--repeats N] [--baseline-jar OLD.jar] [--baseline-launcher OLD-SCRIPT]" \
      "| --write-class-list FILE" >&2; exit 2 ;;
  esac
done

jar="${ROLLBACK_JOBS_JAR:-jobs/target/rollback-jobs.jar}"
export ROLLBACK_JOBS_JAR="$jar" # the launcher runs the same JAR
[[ -f "$jar" ]] || { echo "no $jar: build it with mvn -B -q -DskipTests package" >&2; exit 2; }
db=rollback_startup_bench
export SPRING_DATASOURCE_URL="${SPRING_DATASOURCE_URL:-jdbc:postgresql://127.0.0.1:5432/$db}"
export ROLLBACK_ICEBERG_CATALOG_WAREHOUSE="${ROLLBACK_ICEBERG_CATALOG_WAREHOUSE:-/tmp/$db/warehouse}"
hostport="$(sed -E 's#jdbc:postgresql://([^/]+)/([^?]*).*#\1 \2#' <<<"$SPRING_DATASOURCE_URL")"
host="${hostport%%:*}"; rest="${hostport#*:}"; port="${rest%% *}"; dbname="${hostport##* }"
psql_cmd=(psql -X -q -h "$host" -p "$port" -U postgres -d "$dbname")
psql -X -q -h "$host" -p "$port" -U postgres -d postgres -tAc "select 1 from pg_database where datname = '$dbname'" \
  | grep -q 1 || psql -X -q -h "$host" -p "$port" -U postgres -d postgres -c "create database $dbname"

launcher=(jobs/bin/rollback-jobs)
javajar=(java -jar "$jar")
# first use of the launcher extracts the layout and trains its class-data archive: not part of the timings
"${launcher[@]}" --help >/dev/null 2>&1 || true
if ! "${javajar[@]}" snapshots --table demo.orders --json >/dev/null 2>&1; then
  "${javajar[@]}" demo >/dev/null 2>&1
fi
"${launcher[@]}" history >/dev/null 2>&1 || true
[[ -z "$baseline_launcher" ]] || ROLLBACK_JOBS_JAR="${baseline:-$jar}" bash "$baseline_launcher" history >/dev/null 2>&1 || true
current="$("${javajar[@]}" snapshots --table demo.orders --json 2>/dev/null | tail -n 1 \
  | sed -E 's/.*"current-snapshot":([0-9]+).*/\1/')"

# name | expected exit code | arguments
commands=(
  "--help|0|--help"
  "usage error|2|restore --table demo.orders --reason bench"
  "usage error, database down|2|restore --table demo.orders --reason bench --spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none"
  "history|0|history"
  "status|0|status"
  "manifest list|0|manifest list"
  "snapshots --table demo.orders|0|snapshots --table demo.orders"
  "restore (noop)|0|restore --table demo.orders --to-snapshot $current --reason bench"
)
READ_ONLY_END="# --- end of the read-only commands' classes (the launcher's read archive stops here)"
if [[ -n "$class_list" ]]; then
  lists="$(mktemp -d)"
  trap 'rm -rf "$lists"' EXIT
  i=0
  read_lists=()
  for c in "${commands[@]}"; do
    IFS='|' read -r name expected args <<<"$c"
    read -r -a argv <<<"$args"
    i=$((i + 1))
    ROLLBACK_JOBS_NO_ARCHIVE=1 JAVA_OPTS="-XX:DumpLoadedClassList=$lists/$i.lst" "${launcher[@]}" "${argv[@]}" \
      >/dev/null 2>&1 || true
    case "$name" in history | status | "manifest list") read_lists+=("$lists/$i.lst") ;; esac
  done
  # classes generated at run time (lambdas, proxies, accessors) cannot be loaded by name: their @lambda lines instead.
  # No @lambda-proxy of a picocli interface: picocli's classes are Java 5 class files, which JDK 17's dump leaves out
  # once a lambda has linked them ("Old class has been linked"), and loading one from its JAR at run time opens every
  # JAR before it on the class path (0.1 s of every --help).
  # Two parts: what the read-only commands load (history, status, manifest list), then what only the others add.
  # The launcher's archive for read-only commands holds the first part only: a smaller archive is relocated faster
  # at every start (docs/design/launcher.md).
  entries() { cat "$@" | grep -v '^#' | grep -Ev '\$\$Lambda|\$Proxy[0-9]|LambdaForm\$|Generated[A-Za-z]*Accessor' \
    | grep -Ev '^@lambda-proxy [^ ]+ [^ ]+ \([^)]*\)Lpicocli/' | sort -u; }
  entries "${read_lists[@]}" >"$lists/read"
  { echo "# Classes loaded by the commands of jobs/bench/startup-benchmark.sh (--write-class-list), $(date -u +%F):"
    echo "# the launcher's class-data archive holds them (JDK 17-24). Regenerate after changes to what a start loads."
    cat "$lists/read"
    echo "$READ_ONLY_END"
    entries "$lists"/*.lst | comm -23 - "$lists/read"; } >"$class_list"
  echo "wrote $(grep -vc '^#' "$class_list") class names to $class_list"
  exit 0
fi

ways=(launcher "java -jar" "java -jar, C1")
[[ -n "$baseline_launcher" ]] && ways+=("baseline launcher")
[[ -n "$baseline" ]] && ways+=("baseline java -jar")

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
now() { date +%s%N; }
time_one() { # label, expected exit, command...
  local label="$1" expected="$2"; shift 2
  local start end code=0
  start=$(now)
  "$@" >/dev/null 2>&1 || code=$?
  end=$(now)
  if [[ "$expected" != "-" && "$code" != "$expected" ]]; then
    echo "warning: $label exited $code, expected $expected" >&2
  fi
  echo "$label|$(( (end - start) / 1000 ))" >>"$results"
}

load_before="$(uptime | sed 's/.*load average: //')"
for ((r = 1; r <= repeats; r++)); do
  time_one "java -version" - java -version
  time_one "psql -c 'select 1'" 0 "${psql_cmd[@]}" -c 'select 1'
  for c in "${commands[@]}"; do
    IFS='|' read -r name expected args <<<"$c"
    read -r -a argv <<<"$args"
    for way in "${ways[@]}"; do
      case "$way" in
        launcher) time_one "$name|$way" "$expected" "${launcher[@]}" "${argv[@]}" ;;
        "java -jar") time_one "$name|$way" "$expected" "${javajar[@]}" "${argv[@]}" ;;
        "java -jar, C1") time_one "$name|$way" "$expected" java -XX:TieredStopAtLevel=1 -jar "$jar" "${argv[@]}" ;;
        "baseline launcher") time_one "$name|$way" "$expected" env ROLLBACK_JOBS_JAR="${baseline:-$jar}" \
          bash "$baseline_launcher" "${argv[@]}" ;;
        *) time_one "$name|$way" "$expected" java -jar "$baseline" "${argv[@]}" ;;
      esac
    done
  done
  echo "repeat $r of $repeats done" >&2
done
load_after="$(uptime | sed 's/.*load average: //')"

classes() { "$@" history 2>/dev/null | grep -c 'class,load' || true; }
classes_launcher="$(JAVA_OPTS=-Xlog:class+load:stdout classes "${launcher[@]}")"
classes_jar="$(classes java -Xlog:class+load:stdout -jar "$jar")"
classes_baseline=""
[[ -n "$baseline" ]] && classes_baseline="$(classes java -Xlog:class+load:stdout -jar "$baseline")"

echo
echo "Start-up benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -n 1), $repeats repeats"
echo "load average before: $load_before; after: $load_after"
echo
python3 - "$results" <<'EOF'
import statistics, sys
rows = {}
order = []
for line in open(sys.argv[1]):
    key, us = line.rstrip("\n").rsplit("|", 1)
    if key not in rows:
        rows[key] = []
        order.append(key)
    rows[key].append(int(us) / 1e6)
jvm = statistics.median(rows["java -version"])
print("| command | started with | median | min | max | median / java -version |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
for key in order:
    name, _, way = key.partition("|")
    t = rows[key]
    print(f"| {name} | {way or '-'} | {statistics.median(t):.2f} s | {min(t):.2f} s | {max(t):.2f} s | "
          f"{statistics.median(t) / jvm:.1f}x |")
EOF
echo
echo "classes loaded by history: launcher $classes_launcher, java -jar $classes_jar${baseline:+, baseline java -jar $classes_baseline}"
