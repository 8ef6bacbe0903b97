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

// defaultAddr is where serve listens: this machine only, as the demo is a
// development tool that reads files from the repository.
const defaultAddr = "127.0.0.1:8080"

// serveCmd serves the demo page (wasm/demo): a phone in the browser whose
// every decision is made by dist/consent.wasm, in the page.
func serveCmd() *cobra.Command {
	var addr, root string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the demo page, every decision made by consent.wasm in the page",
		Long: "serve serves the demo page from the repository at --root: wasm/demo, the JavaScript host\n" +
			"wasm/js, and dist/consent.wasm and dist/bundle.json, which `make wasm` builds.\n\n" +
			"It listens on this machine only (127.0.0.1) unless --addr names another address, with\n" +
			"deadlines on reading a request, writing an answer and idle connections, and a\n" +
			"Content-Security-Policy that lets the page run only its own code (and compile the module).",
		Example: "  hostsim serve                      # http://127.0.0.1:8080/\n" +
			"  hostsim serve --addr 127.0.0.1:0   # a free port\n" +
			"  hostsim serve --addr :8080         # every interface: other machines can open it",
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
	cmd.Flags().StringVar(&addr, "addr", defaultAddr, "address to listen on (host:port; port 0 picks a free one; \":8080\" is every interface)")
	cmd.Flags().StringVar(&root, "root", ".", "the repository root (wasm/demo, wasm/js and dist/ are served from it)")
	return cmd
}
