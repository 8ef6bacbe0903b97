package ledger

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// FaultCode names what is wrong with a chain. Codes never change meaning;
// docs/RECORDS.md says what each tells an auditor.
type FaultCode string

// The fault codes of Verify.
const (
	// A receipt's own content.
	FaultHash    FaultCode = "bad_hash"    // hash is not the SHA-256 of its content: the receipt was edited
	FaultID      FaultCode = "bad_id"      // id is not the UUID its hash makes
	FaultReceipt FaultCode = "bad_receipt" // members that do not go together (a rationale without a step...)

	// The chain.
	FaultLink   FaultCode = "broken_link"     // prev is not the hash of the receipt before
	FaultGap    FaultCode = "gap"             // a sequence number skipped, or a chain that starts after 1 without an anchor
	FaultRepeat FaultCode = "repeat"          // a sequence number given twice
	FaultOrder  FaultCode = "out_of_order"    // a sequence number lower than the one before
	FaultPolicy FaultCode = "policy_mismatch" // another policy than the installation's first receipt's

	// Times.
	FaultTimeBehind FaultCode = "time_unflagged" // earlier than the receipt before, without time_behind
	FaultTimeFlag   FaultCode = "time_flag"      // time_behind where the time does not go back

	// Texts and bundles (with Options.Bundles).
	FaultText     FaultCode = "bad_text"   // the text hash is no screen the version shows for what the receipt records
	FaultNoBundle FaultCode = "no_bundle"  // no bundle of the receipt's version was given: its text is unchecked
	FaultBundle   FaultCode = "bad_bundle" // the bundle hash names a bundle of another policy, or older than the version

	// Checkpoints and anchors (with Options.Checkpoints).
	FaultTruncated  FaultCode = "truncated"      // the chain ends before a checkpoint's seq: receipts were cut off
	FaultFork       FaultCode = "fork"           // the receipt at a checkpoint's or anchor's seq has another hash
	FaultCheckpoint FaultCode = "bad_checkpoint" // a checkpoint or anchor whose signature does not verify
)

// Fault is one thing wrong with a chain, naming the receipt: its
// installation, sequence number, id and index in the chain given (-1 and
// a zero Seq where no receipt is at fault, such as a checkpoint that does
// not verify).
type Fault struct {
	Code         FaultCode `json:"code"`
	Installation string    `json:"installation"`
	Seq          int64     `json:"seq"`
	ID           string    `json:"id,omitempty"`
	Index        int       `json:"index"`
	Message      string    `json:"message"`
}

func (f Fault) String() string {
	who := "installation " + strconv.Quote(f.Installation)
	if f.Installation == "" {
		who = "receipts without installation"
	}
	if f.Index >= 0 {
		who += " seq " + strconv.FormatInt(f.Seq, 10) + " (receipts[" + strconv.Itoa(f.Index) + "]"
		if f.ID != "" {
			who += ", id " + f.ID
		}
		who += ")"
	} else if f.Seq > 0 {
		who += " seq " + strconv.FormatInt(f.Seq, 10)
	}
	return who + ": " + string(f.Code) + ": " + f.Message
}

// Options are what Verify checks a chain against besides itself.
type Options struct {
	// Bundles, if not nil, are the policy bundles each receipt's text is
	// checked against: the bundle of its policy version must show a
	// screen of what it records whose texts hash to it, in its locale.
	Bundles *Bundles
	// Checkpoints are the service's checkpoints and anchors for the
	// installations of the chain, verified with ServiceKeys.
	Checkpoints []Checkpoint
	ServiceKeys []ed25519.PublicKey
}

// Report is what Verify found.
type Report struct {
	Receipts      int                  `json:"receipts"`
	Installations []InstallationReport `json:"installations"`
	// TextsChecked counts the receipts whose text was found among the
	// screens of their version's bundle (none without Options.Bundles).
	TextsChecked int `json:"texts_checked"`
	// BundlesSigned says whether the bundles' signatures were checked.
	BundlesSigned bool `json:"bundles_signed"`
	// Checkpoints counts the checkpoints and anchors that verified.
	Checkpoints int     `json:"checkpoints"`
	Faults      []Fault `json:"faults"`
}

// OK reports whether the chain has no fault.
func (r *Report) OK() bool { return len(r.Faults) == 0 }

