package records

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/ledger"
)

// Config configures a Service.
type Config struct {
	Store  Store
	Signer *Signer
	// AppTokens are accepted for uploads and for reading an
	// installation's chain; OperatorTokens for everything else an
	// operator does (status, timeline, refusals, export, purge). Each
	// needs at least one.
	AppTokens      []string
	OperatorTokens []string
	// Now is the service's clock; time.Now when nil.
	Now func() time.Time
	// Logger gets a line per refused or failed request; slog.Default()
	// when nil.
	Logger *slog.Logger
	// Bundles, when set, are the policy bundles the timeline and status
	// check each receipt's text against (ledger.Verify); without them the
	// texts are not checked.
	Bundles *ledger.Bundles
	// AllowOrigins are the web origins (scheme://host[:port]) whose pages
	// may upload and read an installation's chain from a browser or
	// webview (CORS); "*" allows any. Only the app's routes answer them:
	// an operator's tools are not web pages. None: same origin only.
	AllowOrigins []string
}

// Service is the consent-record service's HTTP API. Its routes (JSON in
// and out; errors as {"error":{"code","message","field"}}):
//
//	POST /v1/installations/{id}/receipts        app       upload a batch; answers {"checkpoint":{...}}
//	GET  /v1/installations/{id}/receipts?after=N app       the chain, for the engine's restore
//	GET  /v1/installations/{id}/status          operator  consent status (StatusOf) and what ledger.Verify finds
//	GET  /v1/installations/{id}/timeline[?format=text] operator ledger.Timeline: what was shown and answered
//	GET  /v1/installations/{id}/refusals        operator  the refusals log
//	POST /v1/installations/{id}/purge?before=T  operator  purge up to T, leaving a signed anchor
//	GET  /v1/export?installation=ID | ?from=T&to=T operator records and a signed manifest
//	GET  /v1/keys                               none      the service's public keys
//
// Tokens go in "Authorization: Bearer <token>".
type Service struct {
	store    Store
	signer   *Signer
	app, op  [][32]byte
	now      func() time.Time
	log      *slog.Logger
	mux      *http.ServeMux
	bundles  *ledger.Bundles
	origins  map[string]bool
	MaxChain int // receipts in one answer of GET .../receipts; 10,000 unless set
}

// New returns a Service over cfg.Store.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Signer == nil {
		return nil, errors.New("records: a service needs a store and a signer")
	}
	if len(cfg.AppTokens) == 0 || len(cfg.OperatorTokens) == 0 {
		return nil, errors.New("records: a service needs at least one app token and one operator token")
	}
	s := &Service{store: cfg.Store, signer: cfg.Signer, now: cfg.Now, log: cfg.Logger, bundles: cfg.Bundles, MaxChain: 10000}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	for _, t := range cfg.AppTokens {
		if t == "" {
			return nil, errors.New("records: an empty app token")
		}
		s.app = append(s.app, sha256.Sum256([]byte(t)))
	}
	for _, t := range cfg.OperatorTokens {
		if t == "" {
			return nil, errors.New("records: an empty operator token")
		}
		s.op = append(s.op, sha256.Sum256([]byte(t)))
	}
	for _, o := range cfg.AllowOrigins {
		if o != "*" && (!strings.Contains(o, "://") || strings.HasSuffix(o, "/")) {
			return nil, fmt.Errorf("records: allowed origin %q: give scheme://host[:port], or *", o)
		}
		if s.origins == nil {
			s.origins = map[string]bool{}
		}
		s.origins[o] = true
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/v1/installations/{id}/receipts", s.cors(s.receipts))
	s.mux.HandleFunc("/v1/installations/{id}/refusals", s.refusals)
	s.mux.HandleFunc("/v1/installations/{id}/status", s.status)
	s.mux.HandleFunc("/v1/installations/{id}/timeline", s.timeline)
	s.mux.HandleFunc("/v1/installations/{id}/purge", s.purge)
	s.mux.HandleFunc("/v1/export", s.export)
	s.mux.HandleFunc("/v1/keys", s.keys)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, &errcode.Error{Code: CodeNotFound, Message: "no route " + r.Method + " " + r.URL.Path}, nil)
	})
	return s, nil
}

// NewServer returns an http.Server for h with the timeouts a service on
// the open network needs: a client that sends its headers or body too
// slowly, or never reads its answer, is cut off instead of holding a
// connection for ever.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second, // a 1 MiB batch at 35 KB/s
		WriteTimeout:      5 * time.Minute,  // exports stream
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
}

// cors lets the pages of the allowed origins call an app route from a
// browser: the answer names the origin, and a preflight (OPTIONS) is
// answered with the methods and headers the route takes. An origin not
// allowed gets no CORS header, so the browser keeps the answer from it.
func (s *Service) cors(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && (s.origins[origin] || s.origins["*"]) {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Add("Vary", "Origin")
			w.Header().Set("Access-Control-Expose-Headers", "Records-Stored")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
				w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				w.Header().Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		h(w, r)
	}
}

