package conformance

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jitconsent/jitconsent/ledger"
)

// The receipts of a case, as CONTRACT.md defines them (version 2): their
// canonical JSON, their hash and id, their numbers and links, and the
// checkpoints and chains a case sends. The runner computes all of it
// itself, sharing no code with the engine.

// receiptMembers are the members a receipt of version 2 may have.
var receiptMembers = []string{
	"answer", "bundle", "hash", "id", "installation", "kind", "locale", "permission", "platform",
	"platform_version", "policy", "prev", "purpose", "scenario", "sensitive", "separate_consent",
	"seq", "step", "text", "time", "time_behind", "v", "version",
}

// receiptRequired are the members every receipt has.
var receiptRequired = []string{"answer", "hash", "id", "kind", "locale", "platform", "policy", "prev", "seq", "time", "v", "version"}

// canonical returns a JSON value, as encoding/json decodes it with
// UseNumber, in the canonical form of RFC 8785, written by package ledger
// (the verifier's implementation, tested against the RFC's vectors), which
// shares no code with the engine's writer. A value RFC 8785 cannot write
// (a lone surrogate, a number out of range) gives nil, which equals no
// receipt's bytes and hashes to no receipt's hash.
func canonical(v any) []byte {
	b, err := ledger.Canonical(v)
	if err != nil {
		return nil
	}
	return b
}

// decodeObject decodes a JSON object keeping its numbers as written.
func decodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not an object")
	}
	return m, nil
}

// receiptHash is the SHA-256 (hex) of a receipt's canonical JSON without
// "hash" and "id".
func receiptHash(m map[string]any) string {
	body := make(map[string]any, len(m))
	for k, v := range m {
		if k != "hash" && k != "id" {
			body[k] = v
		}
	}
	sum := sha256.Sum256(canonical(body))
	return hex.EncodeToString(sum[:])
}

// receiptID is the id CONTRACT.md derives from a receipt's hash: an RFC
// 9562 UUID version 8 of its first 16 bytes ("" for a malformed hash).
func receiptID(hash string) string {
	id, _ := ledger.IDFromHash(hash)
	return id
}

// chainCheck follows the receipts of a case: each is in canonical form,
// hashes to its "hash", has the id its hash gives, and follows the head
// of the state the request sent: the next number, its hash as "prev", and
// "time_behind" exactly when its time is earlier. A chain starts afresh
// (number 1, "prev" "") only where no state was sent or the engine did
// not use it (a STATE trace entry), and follows a checkpoint's head where
// the request sent one.
type chainCheck struct {
	seq     int64
	hash    string
	time    string // "" if the head's time is not known
	restart bool   // the next receipt may start a chain afresh
	cp      *checkpointHead
	sn      *sent
	// screens are, per step played, the text hash of each of its
	// response's actions (screenText).
	screens [][]string
}

type checkpointHead struct {
	seq  int64
	hash string
}

// sent takes what a step's request carried: the head of the state it
// sent and its checkpoint.
func (c *chainCheck) sent(sn *sent) {
	c.sn = sn
	if sn.raw {
		return
	}
	c.seq, c.hash, c.time, c.restart, c.cp = 0, "", "", sn.state == nil, nil
	if sn.state != nil {
		var st struct {
			Last *string `json:"last"`
			Head *struct {
				Seq  int64  `json:"seq"`
				Hash string `json:"hash"`
				Time string `json:"time"`
			} `json:"head"`
		}
		if json.Unmarshal(sn.state, &st) == nil {
			switch {
			case st.Head != nil:
				c.seq, c.hash, c.time = st.Head.Seq, st.Head.Hash, st.Head.Time
			case st.Last != nil:
				c.hash = *st.Last
			}
		}
	}
	if sn.checkpoint != nil {
		var cp struct {
			Seq  int64  `json:"seq"`
			Head string `json:"head"`
		}
		if json.Unmarshal(sn.checkpoint, &cp) == nil {
			c.cp = &checkpointHead{cp.Seq, cp.Head}
		}
	}
}