// InstallationReport sums up one installation's chain.
type InstallationReport struct {
	Installation string `json:"installation"`
	Policy       string `json:"policy"`
	Receipts     int    `json:"receipts"`
	FirstSeq     int64  `json:"first_seq"`
	LastSeq      int64  `json:"last_seq"`
	Head         string `json:"head"` // the last receipt's hash
	From         string `json:"from"` // the first receipt's time
	To           string `json:"to"`   // the last receipt's time
	// TimeBehind counts the receipts flagged time_behind: dated before the
	// receipt before them, recorded as it happened.
	TimeBehind int `json:"time_behind"`
	// Anchor is the seq of the anchor the chain starts after (0 for none).
	Anchor int64 `json:"anchor,omitempty"`
	// Checkpoints counts the checkpoints held against the chain, and
	// Checkpoint is the newest one's seq and time.
	Checkpoints    int    `json:"checkpoints"`
	CheckpointSeq  int64  `json:"checkpoint_seq,omitempty"`
	CheckpointTime string `json:"checkpoint_time,omitempty"`
	Faults         int    `json:"faults"`
}

// Verify checks a chain of receipts, which may hold several
// installations (each its own chain, in the order given):
//
//   - each receipt's hash is that of its content and its id that of its
//     hash, and its members go together;
//   - per installation: seq from 1 (or from after an anchor) up by one
//     each, without gaps or repeats; each prev the hash of the receipt
//     before (a non-empty prev at seq 1 is accepted: it links to the
//     record before format 2); one policy id; time_behind exactly where
//     the time is earlier than the receipt before's (each flagged receipt
//     is counted, not a fault);
//   - with Options.Bundles: each text among the screens of what it
//     records that the bundle of its version shows in its locale, and
//     each receipt's bundle hash, where it is one of the bundles, of its
//     policy and not older than its version;
//   - with Options.Checkpoints: each signed by one of ServiceKeys; a
//     checkpoint's seq reached by the chain with its head as that
//     receipt's hash; an anchor's head the prev of the receipt after it.
//
// Every fault names the receipt; a chain with none is OK.
func Verify(chain []Receipt, opts Options) *Report {
	v := verifier{opts: opts, rep: &Report{Receipts: len(chain), Faults: []Fault{}}}
	if opts.Bundles != nil {
		v.rep.BundlesSigned = opts.Bundles.Signed()
	}
	v.checkpoints()
	// Group by installation, in the order of first appearance.
	var order []string
	groups := map[string][]int{}
	for i := range chain {
		inst := chain[i].Installation
		if _, ok := groups[inst]; !ok {
			order = append(order, inst)
		}
		groups[inst] = append(groups[inst], i)
	}
	for _, inst := range order {
		v.installation(chain, inst, groups[inst])
	}
	// Checkpoints of installations the chain does not hold.
	for _, inst := range sortedKeys(v.byInst) {
		if _, ok := groups[inst]; ok {
			continue
		}
		for _, c := range v.byInst[inst] {
			if !c.IsAnchor() {
				v.add(Fault{Code: FaultTruncated, Installation: inst, Seq: c.Seq, Index: -1,
					Message: fmt.Sprintf("the service's checkpoint of %s says the chain reached seq %d, but the chain given holds no receipt of this installation", c.Time, c.Seq)})
			}
		}
	}
	return v.rep
}

type verifier struct {
	opts   Options
	rep    *Report
	byInst map[string][]Checkpoint // checkpoints and anchors that verified
}

func (v *verifier) add(f Fault) {
	v.rep.Faults = append(v.rep.Faults, f)
}

func (v *verifier) fault(code FaultCode, r *Receipt, index int, format string, args ...any) {
	v.add(Fault{Code: code, Installation: r.Installation, Seq: r.Seq, ID: r.RecordedID, Index: index, Message: fmt.Sprintf(format, args...)})
}

// checkpoints verifies the checkpoints' signatures.
func (v *verifier) checkpoints() {
	v.byInst = map[string][]Checkpoint{}
	for _, c := range v.opts.Checkpoints {
		if err := c.Verify(v.opts.ServiceKeys); err != nil {
			v.add(Fault{Code: FaultCheckpoint, Installation: c.Installation, Seq: c.Seq, Index: -1,
				Message: fmt.Sprintf("the %s of %s is not used: %v", c.what(), c.Time, err)})
			continue
		}
		v.rep.Checkpoints++
		v.byInst[c.Installation] = append(v.byInst[c.Installation], c)
	}
}

