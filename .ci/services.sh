#!/usr/bin/env bash
# Private PostgreSQL 15, Redis and Elasticsearch for tests, CI and local development.
#
#   bash .ci/services.sh up      install what is missing, start, wait, print versions and env lines
#   bash .ci/services.sh down    stop all three (fine if some are not running)
#   bash .ci/services.sh status  say what is running (exit 1 if anything is down)
#   bash .ci/services.sh env     print the env lines only
#   bash .ci/services.sh stop|start|restart postgres|redis|elasticsearch
#                                one server alone (the fault drill, tests/faults/drill.py)
#   source .ci/services.sh up    same as `up`, and also exports the *_URL variables
#
# When sourcing, always name the subcommand: a bare `source .ci/services.sh` inside a script
# sees that script's own arguments. Sourcing also turns on `set -euo pipefail` in the caller,
# and a failure ends the caller (CI wants exactly that).
#
# Logs go to stderr; stdout carries only the env lines (DATABASE_URL=..., REDIS_URL=...,
# ELASTICSEARCH_URL=...), so `bash .ci/services.sh up > .env` works.
#
# Everything binds to 127.0.0.1 on unusual ports, so it can live beside any system-wide
# server, and keeps its data under $SERVICES_DIR. Running `up` again is cheap: installed
# packages, the cluster, the Maven cache and the unpacked Elasticsearch are all reused.
#
# Only package registries are used (Debian's, Maven Central): no docker, no vendor downloads.
set -euo pipefail

SERVICES_DIR="${SERVICES_DIR:-/tmp/zjcs-services}"

PG_VERSION=15
PG_CLUSTER=zjcs
PG_PORT="${PG_PORT:-55432}"
PG_DATA="$SERVICES_DIR/pg"
PG_USER=zjcs
PG_PASSWORD=zjcs
PG_DB=zjcs

REDIS_PORT="${REDIS_PORT:-56379}"
REDIS_DIR="$SERVICES_DIR/redis"

# 9.5.4 is the newest integ-test-zip on Maven Central (9.5.5 and 9.5.6 exist only as client
# jars); a 9.x server is needed because the elasticsearch 9.x Python client sends
# "compatible-with=9" headers that an 8.x server rejects. 9.x needs a Java 21+ JDK.
ES_VERSION="${ES_VERSION:-9.5.4}"
ES_MIN_JAVA=21
ES_PORT="${ES_PORT:-59200}"
ES_TRANSPORT_PORT="${ES_TRANSPORT_PORT:-59300}"
ES_HEAP="${ES_HEAP:-512m}"
ES_USER=elasticsearch-ci          # Elasticsearch refuses to run as root
ES_BASE="$SERVICES_DIR/es"         # unpacked distribution(s)
ES_HOME="$ES_BASE/elasticsearch-$ES_VERSION"
ES_RUN="$SERVICES_DIR/es-run"      # data, logs, tmp and pid file: everything ES writes
ES_WAIT_SECONDS="${ES_WAIT_SECONDS:-120}"
ES_GAV="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
# Pass the local repository explicitly so we know where the zip lands and can skip Maven
# entirely when it is already cached.
M2_REPO="${M2_REPO:-$HOME/.m2/repository}"
ES_ZIP="$M2_REPO/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"

