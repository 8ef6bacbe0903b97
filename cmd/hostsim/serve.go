package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/jitconsent/jitconsent/wasm/demo"
)

// serveCmd serves the demo page (wasm/demo): a phone in the browser whose
// every decision is made by dist/consent.wasm, in the page.
func serveCmd() *cobra.Command {
	var addr, root string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the demo page, every decision made by consent.wasm in the page",
		Long: "serve serves the demo page from the repository at --root: wasm/demo, the JavaScript host\n" +
			"wasm/js, and dist/consent.wasm and dist/bundle.json, which `make wasm` builds.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			site := demo.Site{Root: root}
			if err := site.Check(); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %v\n", err)
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "demo on %s (Ctrl-C stops it)\n", demo.URL(ln.Addr()))
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return site.Serve(ctx, ln)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", ":8080", "address to listen on (host:port; \":0\" picks a free port)")
	cmd.Flags().StringVar(&root, "root", ".", "the repository root (wasm/demo, wasm/js and dist/ are served from it)")
	return cmd
}