func (v *verifier) installation(chain []Receipt, inst string, idxs []int) {
	startFaults := len(v.rep.Faults)
	first := &chain[idxs[0]]
	last := &chain[idxs[len(idxs)-1]]
	ir := InstallationReport{Installation: inst, Policy: first.Policy, Receipts: len(idxs), FirstSeq: first.Seq, LastSeq: last.Seq,
		Head: last.RecordedHash, From: first.Time, To: last.Time}

	// The anchor the chain starts after: the newest one below its first
	// receipt.
	var anchor *Checkpoint
	for _, c := range v.byInst[inst] {
		if c.IsAnchor() && c.Seq < first.Seq && (anchor == nil || c.Seq > anchor.Seq) {
			anchor = &c
		}
	}
	if anchor != nil {
		ir.Anchor = anchor.Seq
	}

	bySeq := map[int64]int{}
	var prev *Receipt
	var prevTime time.Time
	for _, i := range idxs {
		r := &chain[i]
		if _, ok := bySeq[r.Seq]; !ok {
			bySeq[r.Seq] = i
		}
		if h := r.Hash(); h != r.RecordedHash {
			v.fault(FaultHash, r, i, "the receipt's content hashes to %s, not to its hash %s: it was changed after it was made", short(h), short(r.RecordedHash))
		}
		if want, err := IDFromHash(r.RecordedHash); err == nil && want != r.RecordedID {
			v.fault(FaultID, r, i, "the id of hash %s is %s, not %s", short(r.RecordedHash), want, r.RecordedID)
		}
		if r.Policy != first.Policy {
			v.fault(FaultPolicy, r, i, "policy %s, but the installation's first receipt is of policy %s", r.Policy, first.Policy)
		}
		if msg := r.inconsistency(); msg != "" {
			v.fault(FaultReceipt, r, i, "%s", msg)
		}
		inOrder := v.sequence(r, i, prev, anchor)
		t, _ := r.Instant() // Parse checked it; a receipt built in Go may not be
		if inOrder && prev != nil && !prevTime.IsZero() && !t.IsZero() {
			behind := t.Before(prevTime)
			switch {
			case behind && !r.TimeBehind:
				v.fault(FaultTimeBehind, r, i, "time %s is before the time %s of seq %d, and the receipt does not say so (time_behind)", r.Time, prev.Time, prev.Seq)
			case !behind && r.TimeBehind:
				v.fault(FaultTimeFlag, r, i, "flagged time_behind, but its time %s is not before the time %s of seq %d", r.Time, prev.Time, prev.Seq)
			}
		}
		if r.TimeBehind {
			ir.TimeBehind++
		}
		if v.opts.Bundles != nil {
			v.texts(r, i)
		}
		if inOrder {
			// A repeated or earlier seq is not where the chain goes on:
			// the next receipt is held against the one before it.
			prev, prevTime = r, t
		}
	}

	// Checkpoints and anchors held against the chain.
	cps := v.byInst[inst]
	sort.SliceStable(cps, func(a, b int) bool { return cps[a].Seq < cps[b].Seq })
	for _, c := range cps {
		if !c.IsAnchor() {
			ir.Checkpoints++
			ir.CheckpointSeq, ir.CheckpointTime = c.Seq, c.Time
		}
		i, ok := bySeq[c.Seq]
		switch {
		case ok && chain[i].RecordedHash != c.Head:
			v.fault(FaultFork, &chain[i], i, "the service's %s of %s says receipt seq %d has hash %s, this one has %s: the chain was edited or forked after the service received it",
				c.what(), c.Time, c.Seq, short(c.Head), short(chain[i].RecordedHash))
		case ok, c.IsAnchor():
			// Held, or an anchor of receipts purged (the first receipt's
			// link to it is checked above).
		case c.Seq > last.Seq:
			v.fault(FaultTruncated, last, idxs[len(idxs)-1], "the service's checkpoint of %s says the chain reached seq %d (head %s), but it ends at seq %d: %d receipt(s) cut off",
				c.Time, c.Seq, short(c.Head), last.Seq, c.Seq-last.Seq)
		case anchor != nil && c.Seq <= anchor.Seq:
			// A checkpoint from before the purge.
		case c.Seq < first.Seq:
			v.fault(FaultTruncated, first, idxs[0], "the service's checkpoint of %s names seq %d (head %s), before the chain's first receipt, and no anchor says it was purged",
				c.Time, c.Seq, short(c.Head))
		default:
			// Inside the chain's range but missing: the gap is reported.
		}
	}
	ir.Faults = len(v.rep.Faults) - startFaults
	v.rep.Installations = append(v.rep.Installations, ir)
}

