#!/usr/bin/env bash
# Runs the example 3-node cluster (node1.conf .. node3.conf beside this script) on 127.0.0.1.
#
#   cluster/cluster.sh [options] up       start the three servers in the background, wait
#                                         until the route mesh formed, then run `check`;
#                                         on failure, show the logs and stop them again
#   cluster/cluster.sh [options] check    check a running cluster (check.py): full mesh in
#                                         every /routez, route ports refuse a peer without a
#                                         certificate, messages cross between every two nodes
#   cluster/cluster.sh [options] down     stop the servers `up` started (by their pid files):
#                                         SIGTERM, then SIGKILL after 10s
#   cluster/cluster.sh [options] status   which of them run (exit 0 when all three do, else 3)
#   cluster/cluster.sh [options] test     up, then down; the exit status is up's
#
# Options (or environment variables):
#   --server BIN   (SERVER_BIN)       the server executable, starling or Go nats-server;
#                                     default: .build/release/starling of this repository
#   --run-dir DIR  (CLUSTER_RUN_DIR)  pid files, logs and the servers' working directory;
#                                     default: cluster/run
#   --pki DIR      (CLUSTER_PKI)      the PKI, made by make-pki.sh when missing;
#                                     default: cluster/pki
#   --timeout S    (CLUSTER_TIMEOUT)  seconds to wait for the mesh (default 30)
#
# Nodes: clients on 4222/4223/4224, routes (mutual TLS) on 6222/6223/6224, monitoring on
# 8222/8223/8224. Every wait is bounded; `down` signals only the processes whose pid files it
# finds, and only while they still run a node configuration of this folder.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

# NAME:CLIENT:ROUTE:MONITOR; must match nodeN.conf.
nodes=(node1:4222:6222:8222 node2:4223:6223:8223 node3:4224:6224:8224)
host=127.0.0.1
stop_seconds=10

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
    exit "${1:-2}"
}

server_bin=${SERVER_BIN:-$repo/.build/release/starling}
run_dir=${CLUSTER_RUN_DIR:-$here/run}
pki_dir=${CLUSTER_PKI:-$here/pki}
timeout=${CLUSTER_TIMEOUT:-30}
command=
while (($#)); do
    case $1 in
        --server) server_bin=${2:?--server needs a path}; shift ;;
        --run-dir) run_dir=${2:?--run-dir needs a path}; shift ;;
        --pki) pki_dir=${2:?--pki needs a path}; shift ;;
        --timeout) timeout=${2:?--timeout needs seconds}; shift ;;
        -h | --help) usage 0 ;;
        up | check | down | status | test) [[ -z $command ]] || usage; command=$1 ;;
        *) echo "cluster.sh: unknown argument '$1'" >&2; usage ;;
    esac
    shift
done
[[ -n $command ]] || usage
# Absolute paths: the servers run in $run_dir.
[[ $run_dir == /* ]] || run_dir=$PWD/$run_dir
[[ $pki_dir == /* ]] || pki_dir=$PWD/$pki_dir
if [[ $server_bin != */* ]]; then
    server_bin=$(command -v "$server_bin" || echo "$server_bin")
