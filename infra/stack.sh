#!/usr/bin/env bash
# infra/stack.sh: the local stand-ins for AWS, all on 127.0.0.1 with their
# state under .local/ (git-ignored):
#   - DynamoDB Local, the official AWS build, fetched from Maven Central by
#     Maven (infra/dynamodb-local/pom.xml); it also serves DynamoDB Streams.
#   - moto's server for SNS and SQS, from PyPI (infra/requirements.txt).
# `install` also puts staticcheck (pinned below, from the Go module proxy)
# into .local/bin, for `make test`.
#
# Usage:
#   infra/stack.sh install [servers|staticcheck]
#       Install whatever is missing into .local/ (both parts at once by
#       default). Idempotent, and instant once done.
#   infra/stack.sh start STATE_DIR [DDB_PORT] [MOTO_PORT]
#       Start both servers (free ports are picked when not given), wait until
#       they answer, write STATE_DIR/env (export lines for the AWS SDKs).
#   infra/stack.sh stop STATE_DIR
#       Stop what `start` started. Idempotent.
#   infra/stack.sh status STATE_DIR
#       Exit 0 if that stack is running and answering.
#   infra/stack.sh ensure STATE_DIR [DDB_PORT] [MOTO_PORT]
#       `start` unless that stack is already running.
#
# Environment:
#   PERSIST=1             keep DynamoDB data on disk in .local/data (default: in memory)
#   STACK_START_TIMEOUT   seconds to wait for the servers to answer (default 90)
#   DDB_JAVA_OPTS         extra JVM options for DynamoDB Local
#   LOCAL_JWT_SECRET, APP_ADMIN_USER_IDS   copied into STATE_DIR/env when set
set -euo pipefail

# shellcheck source=infra/lib.sh
. "$(dirname "$0")/lib.sh"

POM="$ROOT/infra/dynamodb-local/pom.xml"
REQUIREMENTS="$ROOT/infra/requirements.txt"
DDB_DIR="$LOCAL_DIR/dynamodb"
DDB_MAIN=software.amazon.dynamodb.services.local.main.ServerRunner
# Used only when `mvn` is not on PATH; fetched by its Maven coordinates.
MAVEN_VERSION=3.9.11
MAVEN_DIR="$LOCAL_DIR/maven"
# Bump to force every machine to reinstall after a change of install layout.
LAYOUT=1
# staticcheck, pinned: a new release can report new findings, so it changes
# only by a commit that fixes them. Built with this machine's Go (the stamp
# records both: a staticcheck built by an older Go cannot read newer code).
STATICCHECK_VERSION=v0.8.2
STATICCHECK="$LOCAL_DIR/bin/staticcheck"

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------- install --

java_bin() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  else
    printf 'java\n'
  fi
}

check_java() {
  local java major
  java=$(java_bin)
  command -v "$java" >/dev/null 2>&1 ||
    die "Java not found. DynamoDB Local needs a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk-headless, or set JAVA_HOME)."
  # `java -version` prints e.g.: openjdk version "17.0.15" 2025-04-15 (or "1.8.0_392" for Java 8).
  major=$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  if [ -z "$major" ] || [ "$major" -lt 17 ]; then
    die "Java 17 or newer is required for DynamoDB Local; found: $("$java" -version 2>&1 | head -n 1)"
  fi
}

check_python() {
  command -v python3 >/dev/null 2>&1 ||
    die "python3 not found. The local stack needs Python 3.9+ (for moto and aws-sam-cli)."
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' ||
    die "Python 3.9 or newer is required; found: $(python3 --version 2>&1)"
}