// sequence checks a receipt's seq and prev against the receipt before it
// in the chain (prev, nil for the first) or the anchor it starts after,
// and reports whether the receipt goes on from there (its seq is higher).
func (v *verifier) sequence(r *Receipt, i int, prev *Receipt, anchor *Checkpoint) bool {
	if prev == nil {
		switch {
		case anchor != nil && r.Seq == anchor.Seq+1:
			if r.Prev != anchor.Head {
				v.fault(FaultFork, r, i, "the anchor of %s says the receipts up to seq %d ended with hash %s, but this receipt's prev is %s",
					anchor.Time, anchor.Seq, short(anchor.Head), short(r.Prev))
			}
		case anchor != nil:
			v.fault(FaultGap, r, i, "the chain starts at seq %d, but the anchor of %s ends the purged receipts at seq %d: %s missing",
				r.Seq, anchor.Time, anchor.Seq, seqRange(anchor.Seq+1, r.Seq-1))
		case r.Seq != 1:
			v.fault(FaultGap, r, i, "the chain starts at seq %d: %s missing, and no anchor says they were purged", r.Seq, seqRange(1, r.Seq-1))
		}
		return true
	}
	switch {
	case r.Seq == prev.Seq+1:
		if r.Prev != prev.RecordedHash {
			v.fault(FaultLink, r, i, "prev is %s, but the receipt before (seq %d) has hash %s", short(r.Prev), prev.Seq, short(prev.RecordedHash))
		}
	case r.Seq == prev.Seq:
		v.fault(FaultRepeat, r, i, "seq %d again, after the receipt before (id %s)", r.Seq, prev.RecordedID)
		return false
	case r.Seq < prev.Seq:
		v.fault(FaultOrder, r, i, "seq %d after seq %d", r.Seq, prev.Seq)
		return false
	default:
		v.fault(FaultGap, r, i, "seq %d after seq %d: %d receipt(s) missing", r.Seq, prev.Seq, r.Seq-prev.Seq-1)
	}
	return true
}

// seqRange names receipts from a to b.
func seqRange(a, b int64) string {
	if a == b {
		return "receipt " + strconv.FormatInt(a, 10) + " is"
	}
	return "receipts " + strconv.FormatInt(a, 10) + " to " + strconv.FormatInt(b, 10) + " are"
}

// texts checks a receipt's text and bundle hash against the bundles.
func (v *verifier) texts(r *Receipt, i int) {
	bs := v.opts.Bundles
	if b := bs.ByHash(r.Bundle); b != nil {
		switch {
		case b.Policy.ID != r.Policy:
			v.fault(FaultBundle, r, i, "the bundle active (%s) is of policy %s, not %s", short(r.Bundle), b.Policy.ID, r.Policy)
		case !hasVersion(b.History, r.Version):
			v.fault(FaultBundle, r, i, "the bundle active (%s, %s %s) does not have version %s in its history", short(r.Bundle), b.Policy.ID, b.Policy.Version, r.Version)
		}
	}
	_, err := bs.Shown(r)
	switch {
	case err == nil:
		if r.Kind != "withdraw" {
			v.rep.TextsChecked++
		}
	case errors.Is(err, errNoBundle):
		v.fault(FaultNoBundle, r, i, "its text is not checked: %v", err)
	default:
		v.fault(FaultText, r, i, "%v", err)
	}
}

func hasVersion(h []bundle.Version, version string) bool {
	for _, v := range h {
		if v.Version == version {
			return true
		}
	}
	return false
}

// inconsistency says which members of a receipt do not go together, as
// the contract has them: a rationale, permission or consent receipt names
// its scenario and step; a separate consent is named by sensitive and
// purpose together, with separate_consent, and only then; each kind has
// its answers; a withdrawal shows no text and every other receipt does.
func (r *Receipt) inconsistency() string {
	switch r.Kind {
	case "policy":
		if r.Answer != "accepted" && r.Answer != "declined" {
			return "a policy receipt answers accepted or declined, not " + r.Answer
		}
		if r.Permission != "" || r.Scenario != "" || r.Step != "" {
			return "a policy receipt names no permission, scenario or step"
		}
	case "rationale", "consent":
		if r.Answer != "accepted" && r.Answer != "declined" {
			return "a " + r.Kind + " receipt answers accepted or declined, not " + r.Answer
		}
	case "permission":
		switch r.Answer {
		case "granted", "limited", "denied", "denied_forever", "dismissed":
		default:
			return "a permission receipt answers with the dialog's result, not " + r.Answer
		}
	case "withdraw":
		if r.Answer != "withdrawn" {
			return "a withdraw receipt answers withdrawn, not " + r.Answer
		}
	}
	switch r.Kind {
	case "rationale", "permission", "consent":
		if r.Scenario == "" || r.Step == "" {
			return "a " + r.Kind + " receipt names its scenario and step"
		}
	}
	if (r.Kind == "rationale" || r.Kind == "permission") && r.Permission == "" {
		return "a " + r.Kind + " receipt names its permission"
	}
	if (r.Scenario == "") != (r.Step == "") {
		return "scenario and step come together"
	}
	if (r.Sensitive == "") != (r.Purpose == "") {
		return "sensitive and purpose come together"
	}
	if r.SeparateConsent != (r.Sensitive != "") {
		return "separate_consent is true exactly when the receipt names a sensitive category and purpose"
	}
	if r.Kind == "consent" && r.Sensitive == "" {
		return "a consent receipt names its sensitive category and purpose"
	}
	if (r.Text == "") != (r.Kind == "withdraw") {
		if r.Kind == "withdraw" {
			return "a withdrawal shows nothing, but names a text"
		}
		return "a " + r.Kind + " receipt names the text shown"
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
