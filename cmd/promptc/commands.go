package main

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/internal/cli"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/spf13/cobra"
)

func lintCmd() *cobra.Command {
	var src sources
	cmd := &cobra.Command{
		Use:     "lint",
		Short:   "Check policy versions and locale files; print each problem as file:line:col: code: key: message",
		Example: "  promptc lint\n  promptc lint --policy prompts/testdata/mini/prompts/mini --locales prompts/testdata/mini/locales",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := src.load()
			if err != nil {
				return cli.Fail(err)
			}
			if probs := prompts.Lint(p); len(probs) > 0 {
				return cli.Fail(probs)
			}
			msgs := 0
			for _, c := range p.Catalogs {
				msgs += len(c.Messages)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: policy %s, %d version(s), %d messages in %d locales\n",
				p.Active().Meta.ID, len(p.Versions), msgs, len(p.Catalogs))
			return nil
		},
	}
	src.flags(cmd)
	return cmd
}

func compileCmd() *cobra.Command {
	var src sources
	var out, key string
	var quiet bool
	cmd := &cobra.Command{
		Use:     "compile",
		Example: "  promptc compile -o dist/bundle.json\n  promptc compile --sign hostsim/testdata/keys/test.key -o dist/bundle-test.json -q",
		Short:   "Lint, render every text for every locale and write the bundle (signed with --sign)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start := time.Now()
			p, err := src.load()
			if err != nil {
				return cli.Fail(err)
			}
			b, err := prompts.Compile(p)
			if err != nil {
				return cli.Fail(err)
			}
			env, err := prompts.Marshal(b)
			if err != nil {
				return err
			}
			if key != "" {
				priv, err := prompts.ReadPrivateKey(key)
				if err != nil {
					return cli.Fail(err)
				}
				if env, err = bundle.Sign(env, priv); err != nil {
					return err
				}
			}
			elapsed := time.Since(start)
			if err := writeFile(out, env); err != nil {
				return err
			}
			if !quiet {
				prompts.WriteSummary(cmd.OutOrStdout(), b, env)
				fmt.Fprintf(cmd.OutOrStdout(), "\nwrote %s in %s\n", out, elapsed.Round(time.Millisecond))
			}
			return nil
		},
	}
	src.flags(cmd)
	cmd.Flags().StringVarP(&out, "out", "o", "dist/bundle.json", "where to write the bundle")
	cmd.Flags().StringVar(&key, "sign", "", "sign with this ed25519 private key (PEM)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	return cmd
}

