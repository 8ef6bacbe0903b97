package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim/wasmhost"
	"github.com/jitconsent/jitconsent/internal/cli"
)

// moduleInfo is what consent_info says of a module and the bundle it
// carries (wasm/ABI.md).
type moduleInfo struct {
	Module string `json:"module"`
	ABI    int    `json:"abi"`
	Policy struct {
		ID      string `json:"id"`
		Version string `json:"version"`
	} `json:"policy"`
	Hash  string `json:"hash"`
	Error string `json:"error"`
}

// writeVersion writes hostsim --version: the simulator's build, then the
// module it would run (wasm) as its consent_info describes it, with the
// policy version and hash of the bundle it carries, then the bundle file
// the checks read (bundleFile) and whether it is the module's. A module or
// bundle that cannot be read is said so on its line: the build is still
// worth printing.
func writeVersion(w io.Writer, wasm, bundleFile string) {
	fmt.Fprintln(w, cli.Build("hostsim"))
	info, err := readModuleInfo(wasm)
	switch {
	case err != nil:
		fmt.Fprintf(w, "module %s: %v\n", wasm, err)
	case info.Error != "":
		fmt.Fprintf(w, "module %s: version %s, ABI %d, no bundle: %s\n", wasm, info.Module, info.ABI, info.Error)
	default:
		fmt.Fprintf(w, "module %s: version %s, ABI %d, bundle of policy %s version %s (%s)\n",
			wasm, info.Module, info.ABI, info.Policy.ID, info.Policy.Version, info.Hash)
	}
	env, err := os.ReadFile(bundleFile)
	var b *bundle.Bundle
	var payload []byte
	if err == nil {
		if b, err = bundle.OpenUnsigned(env); err == nil {
			payload, err = bundle.Payload(env)
		}
	}
	if err != nil {
		fmt.Fprintf(w, "bundle %s: %v\n", bundleFile, strings.TrimPrefix(err.Error(), "open "+bundleFile+": "))
		return
	}
	hash := bundle.Hash(payload)
	same := ""
	switch {
	case info == nil || info.Hash == "":
	case info.Hash == hash:
		same = ", the module's"
	default:
		same = ", not the bundle the module carries"
	}
	fmt.Fprintf(w, "bundle %s: policy %s version %s, format %d (%s%s)\n", bundleFile, b.Policy.ID, b.Policy.Version, b.Format, hash, same)
}

// readModuleInfo compiles a module and asks it consent_info.
func readModuleInfo(wasm string) (*moduleInfo, error) {
	code, err := os.ReadFile(wasm)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("not found (make wasm builds dist/consent.wasm)")
		}
		return nil, err
	}
	ctx := context.Background()
	m, err := wasmhost.Compile(ctx, code, wasmhost.Config{})
	if err != nil {
		return nil, err
	}
	defer m.Close(ctx)
	in, err := m.Instantiate(ctx)
	if err != nil {
		return nil, err
	}
	defer in.Close(ctx)
	out, err := in.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("consent_info: %v", err)
	}
	var info moduleInfo
	if err := json.Unmarshal(out, &info); err != nil {
		return nil, fmt.Errorf("consent_info answered %.200s", out)
	}
	return &info, nil
}
