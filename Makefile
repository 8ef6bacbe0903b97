# The project's commands. The README's two are `make run` and `make test`.

GO       ?= go
POLICY   ?= prompts/msxf
LOCALES  ?= locales
DIST     ?= dist
PROMPTC   = $(DIST)/promptc

VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
# The public keys a module trusts to sign bundles for consent_load_bundle.
# The release key's private half is not in the repository; the test
# module also trusts the test key of hostsim/testdata, whose private half is.
RELEASE_KEYS ?= keys/release.pub
TEST_KEYS     = $(RELEASE_KEYS) hostsim/testdata/keys/test.pub
WASM_BUILD    = GOWASM=satconv,signext GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -trimpath

.PHONY: run test lint policy-lint bundle export wasm wasm-test bench clean

# run: compile the shipped policy and show what it holds; until the host
# simulator lands, this is the main job.
run: bundle export
	@echo
	@$(PROMPTC) diff prompts/msxf/2022-03-29.toml prompts/testdata/revision/msxf/2023-09-01.toml \
		--locales $(LOCALES) --locales prompts/testdata/revision/locales --locale zh-CN

$(PROMPTC): $(shell find cmd prompts engine -name '*.go' -not -name '*_test.go') go.mod go.sum
	$(GO) build -o $@ ./cmd/promptc

bundle: $(PROMPTC)
	$(PROMPTC) compile --policy $(POLICY) --locales $(LOCALES) -o $(DIST)/bundle.json

export: $(PROMPTC)
	$(PROMPTC) export --policy $(POLICY) --locales $(LOCALES) -o $(DIST)/platform

# test: every Go test (the compiler's cases, the engine's conformance
# journeys natively and through the wasm module in wazero, bad input) and
# the policy linter on the shipped policy.
test: policy-lint wasm-test
	$(GO) test ./...

policy-lint: $(PROMPTC)
	$(PROMPTC) lint --policy $(POLICY) --locales $(LOCALES)

# lint: the policy linter, formatting, vet and staticcheck.
lint: policy-lint
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# wasm: the WebAssembly reactor module (GOOS=wasip1) carrying the bundle.
wasm: bundle
	cp $(DIST)/bundle.json wasm/bundle.json
	$(WASM_BUILD) -ldflags="-s -w -X main.moduleVersion=$(VERSION) -X main.trustedKeys=$$($(PROMPTC) pubkeys $(RELEASE_KEYS))" -o $(DIST)/consent.wasm ./wasm
	@ls -l $(DIST)/consent.wasm

# wasm-test: the same module, also trusting the test key, for the tests
# that load signed bundles.
wasm-test: bundle
	cp $(DIST)/bundle.json wasm/bundle.json
	$(WASM_BUILD) -ldflags="-s -w -X main.moduleVersion=$(VERSION)-test -X main.trustedKeys=$$($(PROMPTC) pubkeys $(TEST_KEYS))" -o $(DIST)/consent-test.wasm ./wasm

# bench: compile time, bundle size (raw and gzip) and the bundle reader.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./prompts ./engine/...

clean:
	rm -rf $(DIST) wasm/bundle.json
