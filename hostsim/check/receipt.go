package check

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
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
