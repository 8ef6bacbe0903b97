// Command records is the consent-record service: hosts upload their
// receipt batches to it, and it answers with signed checkpoints.
//
//	records keygen --out keys/records          make the service's ed25519 key pair
//	records serve --key keys/records.key ...   serve the HTTP API (SQLite by default)
//	records purge --installation ID --before T remove old receipts, leave a signed anchor
//	records export --installation ID --out DIR an installation's (or a period's) records and a signed manifest
//	records bench                              the load generator: receipts/s and latency
//	records upload --url URL FILE...           upload receipt files as hosts do, keep the checkpoints
//
// The API and the storage are described in package records and in the
// README ("The consent-record service").
//
// Exit status: 0 on success, 1 when the command failed (a database that
// cannot be opened, a refused batch in bench), 2 on wrong usage.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/records"
	"github.com/jitconsent/jitconsent/records/postgres"
	"github.com/jitconsent/jitconsent/records/sqlite"
	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs records with args and returns its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:           "records",
		Short:         "The consent-record service: receipt chains in, signed checkpoints out",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCmd(), keygenCmd(), purgeCmd(), exportCmd(), benchCmd(), uploadCmd())
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	code, err := cli.Status(err)
	fmt.Fprintln(stderr, "records:", err)
	return code
}

// dbFlags name the database.
type dbFlags struct {
	db   string
	sync string
}

func (d *dbFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&d.db, "db", "sqlite:records.db",
		"the database: sqlite:PATH (embedded, the default) or a PostgreSQL DSN (postgres://user@host/db, or key=value)")
	cmd.Flags().StringVar(&d.sync, "sqlite-sync", "full",
		"SQLite only: full syncs every commit to disk (an acknowledged batch survives a power cut), normal only survives the process dying")
}

// open opens the store the flags name.
func (d *dbFlags) open(ctx context.Context) (records.Store, error) {
	return openStore(ctx, d.db, d.sync)
}

func openStore(ctx context.Context, db, sync string) (records.Store, error) {
	switch {
	case strings.HasPrefix(db, "sqlite:"):
		return sqlite.Open(strings.TrimPrefix(db, "sqlite:"), sqlite.Options{Synchronous: sync})
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"), strings.Contains(db, "="):
		return postgres.Open(ctx, db)
	}
	return nil, cli.Usage(fmt.Errorf("--db %q: want sqlite:PATH or a PostgreSQL DSN (postgres://...)", db))
}
