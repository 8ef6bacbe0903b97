package main

import "github.com/spf13/cobra"

// commands lists the subcommands.
func commands() []*cobra.Command {
	return []*cobra.Command{serveCmd()}
}