DATABASE_URL="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
ELASTICSEARCH_URL="http://127.0.0.1:$ES_PORT"

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [[ "$(id -u)" -eq 0 ]]; }
# A killed daemon can linger as a zombie until something reaps it; kill -0 still succeeds
# on those, so look at the process state too.
pid_alive() {
    [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null \
        && [[ "$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null)" != Z ]]
}

# Non-root users cannot write /etc/postgresql or /var/run/postgresql; postgresql-common
# supports a private configuration root for exactly that case.
if is_root; then
    PG_CONF_ROOT=/etc/postgresql
    PG_SOCKET_DIR=/var/run/postgresql
    PG_LOG_OPT=()                   # Debian's default, /var/log/postgresql/postgresql-15-zjcs.log
else
    export PG_CLUSTER_CONF_ROOT="$SERVICES_DIR/pg-conf"
    PG_CONF_ROOT="$PG_CLUSTER_CONF_ROOT"
    PG_SOCKET_DIR="$SERVICES_DIR/pg-sock"
    PG_LOG_OPT=(-l "$SERVICES_DIR/pg.log")
fi
PG_CONF_DIR="$PG_CONF_ROOT/$PG_VERSION/$PG_CLUSTER"

# Run a command as the PostgreSQL superuser (the postgres account when we are root,
# ourselves when the cluster belongs to us).
as_pg() {
    if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}
as_es() {
    if is_root; then runuser -u "$ES_USER" -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------------------------------
# System packages
# ---------------------------------------------------------------------------------------

# Decide by the programs we call rather than package names, so a tool installed some other
# way (e.g. a hand-installed Maven) is accepted too.
missing_packages() {
    local -a missing=()
    [[ -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ]] && command -v pg_createcluster >/dev/null \
        || missing+=("postgresql-$PG_VERSION")
    command -v psql >/dev/null || missing+=("postgresql-client-$PG_VERSION")
    command -v redis-server >/dev/null || missing+=(redis-server)
    command -v redis-cli >/dev/null || missing+=(redis-tools)
    command -v mvn >/dev/null || missing+=(maven)
    command -v unzip >/dev/null || missing+=(unzip)
    command -v curl >/dev/null || missing+=(curl)
    command -v python3 >/dev/null || missing+=(python3)
    printf '%s\n' "${missing[@]}"
}

ensure_packages() {
    local -a missing
    mapfile -t missing < <(missing_packages | sed '/^$/d')
    [[ ${#missing[@]} -eq 0 ]] && return 0
    local cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    if ! is_root; then
        log "missing system packages: ${missing[*]}"
        log "run as root:  $cmd"
        exit 1
    fi
    log "installing: ${missing[*]}"
    # The package lists are refreshed once, and only because something is missing.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------

pg_conf_value() {  # pg_conf_value KEY -> value from the cluster's postgresql.conf, unquoted
    sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*'\{0,1\}\([^'[:space:]#]*\).*/\1/p" \
        "$PG_CONF_DIR/postgresql.conf" 2>/dev/null | tail -n 1
}

pg_running() { pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; }

pg_drop_stale() {
    log "postgres: dropping stale cluster $PG_VERSION/$PG_CLUSTER ($1)"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m immediate >/dev/null 2>&1 || true
    pg_dropcluster "$PG_VERSION" "$PG_CLUSTER" >/dev/null 2>&1 || true
    # pg_dropcluster gives up when the data directory is already gone; finish its job.
    rm -rf "$PG_CONF_DIR"
}

# Our settings go into the cluster's conf.d (included at the end of postgresql.conf, so they
# win) and are rewritten on every run: a cluster left by an earlier, broken run or edited by
# hand is brought back in line instead of failing in some odd way.
pg_write_conf() {
    local conf="$PG_CONF_DIR/conf.d/zjcs-services.conf" new
    new="# Written by .ci/services.sh; rewritten on every 'up'.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
# Throw-away test data: skipping durability makes test runs noticeably faster.
fsync = off
synchronous_commit = off
full_page_writes = off"
    if [[ "$(cat "$conf" 2>/dev/null)" != "$new" ]]; then
        mkdir -p "$PG_CONF_DIR/conf.d"
        printf '%s\n' "$new" >"$conf"
        if pg_running; then
            log "postgres: settings changed, restarting"
            pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart >&2
        fi
    fi
}

pg_create() {
    # Data without a registration (its config was dropped) cannot be reattached safely;
    # it is scratch data, so start over.
    rm -rf "$PG_DATA"
    log "postgres: creating cluster $PG_VERSION/$PG_CLUSTER on 127.0.0.1:$PG_PORT in $PG_DATA"
    # --locale/--encoding: a minimal container often has no LANG, and the cluster would
    #   silently become SQL_ASCII; Chinese text needs UTF8.
    # --start-conf manual: the system's postgresql service must not autostart it.
    # listen_addresses is NOT passed with -o: postgresql-common 248 quotes -o values itself,
    #   so "listen_addresses='127.0.0.1'" is written as '''127.0.0.1''' (the server then
    #   looks up a host named '127.0.0.1' and fails), while a bare 127.0.0.1 "looks like a
    #   number", stays unquoted and is a syntax error. pg_write_conf sets it instead.
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -p "$PG_PORT" -d "$PG_DATA" \
        --locale C.UTF-8 --encoding UTF8 --start-conf manual "${PG_LOG_OPT[@]}" >/dev/null
}

pg_start() {
    pg_write_conf
    # /var/run is often a fresh tmpfs, and the socket directory must belong to the server.
    if is_root; then
        install -d -o postgres -g postgres -m 2775 "$PG_SOCKET_DIR"
    else
        mkdir -p "$PG_SOCKET_DIR"
    fi
    log "postgres: starting"
    # A crash leaves postmaster.pid behind; pg_ctl notices when its pid is dead, so a plain
    # start recovers. pg_ctlcluster waits until the server accepts connections.
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start >&2
}

pg_up() {
    # A cluster registered earlier is reused only if it still matches what we want: a wiped
    # /tmp, another SERVICES_DIR or another port all leave a registration that cannot start.
    if [[ -d "$PG_CONF_DIR" ]]; then
        if [[ ! -f "$PG_CONF_DIR/postgresql.conf" ]]; then
            # pg_dropcluster keeps the directory when our conf.d file is still in it.
            pg_drop_stale "config directory without postgresql.conf"
        elif [[ "$(pg_conf_value data_directory)" != "$PG_DATA" ]]; then
            pg_drop_stale "data directory is $(pg_conf_value data_directory), want $PG_DATA"
        elif [[ "$(pg_conf_value port)" != "$PG_PORT" ]]; then
            pg_drop_stale "port is $(pg_conf_value port), want $PG_PORT"
        elif [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
            pg_drop_stale "data directory $PG_DATA is missing or empty"
        fi
    fi
    [[ -d "$PG_CONF_DIR" ]] || pg_create

    if pg_running; then
        log "postgres: already running"
        pg_write_conf
    elif ! pg_start; then
        # Whatever else an earlier run left broken (a bad postgresql.conf, a half-made data
        # directory): the data is disposable, so rebuild the cluster once and try again.
        pg_drop_stale "it would not start"
        pg_create
        pg_start
    fi

    # Role and database are (re)asserted every time: cheap, and repairs a half-done run.
    # SUPERUSER because the test runner creates and drops its own test database.
    as_pg psql --cluster "$PG_VERSION/$PG_CLUSTER" -d postgres -qAt -v ON_ERROR_STOP=1 <<SQL >/dev/null
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN SUPERUSER PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_USER LOGIN SUPERUSER PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_USER'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DB')\gexec
SQL
}

pg_down() {
    if [[ -d "$PG_CONF_DIR" ]] && pg_running; then
        log "postgres: stopping"
        pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast >&2 || true
    else
        log "postgres: not running"
    fi
}

pg_version() {
    # Connect exactly as the application will (TCP, password), so this doubles as a check.
    psql "$DATABASE_URL" -qAtc 'SELECT version()'
}

# ---------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------

redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
redis_running() { [[ "$(redis_cli ping 2>/dev/null)" == PONG ]]; }

redis_up() {
    if redis_running; then
        log "redis: already running"
        return 0
    fi
    log "redis: starting on 127.0.0.1:$REDIS_PORT"
    mkdir -p "$REDIS_DIR"
    # No RDB/AOF persistence: a cache and Celery broker for tests need none, and writing
    # snapshots is just disk noise.
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
        --daemonize yes --dir "$REDIS_DIR" \
        --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log"
    for _ in $(seq 1 50); do
        redis_running && return 0
        sleep 0.1
    done
    tail -n 20 "$REDIS_DIR/redis.log" >&2 || true
    die "redis did not answer on port $REDIS_PORT"
}

redis_down() {
    if redis_running; then
        log "redis: stopping"
        redis_cli shutdown nosave >/dev/null 2>&1 || true
    elif pid_alive "$(cat "$REDIS_DIR/redis.pid" 2>/dev/null)"; then
        log "redis: not answering, killing pid $(cat "$REDIS_DIR/redis.pid")"
        kill "$(cat "$REDIS_DIR/redis.pid")" || true
    else
        log "redis: not running"
    fi
    rm -f "$REDIS_DIR/redis.pid"
}

redis_version() { redis_cli info server | tr -d '\r' | sed -n 's/^redis_version://p'; }

# ---------------------------------------------------------------------------------------
# Elasticsearch
# ---------------------------------------------------------------------------------------

java_major() {  # java_major JDK_DIR -> feature version, e.g. 25
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true)
    [[ -n "$v" ]] || v=$("$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
    printf '%s\n' "${v:-0}"
}

# Debian's bookworm JDK is 17, too old for 9.x; this machine kind also carries a Temurin
# JDK under /usr/lib/jvm. Take the newest JDK there with at least ES_MIN_JAVA, unless
# ES_JAVA_HOME already points at a good one.
find_es_java() {
    if [[ -n "${ES_JAVA_HOME:-}" && -x "$ES_JAVA_HOME/bin/java" ]] \
        && (( $(java_major "$ES_JAVA_HOME") >= ES_MIN_JAVA )); then
        printf '%s\n' "$ES_JAVA_HOME"
        return 0
    fi
    local d major best="" best_major=0
    for d in /usr/lib/jvm/*; do
        [[ -x "$d/bin/java" && ! -L "$d" ]] || continue
        major=$(java_major "$d")
        if (( major >= ES_MIN_JAVA && major > best_major )); then
            best="$d" best_major="$major"
        fi
    done
    [[ -n "$best" ]] || die "Elasticsearch $ES_VERSION needs a JDK >= $ES_MIN_JAVA in /usr/lib/jvm (or set ES_JAVA_HOME); found none"
    printf '%s\n' "$best"
}

es_fetch() {
    if [[ -f "$ES_ZIP" ]]; then
        log "elasticsearch: $ES_VERSION zip already in the Maven cache"
        return 0
    fi
    log "elasticsearch: fetching $ES_GAV from Maven Central"
    # The artifact has no POM on Central, so Maven warns that dependency information is
    # missing; that is expected and harmless (transitive=false, we only want the zip).
    mkdir -p "$SERVICES_DIR"
    if ! mvn -B -ntp -Dmaven.repo.local="$M2_REPO" dependency:get \
        -Dartifact="$ES_GAV" -Dtransitive=false >"$SERVICES_DIR/mvn.log" 2>&1; then
        tail -n 30 "$SERVICES_DIR/mvn.log" >&2
        die "could not fetch $ES_GAV (full output in $SERVICES_DIR/mvn.log)"
    fi
    [[ -f "$ES_ZIP" ]] || die "Maven finished but $ES_ZIP is not there"
}

es_unpack() {
    if [[ -x "$ES_HOME/bin/elasticsearch" ]]; then
        return 0
    fi
    log "elasticsearch: unpacking to $ES_HOME"
    mkdir -p "$ES_BASE"
    # Unpack beside the target and rename, so an interrupted unzip never looks complete.
    local tmp="$ES_BASE/.unpack.$$"
    rm -rf "$tmp"
    unzip -q "$ES_ZIP" -d "$tmp"
    rm -rf "$ES_HOME"
    mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
    rm -rf "$tmp"
}

es_configure() {
    mkdir -p "$ES_RUN/data" "$ES_RUN/logs" "$ES_RUN/tmp"
    # The minimal distribution only has the modules it ships; settings of a missing module
    # are rejected at startup, so only mention xpack.* when x-pack is really there.
    local xpack=""
    if [[ -d "$ES_HOME/modules/x-pack-security" ]]; then
        # Security would demand passwords (and TLS for HTTP clients); tests talk plain HTTP.
        xpack="xpack.security.enabled: false"
    fi
    cat >"$ES_HOME/config/elasticsearch.yml" <<YAML
# Written by .ci/services.sh; rewritten on every 'up'.
cluster.name: zjcs-ci
node.name: zjcs-ci-1
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
discovery.type: single-node
path.data: $ES_RUN/data
path.logs: $ES_RUN/logs
# A nearly full disk would otherwise turn indices read-only and fail tests mysteriously.
cluster.routing.allocation.disk.threshold_enabled: false
$xpack
YAML
    if is_root; then
        if ! getent passwd "$ES_USER" >/dev/null; then
            log "elasticsearch: creating system user $ES_USER"
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$ES_USER"
        fi
        # ES writes its keystore into config/ and everything else under ES_RUN.
        chown -R "$ES_USER:" "$ES_HOME" "$ES_RUN"
    fi
}

# Not `GET /`: the minimal distribution lacks the rest-root module, so / answers 405 (and the
# Python client's ping()/info() fail against it). Cluster health is in the server core.
es_answering() { curl -fsS -m 2 "$ELASTICSEARCH_URL/_cluster/health" >/dev/null 2>&1; }
es_pid() { cat "$ES_RUN/es.pid" 2>/dev/null || true; }
es_alive() { pid_alive "$(es_pid)"; }

es_up() {
    if es_answering; then
        log "elasticsearch: already running"
        return 0
    fi
    local java_home
    java_home=$(find_es_java)
    es_fetch
    es_unpack
    if ! es_alive; then
        es_configure
        log "elasticsearch: starting $ES_VERSION with $java_home (Java $(java_major "$java_home"))"
        rm -f "$ES_RUN/es.pid"
        # -d daemonizes; the launcher returns once the node has started (or failed). It
        # echoes the whole startup log meanwhile (-q is refused together with -d), so that
        # goes to a file and is shown only on failure.
        # cd: the JVM resolves some relative paths (gc.log) against the working directory,
        # which must be one the unprivileged user can write.
        (
            cd "$ES_RUN"
            as_es env ES_JAVA_HOME="$java_home" \
                ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" ES_TMPDIR="$ES_RUN/tmp" \
                "$ES_HOME/bin/elasticsearch" -d -p "$ES_RUN/es.pid" </dev/null \
                >"$ES_RUN/launcher.log" 2>&1
        ) || { tail -n 40 "$ES_RUN/launcher.log" >&2; die "elasticsearch failed to start"; }
    else
        log "elasticsearch: process $(es_pid) exists, waiting for it to answer"
    fi

    local deadline=$((SECONDS + ES_WAIT_SECONDS))
    until es_answering; do
        if ! es_alive; then es_show_log; die "elasticsearch exited during startup"; fi
        if (( SECONDS >= deadline )); then
            es_show_log; die "elasticsearch did not answer within ${ES_WAIT_SECONDS}s"
        fi
        sleep 1
    done
    # The HTTP port answers before the cluster is usable; yellow is fine on one node.
    curl -fsS -m "$ES_WAIT_SECONDS" \
        "$ELASTICSEARCH_URL/_cluster/health?wait_for_status=yellow&timeout=${ES_WAIT_SECONDS}s" \
        >/dev/null || { es_show_log; die "elasticsearch cluster did not turn yellow"; }
}

es_show_log() {
    log "--- last lines of $ES_RUN/logs/zjcs-ci.log"
    tail -n 40 "$ES_RUN/logs/zjcs-ci.log" >&2 2>/dev/null || true
}

es_down() {
    if es_alive; then
        local p
        p=$(es_pid)
        log "elasticsearch: stopping pid $p"
        kill "$p" 2>/dev/null || true
        for _ in $(seq 1 60); do
            pid_alive "$p" || break
            sleep 0.5
        done
        if pid_alive "$p"; then
            log "elasticsearch: still there after 30s, killing"
            kill -9 "$p" 2>/dev/null || true
        fi
    elif es_answering; then
        log "elasticsearch: something answers on port $ES_PORT but it is not ours (no live pid in $ES_RUN/es.pid); left alone"
    else
        log "elasticsearch: not running"
    fi
    rm -f "$ES_RUN/es.pid"
}

es_version() {  # "9.5.4 (java 25.0.3; modules: ...)", from the node info (no `GET /` here)
    curl -fsS -m 5 "$ELASTICSEARCH_URL/_nodes/_local?filter_path=nodes.*.version,nodes.*.jvm.version,nodes.*.modules.name" \
        | python3 -c '
import json, sys
node = next(iter(json.load(sys.stdin)["nodes"].values()))
mods = ", ".join(m["name"] for m in node["modules"])
print("%s (java %s; modules: %s)" % (node["version"], node["jvm"]["version"], mods))'
}

# This minimal distribution has no analysis-common module (9.5.4 ships only apm,
# transport-netty4, x-pack-core and x-pack-security), so no `cjk` analyzer and no ngram,
# edge_ngram or asciifolding filters. The project does not need them: core/search.py makes
# its own Chinese search tokens and core/search_backends.py leaves those filters out.

# ---------------------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------------------

cmd_up() {
    local start=$SECONDS
    ensure_packages
    mkdir -p "$SERVICES_DIR"
    # The postgres and elasticsearch users must be able to reach their directories in here.
    chmod 755 "$SERVICES_DIR"
    pg_up
    redis_up
    es_up
    log "versions:"
    log "  postgres:      $(pg_version)"
    log "  redis:         $(redis_version)"
    log "  elasticsearch: $(es_version)"
    log "up in $((SECONDS - start))s; data in $SERVICES_DIR"
    export DATABASE_URL REDIS_URL ELASTICSEARCH_URL
    cmd_env
}

cmd_env() {
    printf 'DATABASE_URL=%s\nREDIS_URL=%s\nELASTICSEARCH_URL=%s\n' \
        "$DATABASE_URL" "$REDIS_URL" "$ELASTICSEARCH_URL"
}

cmd_down() {
    # Each stop is tolerant on its own, so one missing service never blocks the others.
    es_down
    redis_down
    if command -v pg_ctlcluster >/dev/null; then pg_down; else log "postgres: not installed"; fi
}

cmd_status() {
    local rc=0
    if command -v pg_ctlcluster >/dev/null && [[ -d "$PG_CONF_DIR" ]] && pg_running; then
        log "postgres: running on 127.0.0.1:$PG_PORT"
    else log "postgres: down"; rc=1; fi
    if command -v redis-cli >/dev/null && redis_running; then
        log "redis: running on 127.0.0.1:$REDIS_PORT"
    else log "redis: down"; rc=1; fi
    if es_answering; then log "elasticsearch: running on 127.0.0.1:$ES_PORT"
    else log "elasticsearch: down"; rc=1; fi
    return "$rc"
}

cmd_one() {  # cmd_one stop|start|restart NAME
    local action=$1 name=${2:-}
    case "$name" in
        postgres) local stop=pg_down start=pg_up ;;
        redis) local stop=redis_down start=redis_up ;;
        elasticsearch) local stop=es_down start=es_up ;;
        *) printf 'usage: %s %s postgres|redis|elasticsearch\n' "${BASH_SOURCE[0]}" "$action" >&2
           return 2 ;;
    esac
    case "$action" in
        stop) "$stop" ;;
        start) "$start" ;;
        restart) "$stop"; "$start" ;;
    esac
}

services_main() {
    case "${1:-}" in
        up) cmd_up ;;
        down) cmd_down ;;
        status) cmd_status ;;
        env) cmd_env ;;
        stop|start|restart) cmd_one "$1" "${2:-}" ;;
        *) printf 'usage: %s up|down|status|env|stop|start|restart\n' "${BASH_SOURCE[0]}" >&2
           return 2 ;;
    esac
}

# Executed: run the subcommand. Sourced: run it only if one was given (so `source
# .ci/services.sh up` exports the URLs into the caller), otherwise just define functions.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    services_main "$@"
elif [[ $# -gt 0 ]]; then
    services_main "$@"
fi
