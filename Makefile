# The project's commands. The README's two are `make run` and `make test`.

GO       ?= go
POLICY   ?= prompts/msxf
LOCALES  ?= locales
DIST     ?= dist
PROMPTC   = $(DIST)/promptc

# VERSION: the build's version, which the module reports (consent_info's
# "module") and the npm package carries: X.Y.Z at a tag vX.Y.Z on a clean
# tree, 0.0.0-g<commit>[.dirty] otherwise (wasm/js/scripts/version.sh).
ifeq ($(origin VERSION),undefined)
VERSION := $(shell wasm/js/scripts/version.sh)
endif
# The public keys a module trusts to sign bundles for consent_load_bundle.
# The release key's private half is not in the repository; the test
# module also trusts the test key of hostsim/testdata, whose private half is.
RELEASE_KEYS ?= keys/release.pub
TEST_KEYS     = $(RELEASE_KEYS) hostsim/testdata/keys/test.pub
# The public keys of the consent-record service (cmd/records) whose
# checkpoints a module verifies (engine/CONTRACT.md, "The record"): the
# release gives its service's (keys/service*.pub); none, every checkpoint
# is refused. The test module also trusts the test service key, whose
# private half signs the checkpoints of the conformance cases.
SERVICE_KEYS      ?= $(wildcard keys/service*.pub)
TEST_SERVICE_KEYS  = $(SERVICE_KEYS) hostsim/testdata/keys/service.pub
WASM_BUILD    = GOWASM=satconv,signext GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -trimpath

.PHONY: examples run test lint policy-lint bundle first-launch export wasm wasm-test size floor transcript js-test npm-pack demo bench bench-hosts mutation clean records records-bench

# Recipes run in bash with pipefail, so that a command piped into another
# fails the recipe when it fails.
SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c

# run: build the modules and run the simulator: the bundled journeys on
# every device profile, the example journeys on theirs, and a thousand
# random journeys, each checked for every compliance rule. The bundled and
# the random journeys publish policy updates (the example revision, major
# and declared minor), signed with the test key: they run on the test
# module (dist/consent-test.wasm, the release module that also trusts that
# key); the examples run on the release module (dist/consent.wasm).
run: wasm wasm-test export records
	@$(GO) build -o $(DIST)/hostsim ./cmd/hostsim
	@echo
	@echo "== the policy update users would see (the example revision) =="
	@$(PROMPTC) diff prompts/msxf/2022-03-29.toml prompts/testdata/revision/msxf/2023-09-01.toml \
		--locales $(LOCALES) --locales prompts/testdata/revision/locales --locale zh-CN | tail -4
	@echo
	@echo "== the journeys on every device profile (hostsim matrix) =="
	@$(DIST)/hostsim matrix hostsim/testdata/journeys --wasm $(DIST)/consent-test.wasm --html $(DIST)/report.html --record $(DIST)/record
	@echo
	@echo "== the matrix's receipts in the consent-record service (SQLite), exported and verified (records, ledger) =="
	@$(GO) build -o $(DIST)/ledger ./cmd/ledger
	@bash records/testdata/record-run.sh $(DIST)
	@echo
	@echo "== the example journeys on their devices (hostsim run) =="
	@$(DIST)/hostsim run examples/journeys --junit $(DIST)/junit.xml
	@echo
	@echo "== 1,000 random users, devices and journeys (hostsim fuzz) =="
	@$(DIST)/hostsim fuzz --wasm $(DIST)/consent-test.wasm --journeys 1000

$(PROMPTC): $(shell find cmd prompts engine -name '*.go' -not -name '*_test.go' -not -name tables_gen.go) go.mod go.sum
	$(GO) build -o $@ ./cmd/promptc

# bundle: dist/bundle.json, compiled again only when the compiler or a
# policy or locale file changed (so that make test, which builds it from
# two make invocations, compiles and prints its summary once).
bundle: $(DIST)/bundle.json

$(DIST)/bundle.json: $(PROMPTC) $(shell find $(POLICY) $(LOCALES) -type f)
	$(PROMPTC) compile --policy $(POLICY) --locales $(LOCALES) -o $@

# first-launch: the engine's answer to a fresh install's launch, per
# locale and platform, precomputed from the bundle the module embeds
# (promptc first-launch): the popup the JavaScript host shows while the
# module loads (wasm/js/README.md, "The first popup"). make wasm builds it
# beside the module, and the npm package ships it.
first-launch: bundle
	$(PROMPTC) first-launch --bundle $(DIST)/bundle.json -o $(DIST)/first-launch.json

