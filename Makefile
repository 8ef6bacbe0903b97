# The project's commands. The README's two are `make run` and `make test`.

GO       ?= go
POLICY   ?= prompts/msxf
LOCALES  ?= locales
DIST     ?= dist
PROMPTC   = $(DIST)/promptc

.PHONY: run test lint policy-lint bundle export wasm bench clean

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

# test: every Go test (the broken-input cases, the reference bundle, signing,
# diffs) and the policy linter on the shipped policy.
test: policy-lint
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
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -trimpath -ldflags='-s -w' -o $(DIST)/consent.wasm ./wasm
	@ls -l $(DIST)/consent.wasm

# bench: compile time, bundle size (raw and gzip) and the bundle reader.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./prompts ./engine/...

clean:
	rm -rf $(DIST) wasm/bundle.json
