#!/usr/bin/env bash
# record-run.sh DIST: what make run does with the simulator's receipts,
# as an app's hosts and its auditor would: start the consent-record
# service on a fresh SQLite database, upload every receipt of
# DIST/record/receipts.jsonl (hostsim matrix --record) installation by
# installation, keeping the checkpoints; export the service's whole record
# with its signed manifest; and verify both the receipts sent and the
# record exported with the verifier, against the bundles they name and
# the service's checkpoints. Any refusal or fault fails the run.
set -euo pipefail
dist=${1:?usage: record-run.sh DIST}
work=$dist/record-run
rm -rf "$work"
mkdir -p "$work"
"$dist/records" keygen --out "$work/service" >/dev/null
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/app.token"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/operator.token"
"$dist/records" serve --db "sqlite:$work/records.db" --key "$work/service.key" \
	--app-token-file "$work/app.token" --operator-token-file "$work/operator.token" \
	--addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
url=
for _ in $(seq 100); do
	url=$(sed -n 's/^records: serving \(http[^ ]*\).*/\1/p' "$work/serve.log")
	[ -n "$url" ] && break
	kill -0 $pid 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$url" ] || { echo "record-run.sh: the service did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
"$dist/records" upload --url "$url" --app-token-file "$work/app.token" \
	--checkpoints "$work/checkpoints.jsonl" "$dist/record/receipts.jsonl"
"$dist/records" export --db "sqlite:$work/records.db" --key "$work/service.key" \
	--from 1970-01-01T00:00:00Z --to 9999-01-01T00:00:00Z --out "$work/export" | tail -1
for f in "$dist/record/receipts.jsonl" "$work/export/receipts.jsonl"; do
	printf '%s: ' "$f"
	"$dist/ledger" verify "$f" --bundles "$dist/record/bundles" \
		--checkpoint "$work/checkpoints.jsonl" --service-key "$work/service.pub" | grep -v '^  '
done