# export: the platform declarations the app build must agree with
# (dist/platform: Android manifest and res/, iOS Info.plist and lproj,
# HarmonyOS module.json5 and resources/, WeChat app.json). The policy does
# not know the app's HarmonyOS abilities: the entry ability uses them.
# export: the platform declarations (docs/PLATFORMS.md), written afresh so
# that no file of an earlier export (a renamed .lproj) is left behind.
export: $(PROMPTC)
	rm -rf $(DIST)/platform
	$(PROMPTC) export --policy $(POLICY) --locales $(LOCALES) --harmonyos-ability EntryAbility -o $(DIST)/platform

# test: every Go test (the compiler's cases, the engine's conformance
# cases natively and through the wasm module in wazero, bad input, the
# demo page in headless Chromium), the Node tests of the JavaScript host and
# the policy linter on the shipped policy. The Go tests build the modules
# they need themselves; a test that skips (no Chromium, say) fails the run
# here, since make test must run everything (internal/testverdict). The
# consent-record service's tests run on SQLite and on PostgreSQL: on the
# server RECORDS_PG_DSN names, or else on a throwaway one started for the
# run (records/testdata/with-postgres.sh; Debian's postgresql package).
# The engine's tables the module compiles in are checked against the
# bundle they were written from (TestEmbeddedTables, build tag
# consent_tables).
test: policy-lint wasm/bundle.json
	records/testdata/with-postgres.sh bash -o pipefail -c '{ $(GO) test -json ./... && $(GO) test -json -tags consent_tables -run Embedded ./engine; } | $(GO) run ./internal/testverdict'
	$(MAKE) js-test

# transcript: every conformance case's requests and the native engine's
# responses, which the JavaScript hosts must reproduce byte for byte.
transcript:
	$(GO) run ./cmd/transcript -o $(DIST)/conformance.json

