package wasmhost

import (
	"context"
	"errors"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// ErrPollOneoff is what poll_oneoff raises in the webview profile.
var ErrPollOneoff = errors.New("poll_oneoff is not supported (webview WASI shim)")

// WebviewWASI is a WASI implementation like the browser shims that
// webviews and mini-program runtimes use: everything wazero has, except
// poll_oneoff, which throws. A module that sleeps or blocks traps on it.
func WebviewWASI(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder(wasi_snapshot_preview1.ModuleName)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(b)
	b.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(context.Context, api.Module, []uint64) {
			panic(ErrPollOneoff)
		}), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		Export("poll_oneoff")
	_, err := b.Instantiate(ctx)
	return err
}
