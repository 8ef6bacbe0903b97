package records

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// Export passes each record q selects from st to receipt, by
// installation and seq, and returns the manifest of what it passed, signed
// by sg at now, and the anchors of the installations it covered (so that
// chains cut by a purge still verify). The manifest (canonical JSON,
// signed as SignObject does):
//
//	{"count":N,"installations":[{"count":n,"first":s,"installation":"...","last":s},...],
//	 "key":"<key id>","kind":"export","query":{"installation":"..."} or {"from":"...","to":"..."},
//	 "records":"<SHA-256 hex>","sig":"...","time":"<service clock>","v":1}
//
// records is the SHA-256 of the receipts as JSON Lines: each receipt's
// canonical JSON followed by "\n", in the order passed; records export
// writes exactly that file (receipts.jsonl), so sha256sum checks it.
func Export(ctx context.Context, st Store, sg *Signer, now time.Time, q ExportQuery, receipt func(Stored) error) (manifest []byte, anchors [][]byte, err error) {
	sum := sha256.New()
	var entries []any
	var cur map[string]any
	count := int64(0)
	err = st.Export(ctx, q, func(r Stored) error {
		if cur == nil || cur["installation"] != r.Installation {
			cur = map[string]any{"installation": r.Installation, "count": int64(0), "first": r.Seq}
			entries = append(entries, cur)
		}
		cur["count"] = cur["count"].(int64) + 1
		cur["last"] = r.Seq
		count++
		sum.Write(r.JSON)
		sum.Write([]byte{'\n'})
		return receipt(r)
	})
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		a, err := st.Anchors(ctx, e.(map[string]any)["installation"].(string))
		if err != nil {
			return nil, nil, err
		}
		anchors = append(anchors, a...)
	}
	query := map[string]any{}
	if q.Installation != "" {
		query["installation"] = q.Installation
	} else {
		query["from"] = q.From.UTC().Format(time.RFC3339Nano)
		query["to"] = q.To.UTC().Format(time.RFC3339Nano)
	}
	if entries == nil {
		entries = []any{}
	}
	m := map[string]any{
		"v": int64(1), "kind": "export", "time": now.UTC().Format(time.RFC3339), "query": query,
		"count": count, "records": hex.EncodeToString(sum.Sum(nil)), "installations": entries,
	}
	manifest, err = sg.SignObject(m)
	return manifest, anchors, err
}

// export serves GET /v1/export: {"receipts":[...],"anchors":[...],"manifest":{...}},
// streamed; a failure half-way cuts the connection, so that a client never
// takes a part for the whole (the manifest comes last and is signed).
func (s *Service) export(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		badMethod(w, "GET")
		return
	}
	if !s.authorized(w, r, s.op) {
		return
	}
	var q ExportQuery
	q.Installation = r.URL.Query().Get("installation")
	if q.Installation != "" {
		if !s.validID(w, q.Installation) {
			return
		}
		if r.URL.Query().Has("from") || r.URL.Query().Has("to") {
			writeError(w, http.StatusBadRequest, &errcode.Error{Code: errcode.BadValue, Field: "installation",
				Message: "export takes installation, or from and to, not both"}, nil)
			return
		}
	} else {
		var ok bool
		if q.From, ok = s.timeParam(w, r, "from", true); !ok {
			return
		}
		if q.To, ok = s.timeParam(w, r, "to", true); !ok {
			return
		}
		if !q.To.After(q.From) {
			writeError(w, http.StatusBadRequest, &errcode.Error{Code: errcode.BadValue, Field: "to",
				Message: "to must be after from"}, nil)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"receipts":[`)
	n := 0
	manifest, anchors, err := Export(r.Context(), s.store, s.signer, s.now(), q, func(st Stored) error {
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		bw.WriteString("\n")
		_, err := bw.Write(st.JSON)
		return err
	})
	if err != nil {
		if n == 0 {
			s.failed(w, r, err)
			return
		}
		s.log.Error("records: export failed half-way", "err", err)
		bw.Flush()
		panic(http.ErrAbortHandler)
	}
	if anchors == nil {
		anchors = [][]byte{}
	}
	al := make([]json.RawMessage, len(anchors))
	for i, a := range anchors {
		al[i] = a
	}
	ab, _ := json.Marshal(al)
	bw.WriteString("],\n\"anchors\":")
	bw.Write(ab)
	bw.WriteString(",\n\"manifest\":")
	bw.Write(manifest)
	bw.WriteString("}\n")
	bw.Flush()
}
