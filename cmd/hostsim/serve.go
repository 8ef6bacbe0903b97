package main

import (
	"fmt"
	"net"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/jitconsent/jitconsent/wasm/demo"
)

func serveCmd() *cobra.Command {
	var addr, root string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the demo page, every decision made by consent.wasm in the page",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "demo on http://%s/ (Ctrl-C stops it)\n", ln.Addr())
			return http.Serve(ln, demo.Handler(root))
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "localhost:8080", "address to listen on")
	cmd.Flags().StringVar(&root, "root", ".", "the repository (wasm/demo, wasm/js and dist/ are served from it)")
	return cmd
}