elif [[ $server_bin != /* ]]; then
    server_bin=$PWD/$server_bin
fi
[[ $timeout =~ ^[0-9]+$ ]] || { echo "cluster.sh: --timeout wants whole seconds" >&2; exit 2; }

say() { echo "cluster.sh: $*"; }

# args PID: the command line of process PID (empty when there is none).
args() {
    if command -v ps >/dev/null; then
        ps -ww -o args= -p "$1" 2>/dev/null || true
    elif [[ -r /proc/$1/cmdline ]]; then
        tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null || true
    fi
}

# running NAME: prints the pid of node NAME when its pid file names a live process that
# runs this folder's NAME.conf (so a stale pid file never signals a stranger); else fails.
running() {
    local file=$run_dir/$1.pid pid
    [[ -f $file ]] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ "$(args "$pid")" == *"$here/$1.conf"* ]] || return 1
    echo "$pid"
}

# stop: TERM every node that runs, wait (bounded) for them to exit, KILL what is left.
stop() {
    local spec name pid pids=() waited=0 stale=0
    for spec in "${nodes[@]}"; do
        name=${spec%%:*}
        if pid=$(running "$name"); then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$name:$pid")
        elif [[ -f $run_dir/$name.pid ]]; then
            stale=1
            say "$name was not running any more (pid $(<"$run_dir/$name.pid")); removing its pid file"
            rm -f "$run_dir/$name.pid"
        fi
    done
    while :; do
        local left=()
        for spec in "${pids[@]}"; do
            running "${spec%%:*}" >/dev/null && left+=("$spec")
        done
        ((${#left[@]} == 0)) && break
        if ((waited >= stop_seconds * 10)); then
            for spec in "${left[@]}"; do
                say "${spec%%:*} (pid ${spec#*:}) still runs after ${stop_seconds}s; sending KILL"
                kill -KILL "${spec#*:}" 2>/dev/null || true
            done
            sleep 0.5
            break
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    for spec in "${pids[@]}"; do
        name=${spec%%:*}
        if running "$name" >/dev/null; then
            say "$name (pid ${spec#*:}) did not stop" >&2
        else
            rm -f "$run_dir/$name.pid"
            say "stopped $name (pid ${spec#*:})"
        fi
    done
    ((${#pids[@]} > 0 || stale)) || say "no node was running (no pid file in $run_dir)"
}

check() {
    command -v python3 >/dev/null || { say "python3 is needed for the check" >&2; return 1; }
    local pki_args=()
    [[ -f $pki_dir/ca.pem ]] && pki_args=(--pki "$pki_dir")
    python3 "$here/check.py" --host "$host" --timeout "$timeout" "${pki_args[@]}" "${nodes[@]}"
}

# show_logs [NAME...]: the last lines of the named nodes' logs (default: all).
show_logs() {
    local spec name
    for spec in "${nodes[@]}"; do
        name=${spec%%:*}
        (($# == 0)) || [[ " $* " == *" $name "* ]] || continue
        [[ -f $run_dir/$name.log ]] || continue
        echo "---- last lines of $run_dir/$name.log"
        tail -n 15 "$run_dir/$name.log"
    done
}

# listening PORT: something accepts connections on $host:PORT.
listening() { (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null; }

# gone PID: process PID has exited (it may be a zombie: it is this script's child).
gone() {
    ! kill -0 "$1" 2>/dev/null || [[ "$(ps -o stat= -p "$1" 2>/dev/null || true)" == Z* ]]
}

up() {
    [[ -x $server_bin ]] || {
        say "no server executable at $server_bin: build it (swift build -c release) or pass --server / SERVER_BIN" >&2
        return 1
    }
    local spec name pid client route monitor port
    for spec in "${nodes[@]}"; do
        name=${spec%%:*}
        if pid=$(running "$name"); then
            say "$name already runs (pid $pid); run '$0 down' first" >&2
            return 1
        fi
    done
    for spec in "${nodes[@]}"; do
        IFS=: read -r name client route monitor <<<"$spec"
        for port in "$client" "$route" "$monitor"; do
            if listening "$port"; then
                say "port $host:$port (for $name) is already in use" >&2
                return 1
            fi
        done
    done

    "$here/make-pki.sh" "$pki_dir"
    mkdir -p "$run_dir"
    local pki_abs
    pki_abs=$(cd "$pki_dir" && pwd)
    # The configurations name their certificates pki/...; the servers run in $run_dir.
    if [[ -L $run_dir/pki || ! -e $run_dir/pki ]]; then
        ln -sfn "$pki_abs" "$run_dir/pki"
    elif [[ ! $run_dir/pki -ef $pki_abs ]]; then
        say "$run_dir/pki exists and is not the PKI $pki_abs" >&2
        return 1
    fi

    say "server: $server_bin ($("$server_bin" --version 2>&1 | head -n 1 || true))"
    trap 'echo; say "interrupted; stopping"; stop; exit 130' INT TERM
    for spec in "${nodes[@]}"; do
        IFS=: read -r name client route monitor <<<"$spec"
        # The other nodes' route URLs, as a config array.
        local routes=() other
        for other in "${nodes[@]}"; do
            [[ $other == "$spec" ]] || routes+=("nats-route://$host:$(cut -d: -f3 <<<"$other")")
        done
        local list
        printf -v list '%s, ' "${routes[@]}"
        list="[${list%, }]"
        (
            cd "$run_dir"
            exec env CLUSTER_HOST="$host" CLUSTER_ROUTES="$list" \
                "$server_bin" -c "$here/$name.conf" </dev/null >"$run_dir/$name.log" 2>&1
        ) &
        echo $! > "$run_dir/$name.pid"
        say "started $name (pid $!): clients $client, routes $route, monitoring $monitor, routes to $list"
    done

    # Bounded wait for every node's client and monitoring listeners; a node that exits fails
    # at once. check.py then waits (bounded) for the route mesh.
    local deadline=$((SECONDS + timeout)) ready
    while :; do
        ready=0
        for spec in "${nodes[@]}"; do
            IFS=: read -r name client route monitor <<<"$spec"
            if gone "$(<"$run_dir/$name.pid")"; then
                say "$name exited during start-up" >&2
                show_logs "$name" >&2
                stop
                return 1
            fi
            # (Not the route port: a bare TCP connect would log a failed TLS handshake.)
            listening "$client" && listening "$monitor" && ready=$((ready + 1))
        done
        ((ready == ${#nodes[@]})) && break
        if ((SECONDS >= deadline)); then
            say "the nodes did not all listen within ${timeout}s" >&2
            show_logs >&2
            stop
            return 1
        fi
        sleep 0.1
    done

    if ! check; then
        show_logs >&2
        stop
        return 1
    fi
    trap - INT TERM
    say "cluster up; logs and pid files in $run_dir; stop it with: $0 down"
}

status() {
    local spec name pid rc=0
    for spec in "${nodes[@]}"; do
        name=${spec%%:*}
        if pid=$(running "$name"); then
            say "$name runs (pid $pid)"
        else
            say "$name is not running"
            rc=3
        fi
    done
    return "$rc"
}

case $command in
    up) up ;;
    check) check ;;
    down) stop ;;
    status) status ;;
    test)
        rc=0
        up || rc=$?
        ((rc != 0)) || stop
        exit "$rc"
        ;;
esac
