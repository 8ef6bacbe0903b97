package check

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// receiptHashes checks a receipt's hash against its content (the SHA-256
// of its JSON without the hash member, CONTRACT.md) and returns it with
// the receipt's "prev".
func receiptHashes(raw json.RawMessage) (hash, prev string, err error) {
	var r struct {
		Hash string `json:"hash"`
		Prev string `json:"prev"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", "", err
	}
	i := bytes.LastIndex(raw, []byte(`,"hash":"`))
	if i < 0 || len(r.Hash) != 64 {
		return "", "", errors.New("a receipt without its hash")
	}
	sum := sha256.Sum256(append(bytes.Clone(raw[:i]), '}'))
	if hex.EncodeToString(sum[:]) != r.Hash {
		return "", "", errors.New("a receipt whose hash does not match its content")
	}
	return r.Hash, r.Prev, nil
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
