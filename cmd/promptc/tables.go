package main

import (
	"fmt"
	"os"

	"github.com/jitconsent/jitconsent/engine/gotables"
	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/spf13/cobra"
)

func tablesCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:     "tables -o engine/tables_gen.go BUNDLE",
		Example: "  promptc tables -o engine/tables_gen.go dist/bundle.json",
		Short:   "Write a compiled bundle as the engine's tables in Go, for the wasm module to compile in",
		Long: `tables writes the engine's tables for BUNDLE (a compiled bundle; its hash
must hold, signatures are not checked) as a Go file of package engine,
built only with the build tag consent_tables. The wasm module is built
with that tag and decides from the tables as they are: it parses,
validates and builds nothing at start-up. make writes the file before it
builds the module; git ignores it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := os.ReadFile(args[0])
			if err != nil {
				return cli.Fail(err)
			}
			src, err := gotables.Source(env)
			if err != nil {
				return cli.Fail(fmt.Errorf("%s: %w", args[0], err))
			}
			return writeFile(out, src)
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "where to write the Go file")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}
