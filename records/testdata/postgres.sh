#!/usr/bin/env bash
# postgres.sh: a throwaway PostgreSQL server for the records tests.
#
#   eval "$(records/testdata/postgres.sh start DIR [PORT])"   # prints export RECORDS_PG_DSN=...
#   records/testdata/postgres.sh stop DIR
#
# start makes a cluster with initdb in DIR/data (as the postgres user when
# run as root, since the server refuses to run as root), starts it on
# 127.0.0.1:PORT (by default the first free port from 55432) with its
# socket in DIR, creates the
# database "records" and prints the DSN as a shell export. Debian's
# postgresql package puts the binaries in /usr/lib/postgresql/<major>/bin.
# stop stops the server and removes DIR. Nothing outside DIR is touched,
# and no system cluster is used, so it runs next to any other server.
set -euo pipefail

bindir() {
	if command -v pg_ctl >/dev/null 2>&1; then
		dirname "$(readlink -f "$(command -v pg_ctl)")"
		return
	fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	if [ -z "$d" ]; then
		echo "postgres.sh: no PostgreSQL found: apt-get install postgresql" >&2
		exit 1
	fi
	echo "$d"
}

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		su postgres -s /bin/bash -c "$*"
	else
		bash -c "$*"
	fi
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }
case "$cmd" in
start)
	port=${3:-}
	if [ -z "$port" ]; then
		port=55432
		while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
	fi
	bin=$(bindir)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; chmod 755 "$dir"; fi
	as_pg "'$bin/initdb' -D '$dir/data' -A trust -U postgres -E UTF8 --no-locale >'$dir/initdb.log' 2>&1" ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	as_pg "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 \
		-o \"-k '$dir' -p $port -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB\" start >/dev/null" ||
		{ cat "$dir/server.log" >&2; exit 1; }
	as_pg "'$bin/createdb' -h 127.0.0.1 -p $port -U postgres records"
	echo "export RECORDS_PG_DSN='postgres://postgres@127.0.0.1:$port/records?sslmode=disable'"
	;;
stop)
	bin=$(bindir)
	if [ -d "$dir/data" ]; then
		as_pg "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|stop DIR [PORT]" >&2
	exit 2
	;;
esac
