package records

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"

	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/ledger"
)

// Status is an installation's consent status as its chain records it:
// the latest answer to the policy, to each permission's system dialog and
// to each separate consent, withdrawals included. It is a fold of the
// receipts in seq order (StatusOf), the record's own reading; the
// engine's state adds what only the engine keeps (cooldowns, denial
// counts per platform rule).
type Status struct {
	Policy      *Answer           `json:"policy,omitempty"`
	Permissions map[string]Answer `json:"permissions"`
	// Consents are keyed "sensitive/purpose", as "biometrics/identity_check".
	Consents map[string]Answer `json:"consents"`
}

// Answer is the latest answer to one thing and the receipt that records it.
type Answer struct {
	Answer  string `json:"answer"` // accepted, declined, granted, denied..., withdrawn
	Version string `json:"version"`
	Time    string `json:"time"`
	Seq     int64  `json:"seq"`
}

// StatusOf folds a chain (one installation's, in seq order) into its
// status: a policy receipt sets the policy's answer; a dialog result
// (kind permission) the permission's; a consent receipt, or a rationale
// that carries a separate consent, the consent's; a withdrawal marks the
// permission, the consent or (naming neither) the policy withdrawn.
func StatusOf(chain []ledger.Receipt) Status {
	st := Status{Permissions: map[string]Answer{}, Consents: map[string]Answer{}}
	for i := range chain {
		r := &chain[i]
		a := Answer{Answer: r.Answer, Version: r.Version, Time: r.Time, Seq: r.Seq}
		consent := r.Sensitive + "/" + r.Purpose
		switch r.Kind {
		case "policy":
			st.Policy = &a
		case "permission":
			st.Permissions[r.Permission] = a
		case "consent":
			st.Consents[consent] = a
		case "rationale":
			if r.SeparateConsent {
				st.Consents[consent] = a
			}
		case "withdraw":
			switch {
			case r.Permission != "":
				st.Permissions[r.Permission] = a
			case r.Sensitive != "":
				st.Consents[consent] = a
			default:
				st.Policy = &a
			}
		}
	}
	return st
}

// maxView bounds the receipts the status and timeline routes read.
const maxView = 200_000

// view reads an installation's stored chain and anchors as package ledger
// reads them.
func (s *Service) view(ctx context.Context, id string) ([]ledger.Receipt, []ledger.Checkpoint, error) {
	stored, err := s.store.Chain(ctx, id, 0, maxView)
	if err != nil {
		return nil, nil, err
	}
	if len(stored) == 0 {
		return nil, nil, nil
	}
	var jsonl bytes.Buffer
	for _, st := range stored {
		jsonl.Write(st.JSON)
		jsonl.WriteByte('\n')
	}
	chain, err := ledger.Parse(jsonl.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("records: the stored chain of %s does not parse: %w", id, err)
	}
	anchors, err := s.store.Anchors(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var cps []ledger.Checkpoint
	for _, a := range anchors {
		var cp ledger.Checkpoint
		if err := cp.UnmarshalJSON(a); err != nil {
			return nil, nil, fmt.Errorf("records: a stored anchor of %s does not parse: %w", id, err)
		}
		cps = append(cps, cp)
	}
	return chain, cps, nil
}

func (s *Service) timeline(w http.ResponseWriter, r *http.Request) {
	id, ok := s.operatorRoute(w, r, http.MethodGet)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "text" && format != "json" {
		writeError(w, http.StatusBadRequest, &errcode.Error{Code: errcode.BadValue, Field: "format", Message: "format is text or json"}, nil)
		return
	}
	tl, _, ok := s.verified(w, r, id)
	if !ok {
		return
	}
	if format == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		bw := bufio.NewWriter(w)
		tl.WriteText(bw)
		bw.Flush()
		return
	}
	writeJSON(w, http.StatusOK, tl)
}

func (s *Service) status(w http.ResponseWriter, r *http.Request) {
	id, ok := s.operatorRoute(w, r, http.MethodGet)
	if !ok {
		return
	}
	tl, chain, ok := s.verified(w, r, id)
	if !ok {
		return
	}
	head, err := s.store.Head(r.Context(), id)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	out := map[string]any{
		"installation": id,
		"head":         map[string]any{"seq": head.Seq, "hash": head.Hash, "time": head.Time, "accepted": head.Accepted},
		"status":       StatusOf(chain),
		"verified":     tl.Installations[0].InstallationReport,
		"faults":       tl.Faults,
	}
	writeJSON(w, http.StatusOK, out)
}

// verified reads an installation's chain and verifies it (ledger.Verify,
// from its anchor, with the service's keys, and the texts against
// Config.Bundles when given); it answers 404 when nothing is stored.
func (s *Service) verified(w http.ResponseWriter, r *http.Request, id string) (*ledger.Timeline, []ledger.Receipt, bool) {
	chain, anchors, err := s.view(r.Context(), id)
	if err != nil {
		s.failed(w, r, err)
		return nil, nil, false
	}
	if len(chain) == 0 {
		writeError(w, http.StatusNotFound, &errcode.Error{Code: CodeNotFound, Field: "installation",
			Message: fmt.Sprintf("no receipt of installation %q is stored", id)}, nil)
		return nil, nil, false
	}
	opts := ledger.Options{Checkpoints: anchors, ServiceKeys: []ed25519.PublicKey(s.signer.PublicKeys()), Bundles: s.bundles}
	return ledger.NewTimeline(chain, opts), chain, true
}
