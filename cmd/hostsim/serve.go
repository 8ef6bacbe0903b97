package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

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
			fmt.Fprintf(cmd.OutOrStdout(), "demo on %s (Ctrl-C stops it)\n", pageURL(ln.Addr()))

			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			srv := &http.Server{Handler: site.Handler(), ReadHeaderTimeout: 10 * time.Second}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			select {
			case err := <-done:
				return err
			case <-ctx.Done():
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := srv.Shutdown(sctx); err != nil {
					return err
				}
				if err := <-done; !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			}
		},
	}
	cmd.Flags().StringVar(&addr, "addr", ":8080", "address to listen on (host:port; \":0\" picks a free port)")
	cmd.Flags().StringVar(&root, "root", ".", "the repository root (wasm/demo, wasm/js and dist/ are served from it)")
	return cmd
}

// pageURL is the URL a browser on this machine opens for a listener: an
// unspecified address (":8080") is reached at localhost.
func pageURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)) + "/"
}