// add checks one receipt and returns its summary.
func (c *chainCheck) add(raw json.RawMessage) (string, error) {
	m, err := decodeObject(raw)
	if err != nil {
		return "", err
	}
	s := func(k string) string { v, _ := m[k].(string); return v }
	// <kind> [<permission> | <sensitive>/<purpose>] <answer> [separate <sensitive>/<purpose>]
	sum := s("kind") + " "
	switch {
	case s("permission") != "":
		sum += s("permission") + " " + s("answer") + separate(s)
	case s("sensitive") != "" || s("purpose") != "":
		sum += consent(s) + " " + s("answer")
	default:
		sum += s("answer")
	}
	fail := func(format string, args ...any) (string, error) {
		return sum, fmt.Errorf(sum+": "+format, args...)
	}
	// What holds always: a receipt of a separate consent says so, and an
	// answer given in a step names the step.
	if sep := s("sensitive") != "" || s("purpose") != ""; sep != (m["separate_consent"] == true) {
		return fail("separate_consent is %v while sensitive/purpose is %q", m["separate_consent"], consent(s))
	}
	if k := s("kind"); (k == "rationale" || k == "permission" || k == "consent") && (s("scenario") == "" || s("step") == "") {
		return fail("a %s receipt names no scenario and step", k)
	}
	for k := range m {
		if !slices.Contains(receiptMembers, k) {
			return fail("unknown member %q", k)
		}
	}
	for _, k := range receiptRequired {
		if _, ok := m[k]; !ok {
			return fail("no member %q", k)
		}
	}
	if v, _ := m["v"].(json.Number); v != "2" {
		return fail("v is %v, not 2", m["v"])
	}
	if got := canonical(m); !bytes.Equal(got, raw) {
		return fail("not in canonical form:\n\tgot  %s\n\twant %s", raw, got)
	}
	hash := s("hash")
	if want := receiptHash(m); hash != want {
		return fail("hash %s does not match its content (%s)", hash, want)
	}
	if id := receiptID(hash); s("id") != id {
		return fail("id %s is not the one its hash gives, %s", s("id"), id)
	}
	seq, err := strconv.ParseInt(string(m["seq"].(json.Number)), 10, 64)
	if err != nil {
		return fail("seq %v is not an integer", m["seq"])
	}
	prev := s("prev")
	follows := prev == c.hash && seq == c.seq+1
	switch {
	case follows:
	case c.cp != nil && prev == c.cp.hash && seq == c.cp.seq+1:
		c.time = ""
	case c.restart && prev == "" && seq == 1:
		c.time = ""
	default:
		return fail("seq %d, prev %q: it follows neither the head sent (seq %d, %q), nor a checkpoint, nor starts a chain where the state was not used", seq, prev, c.seq, c.hash)
	}
	behind := false
	if c.time != "" {
		t, err1 := time.Parse(time.RFC3339Nano, s("time"))
		p, err2 := time.Parse(time.RFC3339Nano, c.time)
		if err1 != nil || err2 != nil {
			return fail("time %q or the one before, %q, is not RFC 3339", s("time"), c.time)
		}
		behind = t.Before(p)
	}
	if got, _ := m["time_behind"].(bool); got != behind || (m["time_behind"] != nil && !got) {
		return fail("time_behind is %v, want it %s (time %s, the one before %q)", m["time_behind"], map[bool]string{true: "true", false: "absent"}[behind], s("time"), c.time)
	}
	if sn := c.sn; sn != nil {
		if s("installation") != sn.installation || (sn.installation == "" && m["installation"] != nil) {
			return fail("installation %v, the request's %q", m["installation"], sn.installation)
		}
		if s("platform") != sn.device.Platform || s("platform_version") != sn.device.Version || (sn.device.Version == "" && m["platform_version"] != nil) {
			return fail("platform %v %v, the request's %s %q", m["platform"], m["platform_version"], sn.device.Platform, sn.device.Version)
		}
		if sn.hash != "" && s("bundle") != sn.hash {
			return fail("bundle %v, not the active bundle's %s", m["bundle"], sn.hash)
		}
	}
	c.seq, c.hash, c.time, c.restart = seq, hash, s("time"), false
	return sum, nil
}

