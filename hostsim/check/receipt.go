package check

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/ledger"
)

// receiptHashes checks a receipt (CONTRACT.md, version 2) against its
// content: its hash is the SHA-256 of its canonical JSON (RFC 8785)
// without "hash" and "id", and its id the UUID version 8 of the hash's
// first 16 bytes. It returns the hash with the receipt's "prev" and
// "seq". The canonical form is computed from the parsed receipt by package
// ledger (the verifier's RFC 8785 implementation), sharing nothing with the
// engine's writer.
func receiptHashes(raw json.RawMessage) (hash, prev string, seq int64, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return "", "", 0, err
	}
	hash, _ = m["hash"].(string)
	prev, _ = m["prev"].(string)
	id, _ := m["id"].(string)
	n, _ := m["seq"].(json.Number)
	if len(hash) != 64 || id == "" {
		return "", "", 0, errors.New("a receipt without its hash or id")
	}
	if seq, err = strconv.ParseInt(string(n), 10, 64); err != nil || seq < 1 {
		return "", "", 0, fmt.Errorf("a receipt numbered %q", n)
	}
	delete(m, "hash")
	delete(m, "id")
	body, err := ledger.Canonical(m)
	if err != nil {
		return "", "", 0, fmt.Errorf("a receipt with no canonical form: %v", err)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != hash {
		return "", "", 0, errors.New("a receipt whose hash does not match its content")
	}
	if want, _ := ledger.IDFromHash(hash); id != want {
		return "", "", 0, errors.New("a receipt whose id is not the one its hash gives")
	}
	return hash, prev, seq, nil
}

// textHash is the SHA-256 (hex) of texts shown together, each followed by
// a newline, as a receipt's "text" hashes them (CONTRACT.md, Receipts).
func textHash(texts ...string) string {
	h := sha256.New()
	for _, t := range texts {
		h.Write([]byte(t))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// screenHash is the hash of a rationale or consent screen as the user saw
// it: its title, body, consequence and buttons (a one-button screen's
// decline is "").
func screenHash(a *sim.Action) string {
	return textHash(a.Title, a.Body, a.Consequence, a.Accept, a.Decline)
}

// popupHash is the hash of a policy popup as the user saw it: its title,
// body, lines of change, links (each link's title, then its URL) and
// buttons.
func popupHash(a *sim.Action) string {
	texts := []string{a.Title, a.Body}
	texts = append(texts, a.Changes...)
	for _, l := range a.Links {
		texts = append(texts, l.Title, l.URL)
	}
	return textHash(append(texts, a.Accept, a.Decline)...)
}
