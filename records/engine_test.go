package records_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
	"github.com/jitconsent/jitconsent/records"
	"github.com/jitconsent/jitconsent/records/sqlite"
)

// TestEngineAndService plays the engine, the service and the engine again,
// as a host does, with no test code of either in between: the engine's
// receipts are accepted by the service as they are; its checkpoint, signed
// by package ledger's code, verifies in the engine; a state from before a
// withdrawal, replayed with the newer checkpoint, is not used; and the
// chain the service holds restores the state the engine made.
func TestEngineAndService(t *testing.T) {
	ctx := context.Background()
	c := prompttest.Must(t)
	payload, err := bundle.Payload(c.Envelopes["reference"])
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	e, err := engine.NewWith(c.Bundles["reference"], engine.Options{
		BundleHash:  bundle.Hash(payload),
		ServiceKeys: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)},
	})
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "records.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc, err := records.New(records.Config{Store: store, Signer: records.NewSigner(key),
		AppTokens: []string{strings.Repeat("a", 16)}, OperatorTokens: []string{strings.Repeat("o", 16)}})
	if err != nil {
		t.Fatal(err)
	}

	const inst = "inst-e2e-0001"
	type response struct {
		Actions []struct {
			Type string `json:"type"`
		} `json:"actions"`
		State    json.RawMessage   `json:"state"`
		Receipts []json.RawMessage `json:"receipts"`
		Error    *struct {
			Code, Field, Message string
		} `json:"error"`
		Trace []struct{ Rule, Detail string } `json:"trace"`
	}
	decide := func(state, checkpoint json.RawMessage, event string, osCamera string, extra string) response {
		t.Helper()
		req := `{"now":"2026-03-01T10:00:00+08:00","locale":"zh-CN","device":{"platform":"android","version":"33"},` +
			`"os":{"camera":"` + osCamera + `"},"installation":"` + inst + `"`
		if len(state) > 0 {
			req += `,"state":` + string(state)
		}
		if len(checkpoint) > 0 {
			req += `,"checkpoint":` + string(checkpoint)
		}
		req += extra + `,"event":` + event + `}`
		var r response
		if err := json.Unmarshal(e.Decide(nil, []byte(req)), &r); err != nil {
			t.Fatal(err)
		}
		if r.Error != nil {
			t.Fatalf("%s: %s: %s: %s", event, r.Error.Code, r.Error.Field, r.Error.Message)
		}
		return r
	}
	var pending []json.RawMessage
	var state json.RawMessage
	step := func(cp json.RawMessage, event, camera string) response {
		r := decide(state, cp, event, camera, "")
		state = r.State
		pending = append(pending, r.Receipts...)
		return r
	}
	upload := func() json.RawMessage {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"receipts": pending})
		cp, _, err := svc.Upload(ctx, inst, body)
		if err != nil {
			t.Fatalf("the service refuses the engine's receipts: %v", err)
		}
		pending = nil
		out, _ := json.Marshal(cp)
		return out
	}
	first := func(r response) string {
		if len(r.Actions) == 0 {
			return ""
		}
		return r.Actions[0].Type
	}

	step(nil, `{"type":"launch"}`, "not_determined")
	step(nil, `{"type":"policy_answer","accepted":true}`, "not_determined")
	step(nil, `{"type":"enter","scenario":"loan_apply","step":"id_verify"}`, "not_determined")
	step(nil, `{"type":"rationale_answer","permission":"camera","accepted":true}`, "not_determined")
	step(nil, `{"type":"permission_result","permission":"camera","result":"granted"}`, "granted")
	cp1 := upload()
	if r := step(cp1, `{"type":"enter","scenario":"loan_apply","step":"id_verify"}`, "granted"); first(r) != "proceed" {
		t.Fatalf("with the service's checkpoint of its own state, the step does not proceed: %+v", r.Actions)
	}
	granted := state

	step(cp1, `{"type":"withdraw","permission":"camera"}`, "granted")
	cp2 := upload()

	// The state from before the withdrawal, replayed with the newer
	// checkpoint, is not used: the camera is not granted without a new
	// rationale.
	r := decide(granted, cp2, `{"type":"enter","scenario":"loan_apply","step":"id_verify"}`, "granted", "")
	if first(r) == "proceed" {
		t.Fatal("a state replayed from before the withdrawal is used despite the newer checkpoint")
	}
	stale := false
	for _, tr := range r.Trace {
		stale = stale || tr.Rule == "STATE"
	}
	if !stale {
		t.Errorf("no STATE trace says why the replayed state is not used: %+v", r.Trace)
	}

	// The chain the service holds restores the lasting part of the state:
	// policy accepted, camera withdrawn.
	chain, err := store.Chain(ctx, inst, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	rcpts := make([]json.RawMessage, len(chain))
	for i := range chain {
		rcpts[i] = json.RawMessage(chain[i].JSON)
	}
	all, _ := json.Marshal(rcpts)
	restored := decide(nil, cp2, `{"type":"restore"}`, "granted", `,"receipts":`+string(all))
	r = decide(restored.State, cp2, `{"type":"enter","scenario":"loan_apply","step":"id_verify"}`, "granted", "")
	if first(r) != "show_rationale" {
		t.Errorf("after restoring from the service, the withdrawn camera is not explained again: %+v", r.Actions)
	}
}