// ServeHTTP serves the API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Signer returns the service's signer.
func (s *Service) Signer() *Signer { return s.signer }

// Upload checks and stores a batch for installation, as POST
// .../receipts does. It returns the checkpoint and what became of the
// batch; a batch refused (for a malformed body, a bad hash, a gap, a
// fork, a replayed head) is an *errcode.Error, with Result.Head the
// current head, and it is recorded in the refusals log. Any other error
// is the store's.
func (s *Service) Upload(ctx context.Context, installation string, body []byte) (ledger.Checkpoint, Result, error) {
	b, err := CheckBatch(installation, body)
	if err != nil {
		var e *errcode.Error
		if !errors.As(err, &e) || !ValidInstallation(installation) {
			return ledger.Checkpoint{}, Result{}, err
		}
		head, herr := s.store.Head(ctx, installation)
		if herr != nil {
			return ledger.Checkpoint{}, Result{}, herr
		}
		s.refuse(ctx, installation, nil, head, e)
		return ledger.Checkpoint{}, Result{Head: head, Refused: e}, e
	}
	res, err := s.store.Append(ctx, b, s.now())
	if err != nil {
		return ledger.Checkpoint{}, res, err
	}
	if res.Refused != nil {
		s.refuse(ctx, installation, b, res.Head, res.Refused)
		return ledger.Checkpoint{}, res, res.Refused
	}
	return s.signer.Checkpoint(res.Checkpoint), res, nil
}

func (s *Service) refuse(ctx context.Context, installation string, b *Batch, head Head, e *errcode.Error) {
	r := Refusal{Installation: installation, At: s.now().UTC().Format(time.RFC3339), Code: string(e.Code), Field: e.Field,
		Message: e.Message, HeadSeq: head.Seq, HeadHash: head.Hash}
	if b != nil {
		r.First, r.Last, r.Count = b.Receipts[0].Seq, b.Receipts[len(b.Receipts)-1].Seq, len(b.Receipts)
	}
	if err := s.store.Refuse(ctx, r); err != nil {
		s.log.Error("records: the refusals log failed", "installation", installation, "err", err)
	}
	s.log.Info("records: batch refused", "installation", installation, "code", e.Code, "field", e.Field, "message", e.Message)
}

// wireHead is a head as an error answer carries it.
type wireHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

func (s *Service) receipts(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	switch r.Method {
	case http.MethodPost:
		if !s.authorized(w, r, s.app) {
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBatchSize))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				e := &errcode.Error{Code: CodeBadBatch, Message: fmt.Sprintf("the batch is over the limit of %d bytes", MaxBatchSize)}
				var head *Head
				if ValidInstallation(id) {
					if h, err := s.store.Head(r.Context(), id); err == nil {
						head = &h
						s.refuse(r.Context(), id, nil, h, e)
					}
				}
				writeError(w, http.StatusRequestEntityTooLarge, e, head)
				return
			}
			writeError(w, http.StatusBadRequest, &errcode.Error{Code: CodeBadBatch, Message: "the body could not be read: " + err.Error()}, nil)
			return
		}
		cp, res, err := s.Upload(r.Context(), id, body)
		var e *errcode.Error
		switch {
		case err == nil:
			w.Header().Set("Records-Stored", strconv.Itoa(res.Stored))
			writeJSON(w, http.StatusOK, map[string]any{"checkpoint": cp})
		case errors.As(err, &e):
			status := http.StatusBadRequest
			if e.Code == CodeGap || e.Code == CodeFork || e.Code == CodeReplayedHead {
				status = http.StatusConflict
			}
			var head *Head
			if ValidInstallation(id) {
				head = &res.Head
			}
			writeError(w, status, e, head)
		default:
			s.failed(w, r, err)
		}
	case http.MethodGet:
		if !s.authorized(w, r, s.app) || !s.validID(w, id) {
			return
		}
		after, ok := s.intParam(w, r, "after", 0)
		if !ok {
			return
		}
		limit, ok := s.intParam(w, r, "limit", int64(s.MaxChain))
		if !ok {
			return
		}
		limit = min(max(limit, 1), int64(s.MaxChain))
		chain, err := s.store.Chain(r.Context(), id, after, int(limit)+1)
		if err != nil {
			s.failed(w, r, err)
			return
		}
		anchors, err := s.store.Anchors(r.Context(), id)
		if err != nil {
			s.failed(w, r, err)
			return
		}
		out := map[string]any{}
		if len(chain) > int(limit) {
			chain = chain[:limit]
			out["more"] = true
		}
		list := make([]json.RawMessage, len(chain))
		for i, c := range chain {
			list[i] = c.JSON
		}
		out["receipts"] = list
		if len(anchors) > 0 {
			out["anchor"] = json.RawMessage(anchors[len(anchors)-1])
		}
		writeJSON(w, http.StatusOK, out)
	default:
		badMethod(w, "GET, POST")
	}
}