# js-test: the JavaScript host (wasm/js) in Node: its own loader and
# node:wasi, against the native transcript, the receipt queue against
# the consent-record service (dist/records, which it starts), and the npm
# package of this build (dist/consent.wasm, version $(VERSION)) packed,
# installed and loaded in Node and in headless Chromium. A skipped test
# fails it, as in make test.
js-test: wasm wasm-test transcript records examples tools/typescript/node_modules
	cd wasm/js && CONSENT_VERSION=$(VERSION) node --test test/*.test.mjs | tee $(CURDIR)/$(DIST)/js-test.tap
	@if grep -E '^# (skipped|todo) [1-9]' $(DIST)/js-test.tap; then echo "a JavaScript test was skipped: make test runs everything"; exit 1; fi

# examples: the example mini-programs (examples/wechat, examples/alipay)
# ready to open in the vendors' IDEs: the JavaScript host in each lib/, the
# precomputed first launch, the module (WeChat: Brotli-compressed), and a
# check that WeChat's app.json carries the permission block of this
# export (examples/miniprogram/README.md). js-test runs them in Node.
examples: wasm export
	node examples/miniprogram/prepare.mjs --wasm $(DIST)/consent.wasm --first-launch $(DIST)/first-launch.json \
		--wechat-export $(DIST)/platform/wechat/app.permission.json

# tools/typescript/node_modules: TypeScript, for js-test's check of the
# host's types (wasm/js/test/types.test.mjs), at the lock file's version.
tools/typescript/node_modules: tools/typescript/package.json tools/typescript/package-lock.json
	npm ci --prefix tools/typescript --no-audit --no-fund
	@touch $@

# npm-pack: the npm package of this build, $(DIST)/jitconsent-consent-$(VERSION).tgz:
# wasm/js's files, consent.wasm, consent.wasm.br and first-launch.json, version $(VERSION)
# (wasm/js/README.md, "Releases"). The git tree is left as it is.
npm-pack: wasm
	node wasm/js/scripts/pack.mjs --wasm $(DIST)/consent.wasm --first-launch $(DIST)/first-launch.json --version $(VERSION) --out $(DIST)

# demo: serve the demo page, every decision made by the module in the page.
demo: wasm
	$(GO) run ./cmd/hostsim serve

policy-lint: $(PROMPTC)
	$(PROMPTC) lint --policy $(POLICY) --locales $(LOCALES)

# lint: the policy linter, formatting, vet and staticcheck (also on the
# module, which builds only for wasip1, with and without its faults), and
# go.mod and go.sum as go mod tidy leaves them.
lint: policy-lint wasm/bundle.json
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags consent_tables ./engine
	$(GO) build -o $(DIST)/staticcheck honnef.co/go/tools/cmd/staticcheck
	$(DIST)/staticcheck ./...
	$(DIST)/staticcheck -tags consent_tables ./engine
	for tags in "" consent_tables consent_tables,consentfaults; do \
		GOOS=wasip1 GOARCH=wasm $(GO) vet -tags "$$tags" ./wasm && \
		GOOS=wasip1 GOARCH=wasm $(DIST)/staticcheck -tags "$$tags" ./wasm || exit 1; \
	done
	GOOS=wasip1 GOARCH=wasm $(GO) vet ./wasm/floor
	GOOS=wasip1 GOARCH=wasm $(DIST)/staticcheck ./wasm/floor
	$(GO) mod tidy -diff

# wasm/bundle.json: the module's own bundle, and engine/tables_gen.go, the
# engine's tables for it, which the module compiles in (build tag
# consent_tables) so that it parses nothing at start-up: both generated
# (git ignores them) before anything builds or vets the module.
wasm/bundle.json: $(DIST)/bundle.json $(PROMPTC)
	cp $(DIST)/bundle.json $@
	$(PROMPTC) tables -o engine/tables_gen.go $@

# wasm: the WebAssembly reactor module (GOOS=wasip1) carrying the bundle,
# and beside it the precomputed first launch of that bundle.
wasm: wasm/bundle.json first-launch
	$(WASM_BUILD) -tags consent_tables -ldflags="-s -w -X main.moduleVersion=$(VERSION) -X main.trustedKeys=$$($(PROMPTC) pubkeys $(RELEASE_KEYS))$(if $(SERVICE_KEYS), -X main.serviceKeys=$$($(PROMPTC) pubkeys $(SERVICE_KEYS)))" -o $(DIST)/consent.wasm ./wasm
	@ls -l $(DIST)/consent.wasm

# wasm-test: the same module, also trusting the test key, for the tests
# and simulator runs that load signed bundles (policy updates); and the
# same with faults injected (wasm/faults.go) for the tests of how hosts
# survive a module that hangs or traps.
wasm-test: wasm/bundle.json
	$(WASM_BUILD) -tags consent_tables -ldflags="-s -w -X main.moduleVersion=$(VERSION)-test -X main.trustedKeys=$$($(PROMPTC) pubkeys $(TEST_KEYS)) -X main.serviceKeys=$$($(PROMPTC) pubkeys $(TEST_SERVICE_KEYS))" -o $(DIST)/consent-test.wasm ./wasm
	$(WASM_BUILD) -tags consent_tables,consentfaults -ldflags="-s -w -X main.moduleVersion=$(VERSION)-faulty -X main.trustedKeys=$$($(PROMPTC) pubkeys $(TEST_KEYS))" -o $(DIST)/consent-faulty.wasm ./wasm

# size: what the shipped module is made of (cmd/wasmsize), for finding
# what does not earn its bytes. It builds dist/consent-names.wasm as make
# wasm builds dist/consent.wasm but keeping the name section (no -s -w;
# code and data are the same), then prints its sections, its code by Go
# package, the SIZE_TOP largest functions, its size gzip and brotli as
# shipped (without the name section), its data (and where the embedded
# bundle lies in it), and what _initialize costs: its median time over
# SIZE_RUNS fresh instances in wazero, compiled and interpreted, and its
# calls by the package init that makes them. SIZE_BASE=other.wasm (a module
# built the same way, say from another commit) prints the two side by side.
SIZE_TOP  ?= 40
SIZE_RUNS ?= 7
SIZE_BASE ?=
size: wasm/bundle.json $(PROMPTC)
	$(WASM_BUILD) -tags consent_tables -ldflags="-X main.moduleVersion=$(VERSION) -X main.trustedKeys=$$($(PROMPTC) pubkeys $(RELEASE_KEYS))$(if $(SERVICE_KEYS), -X main.serviceKeys=$$($(PROMPTC) pubkeys $(SERVICE_KEYS)))" -o $(DIST)/consent-names.wasm ./wasm
	GOOS=wasip1 GOARCH=wasm $(GO) list -deps ./wasm > $(DIST)/consent-names.pkgs
	$(GO) build -o $(DIST)/wasmsize ./cmd/wasmsize
	$(DIST)/wasmsize -z -paths $(DIST)/consent-names.pkgs -top $(SIZE_TOP) $(DIST)/consent-names.wasm
	@echo
	$(DIST)/wasmsize -paths $(DIST)/consent-names.pkgs -init $(SIZE_RUNS) $(DIST)/consent-names.wasm
	$(if $(SIZE_BASE),@echo; $(DIST)/wasmsize -z -paths $(DIST)/consent-names.pkgs -top $(SIZE_TOP) $(SIZE_BASE) $(DIST)/consent-names.wasm)

# bench: the compiler (time, bundle size), the native engine (one decision,
# a journey), and the module in wazero (a decision against native,
# instantiation, size raw/gzip/brotli, memory over a million decisions).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./prompts ./engine/...
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./hostsim/wasmhost

# floor: the floor reactor (wasm/floor): the module's exports, SHA-256 and
# ed25519 linked, no engine, built with the module's flags, which
# bench-hosts measures beside the module.
floor:
	$(WASM_BUILD) -ldflags="-s -w -X main.moduleVersion=$(VERSION)-floor" -o $(DIST)/floor.wasm ./wasm/floor
	@ls -l $(DIST)/floor.wasm

# bench-hosts: the module's cold start on the real hosts (cmd/benchhosts):
# headless Chromium with a fresh profile (compileStreaming from a local
# HTTP server) and its second visit (the same profile: V8's wasm code
# cache), Node in a fresh process (node:wasi), wazero compiled and
# interpreted, each in a fresh process: compile, start, first decision
# (a fresh install's launch), total and a steady decision, beside the
# floor reactor in the same run, median of BENCH_RUNS runs each; and in
# Chromium the precomputed popup's time on screen (dist/first-launch.json,
# which make wasm writes) against the module's first decision.
BENCH_RUNS ?= 5
BENCH_HOSTS ?= chromium,chromium-second,node,wazero-compiled,wazero-interp
bench-hosts: wasm floor
	$(GO) run ./cmd/benchhosts --module $(DIST)/consent.wasm --floor $(DIST)/floor.wasm \
		--runs $(BENCH_RUNS) --hosts $(BENCH_HOSTS)

# mutation: the mutation test, a benchmark and not part of make test. It
# samples MUTANTS mutants of the engine's code (operators flipped one at a
# time, cmd/mutants), builds each with go build -overlay (the tree is never
# written), runs the conformance journeys and the simulator's checks
# (matrix, then MUTATION_FUZZ fuzz journeys, natively) against it, and
# prints a row per mutant and the score; dist/mutants.json has the details.
# The mutants of mutation/equivalent.txt are left out of the score.
# MUTANTS=all runs every mutant (about 850: hours).
MUTANTS       ?= 40
MUTATION_SEED ?= 1
MUTATION_FUZZ ?= 2000
MUTATION_JOBS ?= 2
mutation:
	@mkdir -p $(DIST)
	$(GO) run ./cmd/mutants $(if $(filter all,$(MUTANTS)),--all,--sample $(MUTANTS)) --seed $(MUTATION_SEED) \
		--fuzz $(MUTATION_FUZZ) -j $(MUTATION_JOBS) --equivalent mutation/equivalent.txt --json $(DIST)/mutants.json

# records: the consent-record service's command (README, "The
# consent-record service").
records:
	$(GO) build -o $(DIST)/records ./cmd/records

# records-bench: the service's load generator (16 installations at once,
# batches of 10, through HTTP to an in-process service): on SQLite, and
# on PostgreSQL when RECORDS_PG_DSN names a server (records/testdata/
# postgres.sh starts one).
records-bench: records
	$(DIST)/records bench
	@if [ -n "$$RECORDS_PG_DSN" ]; then \
		$(DIST)/records bench --db "$$RECORDS_PG_DSN"; \
	else \
		echo 'RECORDS_PG_DSN is not set: no PostgreSQL figure. eval "$$(records/testdata/postgres.sh start /tmp/records-pg)" starts a server.'; \
	fi

clean:
	rm -rf $(DIST) wasm/bundle.json engine/tables_gen.go