# Serialise installs: several `make test` runs may start at once in one tree.
# mkdir is atomic everywhere (flock is not on macOS). A lock whose owner died
# is taken over. One lock per part (servers, staticcheck), so that the parts
# install at once.
take_install_lock() { # take_install_lock PART
  local lock="$LOCAL_DIR/install-$1.lock" waited=0 owner me
  # This (sub)shell's pid: $$ is the script's, and BASHPID needs bash 4.
  me=$(exec sh -c 'echo "$PPID"')
  mkdir -p "$LOCAL_DIR"
  until mkdir "$lock" 2>/dev/null; do
    owner=$(cat "$lock/pid" 2>/dev/null || true)
    if [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; then
      # Only one of several waiters can move the dead owner's lock away;
      # removing it in place could remove the lock another just took.
      mv "$lock" "$lock.stale.$me" 2>/dev/null && rm -rf "$lock.stale.$me"
      continue
    fi
    if [ "$waited" -eq 0 ]; then log "another install of $1 is running (pid ${owner:-?}); waiting for it"; fi
    [ "$waited" -lt 1200 ] || die "gave up waiting for $lock; remove it if no install is running"
    sleep 1
    waited=$((waited + 1))
  done
  echo "$me" >"$lock/pid"
  # shellcheck disable=SC2064 # this lock's path, now
  trap "rm -rf '$lock'" EXIT
}

venv_ok() {
  [ -f "$VENV/.circles-stamp" ] &&
    [ "$(cat "$VENV/.circles-stamp")" = "$(HASH_SALT="$LAYOUT $(python3 --version 2>&1)" hash_of "$REQUIREMENTS")" ] &&
    [ -x "$VENV/bin/moto_server" ] && [ -x "$VENV/bin/sam" ]
}

install_venv() {
  venv_ok && return 0
  log "installing moto and aws-sam-cli into .local/venv (takes a minute or two)"
  # A venv cannot be moved after creation, so build it in place and mark it
  # complete with the stamp only at the end; a half-built one is redone.
  rm -rf "$VENV"
  python3 -m venv "$VENV" ||
    die "python3 -m venv failed. On Debian/Ubuntu install the venv module: apt-get install python3-venv"
  # Keep pip's download cache under .local/ too.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --cache-dir "$LOCAL_DIR/cache/pip" -r "$REQUIREMENTS" ||
    die "pip install -r infra/requirements.txt failed (see above)"
  HASH_SALT="$LAYOUT $(python3 --version 2>&1)" hash_of "$REQUIREMENTS" >"$VENV/.circles-stamp"
}

# find_maven: sets MVN. Uses `mvn` from PATH, else a Maven under .local/maven,
# else fetches Apache Maven's binary distribution by its Maven coordinates
# with the maven-artifact tool from the venv (PyPI), checks its SHA-512, and
# unpacks it into .local/maven.
find_maven() {
  if command -v mvn >/dev/null 2>&1; then
    MVN=mvn
    return 0
  fi
  if [ -x "$MAVEN_DIR/bin/mvn" ]; then
    MVN="$MAVEN_DIR/bin/mvn"
    return 0
  fi
  log "mvn not found on PATH; fetching Apache Maven $MAVEN_VERSION into .local/maven"
  local tmp="$LOCAL_DIR/maven.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  "$VENV/bin/python" - "$MAVEN_VERSION" "$tmp/maven.tar.gz" <<'PY' ||
import sys
from maven_artifact.artifact import Artifact
from maven_artifact.downloader import Downloader
version, dest = sys.argv[1], sys.argv[2]
dl = Downloader()
art = Artifact.parse("org.apache.maven:apache-maven:tar.gz:bin:" + version)
dl.download(art, dest)
url = dl.resolver.uri_for_artifact(art)
if not dl.verify_file(dest, url, hash_type="sha512"):
    sys.exit("SHA-512 of the downloaded Apache Maven does not match the published one")
PY
    { rm -rf "$tmp"; die "could not fetch Apache Maven $MAVEN_VERSION; install Maven 3.6+ (e.g. apt-get install maven) and retry"; }
  tar -xzf "$tmp/maven.tar.gz" -C "$tmp"
  rm -rf "$MAVEN_DIR"
  mv "$tmp/apache-maven-$MAVEN_VERSION" "$MAVEN_DIR"
  rm -rf "$tmp"
  MVN="$MAVEN_DIR/bin/mvn"
}

ddb_ok() {
  [ -f "$DDB_DIR/.circles-stamp" ] &&
    [ "$(cat "$DDB_DIR/.circles-stamp")" = "$(HASH_SALT="$LAYOUT" hash_of "$POM")" ] &&
    ls "$DDB_DIR"/lib/DynamoDBLocal-*.jar >/dev/null 2>&1 &&
    ls "$DDB_DIR"/native/*sqlite4java* >/dev/null 2>&1
}

install_dynamodb() {
  ddb_ok && return 0
  find_maven
  log "installing DynamoDB Local into .local/dynamodb (Maven: $MVN)"
  # Build into a temp dir and move it into place, so an interrupted install
  # never leaves a half-filled .local/dynamodb behind.
  local tmp="$LOCAL_DIR/dynamodb.tmp.$$" f name
  rm -rf "$tmp"
  mkdir -p "$tmp/lib" "$tmp/native"
  # maven.repo.local keeps Maven's downloads under .local/ as well.
  "$MVN" -q -B -f "$POM" -Dmaven.repo.local="$LOCAL_DIR/m2" \
    dependency:copy-dependencies -DoutputDirectory="$tmp/lib" -DincludeScope=runtime ||
    { rm -rf "$tmp"; die "Maven could not fetch DynamoDB Local (see above)"; }
  # sqlite4java's native libraries arrive as e.g.
  # libsqlite4java-linux-amd64-1.0.392.so; sqlite4java loads them by the name
  # without the version (libsqlite4java-linux-amd64.so) from java.library.path.
  for f in "$tmp"/lib/*sqlite4java*.so "$tmp"/lib/*sqlite4java*.dylib "$tmp"/lib/*sqlite4java*.dll; do
    [ -e "$f" ] || continue
    name=$(basename "$f" | sed -E 's/-[0-9][0-9.]*\.(so|dylib|dll)$/.\1/')
    mv "$f" "$tmp/native/$name"
  done
  ls "$tmp"/lib/DynamoDBLocal-*.jar >/dev/null 2>&1 ||
    { rm -rf "$tmp"; die "DynamoDBLocal jar missing after the Maven run"; }
  ls "$tmp"/native/*sqlite4java* >/dev/null 2>&1 ||
    { rm -rf "$tmp"; die "no sqlite4java native library came with DynamoDB Local"; }
  HASH_SALT="$LAYOUT" hash_of "$POM" >"$tmp/.circles-stamp"
  rm -rf "$DDB_DIR"
  mv "$tmp" "$DDB_DIR"
}

staticcheck_stamp() { echo "$STATICCHECK_VERSION $(go env GOVERSION)"; }

staticcheck_ok() {
  [ -x "$STATICCHECK" ] && [ -f "$STATICCHECK.stamp" ] &&
    [ "$(cat "$STATICCHECK.stamp")" = "$(staticcheck_stamp)" ]
}

install_staticcheck() {
  staticcheck_ok && return 0
  log "installing staticcheck $STATICCHECK_VERSION into .local/bin"
  # Outside the module (cd /), so the tool's dependencies stay out of go.mod.
  (cd / && GOFLAGS= GOBIN="$LOCAL_DIR/bin" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION") ||
    die "go install staticcheck@$STATICCHECK_VERSION failed (see above)"
  staticcheck_stamp >"$STATICCHECK.stamp"
}

# install_servers: moto and DynamoDB Local, what `start` needs. With mvn on
# PATH, DynamoDB Local downloads beside the venv; without it, Maven itself
# is fetched with a tool from the venv, so after it.
install_servers() {
  venv_ok && ddb_ok && return 0
  take_install_lock servers
  local ddb=""
  if ! ddb_ok && command -v mvn >/dev/null 2>&1; then
    install_dynamodb &
    ddb=$!
  fi
  install_venv
  if [ -n "$ddb" ]; then
    wait "$ddb" || die "installing DynamoDB Local failed (see above)"
  else
    install_dynamodb
  fi
}

install_tools() {
  staticcheck_ok && return 0
  take_install_lock staticcheck
  install_staticcheck
}

# cmd_install [servers|staticcheck]: both parts by default, at once (each
# is mostly a download and a build on one core).
cmd_install() {
  check_java
  check_python
  mkdir -p "$LOCAL_DIR"
  case "${1:-all}" in
    servers) install_servers ;;
    staticcheck) install_tools ;;
    all)
      if venv_ok && ddb_ok && staticcheck_ok; then
        return 0
      fi
      install_tools &
      local tools=$!
      install_servers
      wait "$tools" || die "installing staticcheck failed (see above)"
      log "local stack installed under .local/"
      ;;
    *) usage ;;
  esac
}

# ------------------------------------------------------------ start/stop --

# pid files of a running stack, one per server.
PID_NAMES="dynamodb moto"

state_running() {
  local dir=$1 name pid
  for name in $PID_NAMES; do
    pid=$(cat "$dir/$name.pid" 2>/dev/null || true)
    [ -n "$pid" ] && group_alive "$pid" || return 1
  done
}

cmd_status() {
  local dir=${1:?usage: stack.sh status STATE_DIR}
  state_running "$dir" && [ -f "$dir/env" ] || return 1
  # Confirm both still answer on the ports recorded at start.
  http_up "http://127.0.0.1:$(cat "$dir/dynamodb.port")/" &&
    http_up "http://127.0.0.1:$(cat "$dir/moto.port")/"
}

cmd_stop() {
  local dir=${1:?usage: stack.sh stop STATE_DIR} name pid
  [ -d "$dir" ] || return 0
  # Signal every server first so they shut down in parallel (each takes ~2 s).
  for name in $PID_NAMES; do
    pid=$(cat "$dir/$name.pid" 2>/dev/null || true)
    if [ -n "$pid" ]; then
      kill -TERM -- "-$pid" 2>/dev/null || true
    fi
  done
  for name in $PID_NAMES; do
    pid=$(cat "$dir/$name.pid" 2>/dev/null || true)
    if [ -n "$pid" ]; then
      kill_group "$pid" TERM 15
    fi
    rm -f "$dir/$name.pid"
  done
  rm -f "$dir/env"
}

# wait_up NAME URL PID LOG: wait until URL answers; fail early if the process
# died; fail with the log's tail after STACK_START_TIMEOUT seconds.
wait_up() {
  local name=$1 url=$2 pid=$3 logf=$4 ticks=0 limit=$((${STACK_START_TIMEOUT:-90} * 4))
  until http_up "$url"; do
    if ! group_alive "$pid"; then
      printf 'error: %s exited during startup; last lines of %s:\n' "$name" "$logf" >&2
      tail -n 30 "$logf" >&2 || true
      return 1
    fi
    if [ "$ticks" -ge "$limit" ]; then
      printf 'error: %s did not answer at %s within %ss; last lines of %s:\n' \
        "$name" "$url" "${STACK_START_TIMEOUT:-90}" "$logf" >&2
      tail -n 30 "$logf" >&2 || true
      return 1
    fi
    sleep 0.25
    ticks=$((ticks + 1))
  done
}

# start_once DIR DDB_PORT MOTO_PORT: one attempt; on failure stops what it started.
start_once() {
  local dir=$1 ddb_port=$2 moto_port=$3 java ddb_store=()
  local port
  for port in "$ddb_port" "$moto_port"; do
    port_free "$port" ||
      { printf 'error: port %s on 127.0.0.1 is already in use (another stack? try: infra/stack.sh stop .local/run)\n' "$port" >&2; return 1; }
  done

  java=$(java_bin)
  if [ "${PERSIST:-0}" = 1 ]; then
    mkdir -p "$LOCAL_DIR/data"
    ddb_store=(-dbPath "$LOCAL_DIR/data")
  else
    ddb_store=(-inMemory)
  fi
  : >"$dir/dynamodb.log"
  : >"$dir/moto.log"
  # DynamoDB Local has no bind-address option; it is reached on 127.0.0.1.
  # -Dcircles.server=DynamoDBLocal only marks the process for ps/pgrep.
  # shellcheck disable=SC2086 # DDB_JAVA_OPTS is a list of words
  spawn_group "$dir/dynamodb.log" "$java" -Dcircles.server=DynamoDBLocal ${DDB_JAVA_OPTS:-} \
    -Djava.library.path="$DDB_DIR/native" -cp "$DDB_DIR/lib/*" "$DDB_MAIN" \
    -sharedDb "${ddb_store[@]}" -port "$ddb_port" -disableTelemetry
  echo "$SPAWNED_PID" >"$dir/dynamodb.pid"
  echo "$ddb_port" >"$dir/dynamodb.port"

  spawn_group "$dir/moto.log" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$moto_port"
  echo "$SPAWNED_PID" >"$dir/moto.pid"
  echo "$moto_port" >"$dir/moto.port"

  if ! wait_up "DynamoDB Local" "http://127.0.0.1:$ddb_port/" "$(cat "$dir/dynamodb.pid")" "$dir/dynamodb.log" ||
    ! wait_up "moto server" "http://127.0.0.1:$moto_port/" "$(cat "$dir/moto.pid")" "$dir/moto.log"; then
    cmd_stop "$dir"
    return 1
  fi
}

write_env() {
  local dir=$1 ddb_url=$2 moto_url=$3
  {
    echo "# Written by infra/stack.sh start; source it to talk to this stack."
    printf 'export %s=%q\n' \
      AWS_ENDPOINT_URL_DYNAMODB "$ddb_url" \
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS "$ddb_url" \
      AWS_ENDPOINT_URL_SNS "$moto_url" \
      AWS_ENDPOINT_URL_SQS "$moto_url" \
      AWS_REGION us-east-1 \
      AWS_DEFAULT_REGION us-east-1 \
      AWS_ACCESS_KEY_ID local \
      AWS_SECRET_ACCESS_KEY local \
      APP_ADMIN_USER_IDS "${APP_ADMIN_USER_IDS:-admin}" \
      LOCAL_JWT_SECRET "${LOCAL_JWT_SECRET:-circles-local-dev-secret}"
  } >"$dir/env.tmp"
  mv "$dir/env.tmp" "$dir/env"
}

cmd_start() {
  local dir=${1:?usage: stack.sh start STATE_DIR [DDB_PORT] [MOTO_PORT]}
  local ddb_port=${2:-} moto_port=${3:-} attempt ports
  { ddb_ok && venv_ok; } || die "the local stack is not installed; run: infra/stack.sh install"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if state_running "$dir"; then
    die "a stack is already running in $dir; stop it first: infra/stack.sh stop $dir"
  fi
  cmd_stop "$dir" # clear stale pid files

  # Ports picked here could be taken by someone else before the servers bind
  # them, so with automatic ports retry a couple of times with new ones.
  for attempt in 1 2 3; do
    if [ -z "${2:-}" ] || [ -z "${3:-}" ]; then
      ports=$(free_ports 2)
      [ -n "${2:-}" ] || ddb_port=${ports% *}
      [ -n "${3:-}" ] || moto_port=${ports#* }
    fi
    log "starting DynamoDB Local on 127.0.0.1:$ddb_port$([ "${PERSIST:-0}" = 1 ] && echo ' (PERSIST=1: .local/data)') and moto on 127.0.0.1:$moto_port (state: $dir)"
    if start_once "$dir" "$ddb_port" "$moto_port"; then
      write_env "$dir" "http://127.0.0.1:$ddb_port" "http://127.0.0.1:$moto_port"
      log "stack up; environment in $dir/env"
      return 0
    fi
    # Retry only when ports were picked here and a server lost its port.
    if [ -n "${2:-}" ] && [ -n "${3:-}" ]; then break; fi
    grep -qiE 'address already in use|BindException' "$dir/dynamodb.log" "$dir/moto.log" || break
    [ "$attempt" -lt 3 ] && warn "a port was taken meanwhile; retrying on other ports"
  done
  die "could not start the local stack (logs in $dir)"
}

cmd_ensure() {
  local dir=${1:?usage: stack.sh ensure STATE_DIR [DDB_PORT] [MOTO_PORT]}
  if cmd_status "$dir"; then
    log "stack already running in $dir"
    return 0
  fi
  cmd_stop "$dir"
  cmd_start "$@"
}

# ------------------------------------------------------------------ main --

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
  install) cmd_install "$@" ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  ensure) cmd_ensure "$@" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