// operatorRoute checks what every operator route of an installation
// checks first, in this order: the method, the operator's token, the
// installation id. It answers the request itself, and returns false, when
// one of them fails.
func (s *Service) operatorRoute(w http.ResponseWriter, r *http.Request, method string) (string, bool) {
	id := r.PathValue("id")
	if r.Method != method {
		badMethod(w, method)
		return "", false
	}
	return id, s.authorized(w, r, s.op) && s.validID(w, id)
}

func (s *Service) refusals(w http.ResponseWriter, r *http.Request) {
	id, ok := s.operatorRoute(w, r, http.MethodGet)
	if !ok {
		return
	}
	limit, ok := s.intParam(w, r, "limit", 1000)
	if !ok {
		return
	}
	list, err := s.store.Refusals(r.Context(), id, int(min(max(limit, 1), 10000)))
	if err != nil {
		s.failed(w, r, err)
		return
	}
	if list == nil {
		list = []Refusal{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"refusals": list})
}

func (s *Service) purge(w http.ResponseWriter, r *http.Request) {
	id, ok := s.operatorRoute(w, r, http.MethodPost)
	if !ok {
		return
	}
	before, ok := s.timeParam(w, r, "before", true)
	if !ok {
		return
	}
	anchor, cut, err := Purge(r.Context(), s.store, s.signer, s.now(), id, before)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	out := map[string]any{"removed": cut.Removed}
	if cut.Seq > 0 {
		out["anchor"] = anchor
	}
	writeJSON(w, http.StatusOK, out)
}

// Purge removes an installation's oldest receipts from st, those before
// the first one dated at or after before (Store.Purge), and leaves an
// anchor at the cut, signed by
// sg at now, from which the rest of the chain still verifies. With nothing
// old enough it removes nothing and returns a zero Cut.
func Purge(ctx context.Context, st Store, sg *Signer, now time.Time, installation string, before time.Time) (ledger.Checkpoint, Cut, error) {
	var anchor ledger.Checkpoint
	cut, err := st.Purge(ctx, installation, before, now, func(c Cut) ([]byte, error) {
		anchor = sg.Anchor(c)
		return anchor.MarshalJSON()
	})
	return anchor, cut, err
}

func (s *Service) keys(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		badMethod(w, "GET")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": s.signer.Keys()})
}

// authorized checks the request's bearer token against tokens and
// answers 401 when it is missing or not one of them.
func (s *Service) authorized(w http.ResponseWriter, r *http.Request, tokens [][32]byte) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if ok && tok != "" {
		sum := sha256.Sum256([]byte(tok))
		found := 0
		for _, t := range tokens {
			found |= subtle.ConstantTimeCompare(sum[:], t[:])
		}
		if found == 1 {
			return true
		}
	}
	msg := "this route needs a token: Authorization: Bearer <token>"
	if ok || h != "" {
		msg = "the token is not one this route accepts"
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="records"`)
	writeError(w, http.StatusUnauthorized, &errcode.Error{Code: CodeUnauthorized, Message: msg, Field: "Authorization"}, nil)
	return false
}

func (s *Service) validID(w http.ResponseWriter, id string) bool {
	if ValidInstallation(id) {
		return true
	}
	writeError(w, http.StatusBadRequest, &errcode.Error{Code: errcode.BadValue, Field: "installation",
		Message: fmt.Sprintf("installation %q is not 1 to 64 characters of A-Z a-z 0-9 . _ : -", id)}, nil)
	return false
}

func (s *Service) intParam(w http.ResponseWriter, r *http.Request, name string, def int64) (int64, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		writeError(w, http.StatusBadRequest, &errcode.Error{Code: errcode.BadValue, Field: name,
			Message: fmt.Sprintf("%s=%q is not a non-negative integer", name, v)}, nil)
		return 0, false
	}
	return n, true
}

func (s *Service) timeParam(w http.ResponseWriter, r *http.Request, name string, required bool) (time.Time, bool) {
	v := r.URL.Query().Get(name)
	if v == "" && !required {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		msg := fmt.Sprintf("%s=%q is not an RFC 3339 time", name, v)
		if v == "" {
			msg = fmt.Sprintf("%s is required (an RFC 3339 time)", name)
		}
		writeError(w, http.StatusBadRequest, &errcode.Error{Code: errcode.BadValue, Field: name, Message: msg}, nil)
		return time.Time{}, false
	}
	return t, true
}

func (s *Service) failed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away
	}
	s.log.Error("records: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, &errcode.Error{Code: CodeInternal,
		Message: "the record store failed; nothing was acknowledged: send the request again"}, nil)
}

func badMethod(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, &errcode.Error{Code: CodeBadMethod, Message: "this route takes " + allow}, nil)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"the answer could not be written"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, e *errcode.Error, head *Head) {
	type wireError struct {
		Code    errcode.Code `json:"code"`
		Message string       `json:"message"`
		Field   string       `json:"field,omitempty"`
	}
	out := map[string]any{"error": wireError{e.Code, e.Message, e.Field}}
	if head != nil {
		out["head"] = wireHead{Seq: head.Seq, Hash: head.Hash}
	}
	writeJSON(w, status, out)
}
