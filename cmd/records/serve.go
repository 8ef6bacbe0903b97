package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/records"
	"github.com/spf13/cobra"
)

// tokenFlags are the tokens a route accepts, given inline or in files.
type tokenFlags struct {
	app, appFiles, op, opFiles []string
}

func (t *tokenFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&t.app, "app-token", nil, "a token accepted for uploads and chains (repeatable; prefer --app-token-file: flags show in ps)")
	cmd.Flags().StringArrayVar(&t.appFiles, "app-token-file", nil, "a file of app tokens, one a line (repeatable)")
	cmd.Flags().StringArrayVar(&t.op, "operator-token", nil, "a token accepted for the operator's routes (repeatable)")
	cmd.Flags().StringArrayVar(&t.opFiles, "operator-token-file", nil, "a file of operator tokens, one a line (repeatable)")
}

func (t *tokenFlags) load() (app, op []string, err error) {
	if app, err = tokens(t.app, t.appFiles); err != nil {
		return nil, nil, err
	}
	if op, err = tokens(t.op, t.opFiles); err != nil {
		return nil, nil, err
	}
	if len(app) == 0 {
		return nil, nil, cli.Usage(errors.New("no app token: give --app-token or --app-token-file"))
	}
	if len(op) == 0 {
		return nil, nil, cli.Usage(errors.New("no operator token: give --operator-token or --operator-token-file"))
	}
	return app, op, nil
}

func tokens(inline, files []string) ([]string, error) {
	out := append([]string(nil), inline...)
	for _, f := range files {
		file, err := os.Open(f)
		if err != nil {
			return nil, cli.Fail(err)
		}
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
				out = append(out, line)
			}
		}
		file.Close()
		if err := sc.Err(); err != nil {
			return nil, cli.Fail(fmt.Errorf("%s: %w", f, err))
		}
	}
	for _, t := range out {
		if len(t) < 16 {
			return nil, cli.Usage(fmt.Errorf("a token of %d characters: tokens need at least 16", len(t)))
		}
	}
	return out, nil
}

// keyFlags name the service's signing key and older public keys.
type keyFlags struct {
	key  string
	pubs []string
}

func (k *keyFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&k.key, "key", "", "the service's ed25519 private key (PEM, from records keygen)")
	cmd.Flags().StringArrayVar(&k.pubs, "pub", nil, "an older public key that /v1/keys goes on listing (repeatable)")
	_ = cmd.MarkFlagRequired("key")
}

func (k *keyFlags) signer() (*records.Signer, error) {
	priv, err := prompts.ReadPrivateKey(k.key)
	if err != nil {
		return nil, cli.Fail(err)
	}
	var pubs []ed25519.PublicKey
	for _, p := range k.pubs {
		pub, err := prompts.ReadPublicKey(p)
		if err != nil {
			return nil, cli.Fail(err)
		}
		pubs = append(pubs, pub)
	}
	return records.NewSigner(priv, pubs...), nil
}

func serveCmd() *cobra.Command {
	var db dbFlags
	var toks tokenFlags
	var keys keyFlags
	var addr, cert, key string
	var origins []string
	var bundlePaths, bundlePubs []string
	cmd := &cobra.Command{
		Use:   "serve --key KEY --app-token-file F --operator-token-file F",
		Short: "Serve the consent-record API over HTTP (HTTPS with --tls-cert and --tls-key)",
		Long: "Serve the consent-record API. It prints the address it listens on, then a line per refused or\n" +
			"failed request; SIGINT or SIGTERM stop it after the requests in flight (10 s at most).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (cert == "") != (key == "") {
				return cli.Usage(errors.New("TLS needs both --tls-cert and --tls-key"))
			}
			app, op, err := toks.load()
			if err != nil {
				return err
			}
			signer, err := keys.signer()
			if err != nil {
				return err
			}
			var bundles *ledger.Bundles
			if len(bundlePaths) > 0 {
				var pubs []ed25519.PublicKey
				for _, p := range bundlePubs {
					pub, err := prompts.ReadPublicKey(p)
					if err != nil {
						return cli.Fail(err)
					}
					pubs = append(pubs, pub)
				}
				if bundles, err = ledger.LoadBundles(pubs, bundlePaths...); err != nil {
					return cli.Fail(err)
				}
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			store, err := db.open(ctx)
			if err != nil {
				return cli.Fail(err)
			}
			defer store.Close()
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			svc, err := records.New(records.Config{Store: store, Signer: signer, AppTokens: app, OperatorTokens: op, Logger: log, Bundles: bundles, AllowOrigins: origins})
			if err != nil {
				return cli.Fail(err)
			}
			srv := records.NewServer(addr, svc)
			srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return cli.Fail(err)
			}
			scheme := "http"
			if cert != "" {
				pair, err := tls.LoadX509KeyPair(cert, key)
				if err != nil {
					ln.Close()
					return cli.Fail(err)
				}
				srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
				ln = tls.NewListener(ln, srv.TLSConfig)
				scheme = "https"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "records: serving %s://%s (key %s, %s)\n", scheme, ln.Addr(), signer.KeyID(), describeDB(db.db))
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			select {
			case err := <-done:
				return cli.Fail(err)
			case <-ctx.Done():
			}
			shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(shut); err != nil {
				return cli.Fail(err)
			}
			if err := <-done; !errors.Is(err, http.ErrServerClosed) {
				return cli.Fail(err)
			}
			return nil
		},
	}
	db.add(cmd)
	toks.add(cmd)
	keys.add(cmd)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8417", "where to listen (host:port; :0 picks a free port)")
	cmd.Flags().StringArrayVar(&origins, "allow-origin", nil, "a web origin (https://app.example.com) whose pages may upload from a browser or webview (CORS; repeatable; * for any)")
	cmd.Flags().StringVar(&cert, "tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key)")
	cmd.Flags().StringVar(&key, "tls-key", "", "the certificate's private key (PEM)")
	cmd.Flags().StringArrayVar(&bundlePaths, "bundles", nil, "bundle files or folders the timeline and status check receipt texts against (repeatable)")
	cmd.Flags().StringArrayVar(&bundlePubs, "bundle-pub", nil, "a public key the --bundles must be signed by (repeatable; none: signatures unchecked)")
	return cmd
}

// describeDB names a database without its password.
func describeDB(db string) string {
	if strings.HasPrefix(db, "sqlite:") {
		return "SQLite " + strings.TrimPrefix(db, "sqlite:")
	}
	if i := strings.Index(db, "@"); i > 0 && strings.Contains(db, "://") {
		return "PostgreSQL " + db[i+1:]
	}
	return "PostgreSQL"
}

func keygenCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen --out PREFIX",
		Short: "Make the service's ed25519 key pair: PREFIX.key (private, keep it secret) and PREFIX.pub",
		Long: "Make the service's ed25519 key pair, in the format of promptc keygen. The engine's module trusts\n" +
			"checkpoints signed by it when built with -X main.serviceKeys=$(promptc pubkeys PREFIX.pub).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := prompts.WriteKeyPair(out)
			if err != nil {
				return cli.Fail(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s.key and %s.pub (key id %s)\n", out, out, id)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "path prefix of the key files")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}
