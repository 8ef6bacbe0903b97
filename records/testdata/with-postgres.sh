#!/usr/bin/env bash
# with-postgres.sh COMMAND...: run COMMAND with RECORDS_PG_DSN naming a
# PostgreSQL server for the consent-record service's tests. If the
# environment already names one, it is used as it is; otherwise a
# throwaway cluster is started in a temporary folder (postgres.sh, Debian's
# postgresql package) and stopped and removed however COMMAND ends. make
# test runs through it, so that it works on a fresh machine with the
# package installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${RECORDS_PG_DSN:-}" ]; then
	pgdir=$(mktemp -d /tmp/records-pg.XXXXXX)
	trap '"$here/postgres.sh" stop "$pgdir" >/dev/null 2>&1 || true' EXIT
	if ! pgenv=$("$here/postgres.sh" start "$pgdir"); then
		echo "with-postgres.sh: the consent-record service's tests need PostgreSQL: install Debian's postgresql package (apt-get install postgresql), or set RECORDS_PG_DSN to a server's DSN" >&2
		exit 1
	fi
	eval "$pgenv"
	export RECORDS_PG_DSN
	echo "PostgreSQL for the tests (throwaway): $RECORDS_PG_DSN" >&2
fi
"$@"