// ServiceKeyFile is the test service key, relative to the repository
// root: its private half signs the checkpoints cases send, and the test
// module (make wasm-test) and the native engine of the tests trust its
// public half (service.pub beside it).
const ServiceKeyFile = "hostsim/testdata/keys/service.key"

// ServicePubFile is the test service key's public half, relative to the
// repository root.
const ServicePubFile = "hostsim/testdata/keys/service.pub"

var serviceKey = sync.OnceValues(func() (ed25519.PrivateKey, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, ServiceKeyFile))
		if err == nil {
			return ParsePrivateKey(data)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, errors.New(ServiceKeyFile + " not found at or above the working directory")
		}
		dir = parent
	}
})

// ReadServiceKey returns the test service key (ServiceKeyFile), read from
// the repository that holds the working directory.
func ReadServiceKey() (ed25519.PrivateKey, error) { return serviceKey() }

// SignCheckpoint returns the canonical JSON of a checkpoint of an
// installation's head (its number and hash) at a time, signed by key.
func SignCheckpoint(key ed25519.PrivateKey, installation string, seq int64, head, at string) []byte {
	m := map[string]any{"head": head, "installation": installation, "key": keyID(key.Public().(ed25519.PublicKey)),
		"seq": json.Number(strconv.FormatInt(seq, 10)), "time": at, "v": json.Number("1")}
	m["sig"] = base64.StdEncoding.EncodeToString(ed25519.Sign(key, canonical(m)))
	return canonical(m)
}

// ParsePrivateKey reads a PEM ed25519 private key (PKCS #8).
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("not an ed25519 key")
	}
	return priv, nil
}

// keyID names a public key as engine/bundle's KeyID does: the first 8
// bytes of its SHA-256, in hex.
func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// checkpoint makes the checkpoint a step sends (CONTRACT.md): of the head
// of the state the runner carries, for the installation, at now, signed
// by the test service key; an object spec changes members first.
func (rt Runtime) checkpoint(spec json.RawMessage, state []byte, installation, now string) ([]byte, error) {
	m := map[string]any{"installation": installation, "time": now, "v": json.Number("1")}
	var st struct {
		Head *struct {
			Seq  int64  `json:"seq"`
			Hash string `json:"hash"`
		} `json:"head"`
	}
	if state != nil && json.Unmarshal(state, &st) == nil && st.Head != nil {
		m["seq"], m["head"] = json.Number(strconv.FormatInt(st.Head.Seq, 10)), st.Head.Hash
	}
	var changes map[string]any
	if string(spec) != `"head"` {
		var err error
		if changes, err = decodeObject(spec); err != nil {
			return nil, fmt.Errorf(`want "head", "none" or an object: %v`, err)
		}
	} else if st.Head == nil {
		return nil, errors.New("the state the runner carries has no head")
	}
	key := rt.ServiceKey
	if key == nil {
		var err error
		if key, err = serviceKey(); err != nil {
			return nil, err
		}
	}
	m["key"] = keyID(key.Public().(ed25519.PublicKey))
	for k, v := range changes {
		if k != "sig" {
			m[k] = v
		}
	}
	if sig, ok := changes["sig"]; ok {
		m["sig"] = sig
	} else {
		m["sig"] = base64.StdEncoding.EncodeToString(ed25519.Sign(key, canonical(m)))
	}
	return canonical(m), nil
}

