package fuzz

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jitconsent/jitconsent/hostsim"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// Shrink replays a journey that broke a rule in this process (the module
// with Config.Timeout as its call deadline, or the native engine), shrinks
// it to the fewest user actions that still break the rule, and writes it
// to Config.Out as a journey file, whose name it returns.
func Shrink(ctx context.Context, cfg Config, o Outcome) (string, error) {
	e, err := hostsim.Open(ctx, cfg.engines(false, cfg.Timeout))
	if err != nil {
		return "", err
	}
	defer e.Close(ctx)
	w := e.NewWorker()
	defer w.Close(ctx)
	steps, perms, consents := policyNames(e.Bundle)
	c := Generate(cfg.Seed+uint64(o.I), steps, perms, consents)
	play := func(ops []sim.Op, user sim.User) *sim.Transcript {
		dev := device.New(c.Profile)
		run, _ := w.Journey(ctx, dev)
		return sim.Run(run, dev, user, c.Locale, ops)
	}
	rec := c.NewUser()
	if !slices.ContainsFunc(check.Check(e.Policy, play(c.Ops, rec)), func(f check.Fault) bool { return f.Rule == o.Rule }) {
		return "", fmt.Errorf("seed %d broke %s in its worker but not when run again here", c.Seed, o.Rule)
	}
	script := rec.Script()
	ops := shrinkOps(c.Ops, o.Rule, func(ops []sim.Op) []string {
		user := *script
		var rules []string
		for _, f := range check.Check(e.Policy, play(ops, &user)) {
			rules = append(rules, f.Rule)
		}
		return rules
	})
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return "", err
	}
	file := filepath.Join(cfg.Out, fmt.Sprintf("seed-%d.toml", c.Seed))
	return file, os.WriteFile(file, []byte(TOML(&c, ops, script, o.Rule)), 0o644)
}

// shrinkOps removes ops while the run still fails with the same rule, and
// returns the smallest op list it found. fails replays ops with a fresh
// scripted user and reports the rules broken.
func shrinkOps(ops []sim.Op, rule string, fails func(ops []sim.Op) []string) []sim.Op {
	has := func(rules []string) bool {
		for _, r := range rules {
			if r == rule {
				return true
			}
		}
		return false
	}
	for changed := true; changed; {
		changed = false
		for i := len(ops) - 1; i >= 0; i-- {
			try := append(append([]sim.Op(nil), ops[:i]...), ops[i+1:]...)
			if len(try) > 0 && has(fails(try)) {
				ops, changed = try, true
			}
		}
	}
	return ops
}

// TOML writes a journey file that replays a case with a recorded user.
func TOML(c *Case, ops []sim.Op, user *sim.Scripted, rule string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name = %q\n", fmt.Sprintf("fuzz seed %d: %s", c.Seed, rule))
	fmt.Fprintf(&b, "description = %q\n", "A journey hostsim fuzz found to break "+rule+", shrunk. It fails until the engine is fixed.")
	fmt.Fprintf(&b, "devices = [%q]\nlocale = %q\n\n[user]\n", c.Profile.Name, c.Locale)
	list := func(name string, n int, item func(int) string) {
		if n == 0 {
			return
		}
		var parts []string
		for i := 0; i < n; i++ {
			parts = append(parts, item(i))
		}
		fmt.Fprintf(&b, "%s = [%s]\n", name, strings.Join(parts, ", "))
	}
	list("policy", len(user.Policies), func(i int) string { return fmt.Sprint(user.Policies[i]) })
	list("rationale", len(user.Rationales), func(i int) string { return fmt.Sprint(user.Rationales[i]) })
	list("consent", len(user.Consents), func(i int) string { return fmt.Sprint(user.Consents[i]) })
	list("dialog", len(user.Dialogs), func(i int) string { return fmt.Sprintf("%q", user.Dialogs[i]) })
	list("settings", len(user.Switches), func(i int) string { return fmt.Sprint(user.Switches[i]) })
	for _, op := range ops {
		fmt.Fprintf(&b, "\n[[do]]\ndo = %q\n", op.Kind)
		if op.Scenario != "" {
			fmt.Fprintf(&b, "scenario = %q\nstep = %q\n", op.Scenario, op.Step)
		}
		if op.Permission != "" {
			fmt.Fprintf(&b, "permission = %q\n", op.Permission)
		}
		if op.Sensitive != "" || op.Purpose != "" {
			fmt.Fprintf(&b, "sensitive = %q\npurpose = %q\n", op.Sensitive, op.Purpose)
		}
		if op.Kind == sim.OpClock {
			fmt.Fprintf(&b, "offset = %q\n", op.Offset.String())
		}
		if op.Kind == sim.OpWait {
			fmt.Fprintf(&b, "for = %q\n", op.Wait.String())
		}
		if op.Kind == sim.OpSettings {
			fmt.Fprintf(&b, "on = %v\n", op.On)
		}
		if op.Version != "" {
			fmt.Fprintf(&b, "version = %q\n", op.Version)
		}
		if op.Bundle != "" {
			fmt.Fprintf(&b, "bundle = %q\n", op.Bundle)
		}
		if op.While != "" {
			fmt.Fprintf(&b, "while = %q\n", op.While)
		}
	}
	return b.String()
}