func diffCmd() *cobra.Command {
	var locales []string
	var locale string
	cmd := &cobra.Command{
		Use:     "diff OLD.toml NEW.toml",
		Example: "  promptc diff prompts/msxf/2022-03-29.toml prompts/testdata/revision/msxf/2023-09-01.toml \\\n      --locales locales --locales prompts/testdata/revision/locales --locale en",
		Short:   "Show what changed between two policy versions and whether the change is major",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := prompts.Load(args, locales)
			if err != nil {
				return cli.Fail(err)
			}
			if len(p.Versions) != 2 {
				return cli.Fail(errors.New("diff needs two versions"))
			}
			old, new := p.Versions[0], p.Versions[1]
			changes := prompts.Diff(old, new)
			w := cmd.OutOrStdout()
			fmt.Fprint(w, prompts.FormatDiff(old, new, changes))
			if probs := prompts.Lint(p); len(probs) > 0 {
				return cli.Fail(probs)
			}
			b, err := prompts.Compile(p)
			if err != nil {
				return cli.Fail(err)
			}
			for _, loc := range b.Policy.Locales {
				if locale == "" || loc == locale {
					prompts.WriteUpdatePopup(w, b, loc)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&locales, "locales", []string{"locales"}, "message file or folder (repeatable)")
	cmd.Flags().StringVar(&locale, "locale", "", "show the user's lines in this locale only")
	return cmd
}

func freezeCmd() *cobra.Command {
	var src sources
	var version string
	cmd := &cobra.Command{
		Use:     "freeze --version VERSION",
		Example: "  promptc freeze --version 2022-03-29\n  promptc freeze --policy prompts/msxf --version 2022-03-29",
		Short:   "Publish a version: write <version>.lock, the digest of every text it renders in every locale",
		Long: "Publish a version: write prompts/<policy>/<version>.lock beside its file, the SHA-256 of every\n" +
			"text the version renders in every locale. From then on lint rejects any change to those texts\n" +
			"(frozen_text): the fix is a new version. A version already frozen is left as it is.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := src.load()
			if err != nil {
				return cli.Fail(err)
			}
			l, err := prompts.Freeze(p, version)
			if err != nil {
				return cli.Fail(err)
			}
			data, err := l.Marshal()
			if err != nil {
				return err
			}
			if old, err := os.ReadFile(l.File()); err == nil {
				if bytes.Equal(old, data) {
					fmt.Fprintf(cmd.OutOrStdout(), "%s is frozen already: %s\n", version, l.File())
					return nil
				}
				return cli.Fail(fmt.Errorf("%s: version %s is frozen with other texts; a published version never changes: make a new version", l.File(), version))
			}
			if err := writeFile(l.File(), data); err != nil {
				return err
			}
			n := 0
			for _, texts := range l.Texts {
				n += len(texts)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "froze %s %s: %d texts in %d locales in %s\n", l.Policy, version, n, len(l.Texts), l.File())
			return nil
		},
	}
	src.flags(cmd)
	cmd.Flags().StringVar(&version, "version", "", "the version to freeze")
	_ = cmd.MarkFlagRequired("version")
	return cmd
}

func keygenCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:     "keygen --out PREFIX",
		Example: "  promptc keygen --out dist/keys/dev     # dist/keys/dev.key and dist/keys/dev.pub",
		Short:   "Make an ed25519 key pair: PREFIX.key (private, keep it secret) and PREFIX.pub",
		Args:    cobra.NoArgs,
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

func signCmd() *cobra.Command {
	var key, out string
	cmd := &cobra.Command{
		Use:     "sign --key KEY BUNDLE",
		Example: "  promptc sign --key dist/keys/dev.key dist/bundle.json\n  promptc sign --key dist/keys/dev.key -o dist/bundle-signed.json dist/bundle.json",
		Short:   "Add an ed25519 signature to a bundle",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			priv, err := prompts.ReadPrivateKey(key)
			if err != nil {
				return cli.Fail(err)
			}
			env, err := os.ReadFile(args[0])
			if err != nil {
				return cli.Fail(err)
			}
			signed, err := bundle.Sign(env, priv)
			if err != nil {
				return cli.Fail(err)
			}
			if out == "" {
				out = args[0]
			}
			if err := writeFile(out, signed); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "signed %s with key %s\n", out, bundle.KeyID(priv.Public().(ed25519.PublicKey)))
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "ed25519 private key (PEM)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "where to write the signed bundle (default: in place)")
	_ = cmd.MarkFlagRequired("key")
	return cmd
}

func verifyCmd() *cobra.Command {
	var pubs []string
	cmd := &cobra.Command{
		Use:     "verify --pub PUB BUNDLE",
		Example: "  promptc verify --pub dist/keys/dev.pub dist/bundle.json\n  promptc verify --pub keys/release.pub --pub hostsim/testdata/keys/test.pub dist/bundle-test.json",
		Short:   "Check a bundle's hash and that a trusted key signed it",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var keys []ed25519.PublicKey
			for _, p := range pubs {
				k, err := prompts.ReadPublicKey(p)
				if err != nil {
					return cli.Fail(err)
				}
				keys = append(keys, k)
			}
			env, err := os.ReadFile(args[0])
			if err != nil {
				return cli.Fail(err)
			}
			b, err := bundle.Open(env, keys)
			if err != nil {
				return cli.Fail(fmt.Errorf("%s: %w", args[0], err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %s is policy %s version %s, %s\n", args[0], b.Policy.ID, b.Policy.Version, bundle.Hash(mustPayload(env)))
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&pubs, "pub", nil, "trusted ed25519 public key (PEM, repeatable)")
	_ = cmd.MarkFlagRequired("pub")
	return cmd
}

func mustPayload(env []byte) []byte {
	p, _ := bundle.Payload(env)
	return p
}

func exportCmd() *cobra.Command {
	var src sources
	var out string
	var abilities []string
	cmd := &cobra.Command{
		Use:     "export",
		Example: "  promptc export --harmonyos-ability EntryAbility -o dist/platform",
		Short:   "Write the platform declarations that must agree with the policy (manifest, Info.plist, module.json5, app.json)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := src.load()
			if err != nil {
				return cli.Fail(err)
			}
			ex, err := prompts.Export(p, prompts.ExportOptions{HarmonyOSAbilities: abilities})
			if err != nil {
				return cli.Fail(err)
			}
			files := ex.Files()
			for _, name := range slices.Sorted(maps.Keys(files)) {
				path := filepath.Join(out, name)
				if err := writeFile(path, []byte(files[name])); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "wrote", path)
			}
			return nil
		},
	}
	src.flags(cmd)
	cmd.Flags().StringVarP(&out, "out", "o", "dist/platform", "folder to write into")
	cmd.Flags().StringArrayVar(&abilities, "harmonyos-ability", nil, "a HarmonyOS ability that uses the permissions (module.json5 usedScene.abilities); repeatable, required when a user_grant permission is exported")
	return cmd
}

func showCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "show BUNDLE",
		Example: "  promptc show dist/bundle.json",
		Short:   "Summarise a compiled bundle (its hash is checked, its signatures are listed, not trusted)",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := os.ReadFile(args[0])
			if err != nil {
				return cli.Fail(err)
			}
			b, err := bundle.OpenUnsigned(env)
			if err != nil {
				return cli.Fail(fmt.Errorf("%s: %w", args[0], err))
			}
			prompts.WriteSummary(cmd.OutOrStdout(), b, env)
			return nil
		},
	}
}