// receiptsOp makes the receipts a step sends from the chain so far.
func receiptsOp(spec json.RawMessage, chain []json.RawMessage) ([]byte, error) {
	t := bytes.TrimSpace(spec)
	switch {
	case string(t) == `"chain"`:
		return joinRaw(chain), nil
	case len(t) > 0 && t[0] == '[':
		var b bytes.Buffer
		if err := json.Compact(&b, t); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	var op struct {
		Take   int                       `json:"take"`
		Set    map[string]map[string]any `json:"set"`
		Rehash bool                      `json:"rehash"`
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&op); err != nil {
		return nil, fmt.Errorf(`want "chain", an array or {"take", "set", "rehash"}: %v`, err)
	}
	n := len(chain)
	if op.Take > 0 {
		if op.Take > n {
			return nil, fmt.Errorf("take %d of a chain of %d", op.Take, n)
		}
		n = op.Take
	}
	out := make([]json.RawMessage, n)
	prev := ""
	for i := range n {
		m, err := decodeObject(chain[i])
		if err != nil {
			return nil, err
		}
		changed := false
		for k, v := range op.Set[strconv.Itoa(i)] {
			m[k], changed = v, true
		}
		if op.Rehash && (changed || (i > 0 && m["prev"] != prev)) {
			if i > 0 {
				m["prev"] = prev
			}
			m["hash"] = receiptHash(m)
			m["id"] = receiptID(m["hash"].(string))
		}
		prev, _ = m["hash"].(string)
		out[i] = canonical(m)
	}
	for k := range op.Set {
		if i, err := strconv.Atoi(k); err != nil || i < 0 || i >= n {
			return nil, fmt.Errorf("set %q: no such receipt", k)
		}
	}
	return joinRaw(out), nil
}

func joinRaw(items []json.RawMessage) []byte {
	b := []byte{'['}
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it...)
	}
	return append(b, ']')
}

// checkExtras checks a step's checkpoint and receipts operations.
func checkExtras(s *Step, i int) error {
	if s.Checkpoint != nil {
		t := bytes.TrimSpace(s.Checkpoint)
		var n int
		_, err := fmt.Sscanf(string(t), `"step:%d"`, &n)
		if string(t) != `"head"` && string(t) != `"none"` && (len(t) == 0 || t[0] != '{') && err != nil {
			return fmt.Errorf(`checkpoint is %s: want "head", "step:N", "none" or an object`, t)
		}
	}
	if s.Receipts != nil {
		if _, err := receiptsOp(s.Receipts, nil); err != nil && !strings.Contains(err.Error(), "take") && !strings.Contains(err.Error(), "no such receipt") {
			return fmt.Errorf("receipts: %w", err)
		}
	}
	return nil
}

// screenText is the SHA-256, in hex, of the texts an action shows as
// CONTRACT.md's receipts define it, each followed by a newline: a policy
// popup's title, body, lines of change, links (title and URL) and
// buttons; a rationale's or consent screen's title, body, consequence and
// buttons. It is "" for any other action.
func screenText(a map[string]any) string {
	s := func(k string) string { v, _ := a[k].(string); return v }
	var texts []string
	switch s("type") {
	case "show_policy":
		texts = append(texts, s("title"), s("body"))
		changes, _ := a["changes"].([]any)
		for _, c := range changes {
			v, _ := c.(string)
			texts = append(texts, v)
		}
		links, _ := a["links"].([]any)
		for _, l := range links {
			m, _ := l.(map[string]any)
			t, _ := m["title"].(string)
			u, _ := m["url"].(string)
			texts = append(texts, t, u)
		}
		texts = append(texts, s("accept"), s("decline"))
	case "show_rationale", "show_consent":
		texts = []string{s("title"), s("body"), s("consequence"), s("accept"), s("decline")}
	default:
		return ""
	}
	var b strings.Builder
	for _, t := range texts {
		b.WriteString(t)
		b.WriteByte('\n')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// checkMembers checks a receipt's members against what a step expects of
// them: equal JSON values, or absent where null is expected.
func checkMembers(raw json.RawMessage, want map[string]json.RawMessage) []string {
	m, err := decodeObject(raw)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := bytes.TrimSpace(want[k])
		v, has := m[k]
		if string(w) == "null" {
			if has {
				out = append(out, fmt.Sprintf("%s is %s, want it absent", k, canonical(v)))
			}
			continue
		}
		wv, err := decodeValue(w)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", k, err))
			continue
		}
		if !has {
			out = append(out, fmt.Sprintf("%s is absent, want %s", k, w))
		} else if got, exp := canonical(v), canonical(wv); !bytes.Equal(got, exp) {
			out = append(out, fmt.Sprintf("%s is %s, want %s", k, got, exp))
		}
	}
	return out
}

func decodeValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