func writeFile(path string, data []byte) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, data, 0o644)
}

func checkCmd() *cobra.Command {
	var src sources
	var android, ios, wechat string
	cmd := &cobra.Command{
		Use:     "check [--android AndroidManifest.xml] [--ios Info.plist] [--wechat app.json]",
		Example: "  promptc check --android dist/platform/android/AndroidManifest.permissions.xml\n  promptc check --ios dist/platform/ios/Info.en.plist --wechat dist/platform/wechat/app.permission.json",
		Short:   "Compare an app build's declarations with the policy: nothing undisclosed, nothing missing",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if android == "" && ios == "" && wechat == "" {
				return errors.New("name at least one of --android, --ios, --wechat")
			}
			p, err := src.load()
			if err != nil {
				return cli.Fail(err)
			}
			if probs := prompts.Lint(p); len(probs) > 0 {
				return cli.Fail(probs)
			}
			checks := []struct {
				path  string
				check func(*prompts.Project, []byte) ([]prompts.Mismatch, error)
			}{
				{android, prompts.CheckAndroidManifest},
				{ios, prompts.CheckInfoPlist},
				{wechat, prompts.CheckWeChatAppJSON},
			}
			var all []prompts.Mismatch
			for _, c := range checks {
				if c.path == "" {
					continue
				}
				data, err := os.ReadFile(c.path)
				if err != nil {
					return cli.Fail(err)
				}
				ms, err := c.check(p, data)
				if err != nil {
					return cli.Fail(fmt.Errorf("%s: %w", c.path, err))
				}
				for _, m := range ms {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", c.path, m)
				}
				all = append(all, ms...)
			}
			if len(all) > 0 {
				return cli.Fail(fmt.Errorf("%d declaration(s) disagree with policy %s %s", len(all), p.Active().Meta.ID, p.Active().Meta.Version))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: the declarations agree with policy %s %s\n", p.Active().Meta.ID, p.Active().Meta.Version)
			return nil
		},
	}
	src.flags(cmd)
	cmd.Flags().StringVar(&android, "android", "", "the app's AndroidManifest.xml")
	cmd.Flags().StringVar(&ios, "ios", "", "the app's Info.plist (XML)")
	cmd.Flags().StringVar(&wechat, "wechat", "", "the mini-program's app.json")
	return cmd
}

func pubkeysCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "pubkeys KEY.pub...",
		Example: "  promptc pubkeys keys/release.pub hostsim/testdata/keys/test.pub",
		Short:   "Print public keys as the wasm module's build takes them: raw base64, comma-separated",
		Long: "Print public keys as the wasm module's build takes them (-ldflags -X main.trustedKeys=...):\n" +
			"the raw 32-byte ed25519 keys in standard base64, separated by commas.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := prompts.TrustedKeys(args...)
			if err != nil {
				return cli.Fail(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), keys)
			return nil
		},
	}
}
