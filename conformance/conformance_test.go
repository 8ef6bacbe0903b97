package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCases: the carried cases load, each named after its file.
func TestCases(t *testing.T) {
	cases, err := Cases()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 90 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		if want := strings.TrimSuffix(filepath.Base(c.File), ".json"); c.Name != want {
			t.Errorf("%s: name %q is not the file's", c.File, c.Name)
		}
	}
}

// TestLoadErrors: a broken case file is reported at its file:line:col.
func TestLoadErrors(t *testing.T) {
	for name, c := range map[string]struct{ content, want string }{
		"syntax":        {"{\n  \"name\": \"x\",\n  \"steps\": [}\n", "x.json:3:13"},
		"type":          {"{\"name\": \"x\",\n\"steps\": 5}", "x.json:2:"},
		"unknown field": {`{"name": "x", "stepz": []}`, `unknown field "stepz"`},
		"no steps":      {`{"name": "x"}`, "x.json: no steps"},
		"two values":    {`{"name": "x", "steps": [{}]} {}`, "more than one JSON value"},
		"state op":      {`{"name": "x", "steps": [{"state": "clock"}]}`, `x.json: step 1: unknown state operation "clock"`},
		"state number":  {`{"name": "x", "steps": [{}, {"state": 2}]}`, "x.json: step 2: state is 2"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "x.json"), []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no conformance cases") {
		t.Errorf("an empty folder: %v", err)
	}
}

// TestCheckFindsDifferences: the runner reports what a response lacks, and
// a broken receipt chain, rather than passing whatever it is given.
func TestCheckFindsDifferences(t *testing.T) {
	c := &Case{
		Name:   "x",
		Bundle: "reference",
		Device: Device{Platform: "android", Version: "33"},
		Now:    "2026-03-01T10:00:00+08:00",
		Steps: []Step{{
			Event:  []byte(`{"type":"launch"}`),
			Expect: Expect{Actions: []string{"show_policy first"}, SDKs: []string{}, Rules: []string{"PRECONSENT"}},
		}},
	}
	answer := func(resp string) Decide {
		return func(string, []byte) ([]byte, error) { return []byte(resp), nil }
	}
	good := `{"actions":[{"type":"show_policy","change":"first"}],"sdks":[],"state":{},"receipts":[],"trace":[{"rule":"PRECONSENT","detail":"d"}]}`
	if errs := Check(c, answer(good)); len(errs) != 0 {
		t.Fatalf("a matching response fails: %v", errs)
	}
	for name, resp := range map[string]string{
		"other action": `{"actions":[{"type":"basic_mode"}],"sdks":[],"state":{},"receipts":[],"trace":[{"rule":"PRECONSENT","detail":"d"}]}`,
		"an SDK":       `{"actions":[{"type":"show_policy","change":"first"}],"sdks":["jpush"],"state":{},"receipts":[],"trace":[{"rule":"PRECONSENT","detail":"d"}]}`,
		"other rule":   `{"actions":[{"type":"show_policy","change":"first"}],"sdks":[],"state":{},"receipts":[],"trace":[{"rule":"JIT","detail":"d"}]}`,
		"no detail":    `{"actions":[{"type":"show_policy","change":"first"}],"sdks":[],"state":{},"receipts":[],"trace":[{"rule":"PRECONSENT","detail":""}]}`,
		"an error":     `{"error":{"code":"bad_json","message":"m"}}`,
		"bad receipt":  `{"actions":[{"type":"show_policy","change":"first"}],"sdks":[],"state":{},"receipts":[{"kind":"policy","answer":"accepted","prev":"","hash":"00"}],"trace":[{"rule":"PRECONSENT","detail":"d"}]}`,
		"not JSON":     `{"actions":`,
	} {
		if errs := Check(c, answer(resp)); len(errs) == 0 {
			t.Errorf("%s: no difference found", name)
		}
	}
}

// summaryTable is summaries.json: summaries that this runner and its
// JavaScript twin must both give.
type summaryTable struct {
	Actions  [][2]json.RawMessage `json:"actions"`
	Receipts [][2]json.RawMessage `json:"receipts"`
}

func readSummaries(t *testing.T) summaryTable {
	data, err := os.ReadFile("summaries.json")
	if err != nil {
		t.Fatal(err)
	}
	var tab summaryTable
	if err := json.Unmarshal(data, &tab); err != nil {
		t.Fatal(err)
	}
	return tab
}

// TestSummary: the one-line forms of actions, among them those of the
// separate-consent contract (state v2).
func TestSummary(t *testing.T) {
	for _, x := range readSummaries(t).Actions {
		var want string
		var a map[string]any
		if err := json.Unmarshal(x[0], &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(x[1], &a); err != nil {
			t.Fatal(err)
		}
		if got := Summary(a); got != want {
			t.Errorf("%s:\n\tgot  %q\n\twant %q", x[1], got, want)
		}
	}
}

// receipt returns a version 2 receipt of a body's members, numbered seq
// and chained to prev, with its hash and id, in canonical form.
func receipt(body string, seq int64, prev string) string {
	m, err := decodeObject([]byte(body))
	if err != nil {
		panic(err)
	}
	base := map[string]any{"v": json.Number("2"), "policy": "msxf", "version": "2022-03-29", "locale": "en",
		"platform": "android", "platform_version": "33", "time": "2026-03-01T10:00:00+08:00"}
	for k, v := range base {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	m["seq"], m["prev"] = json.Number(strconv.FormatInt(seq, 10)), prev
	m["hash"] = receiptHash(m)
	m["id"] = receiptID(m["hash"].(string))
	return string(canonical(m))
}

// TestReceiptSummary: receipts name a permission, or a consent, and a
// separate consent when a permission's answer carries one; they chain.
func TestReceiptSummary(t *testing.T) {
	c := chainCheck{restart: true}
	for _, x := range readSummaries(t).Receipts {
		var want string
		if err := json.Unmarshal(x[0], &want); err != nil {
			t.Fatal(err)
		}
		got, err := c.add(json.RawMessage(receipt(string(x[1]), c.seq+1, c.hash)))
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", x[1], got, err, want)
		}
	}
}

// TestReceiptAlways: a receipt that names a separate consent carries the
// flag and no other does; an answer's receipt names its step.
func TestReceiptAlways(t *testing.T) {
	for _, body := range []string{
		`{"kind":"consent","sensitive":"biometrics","purpose":"loan_identity","scenario":"loan_apply","step":"liveness","answer":"accepted"}`,
		`{"kind":"rationale","permission":"camera","scenario":"loan_apply","step":"id_verify","answer":"accepted","separate_consent":true}`,
		`{"kind":"rationale","permission":"photos","answer":"accepted"}`,
		`{"kind":"consent","sensitive":"biometrics","purpose":"loan_identity","answer":"accepted","separate_consent":true}`,
	} {
		c := chainCheck{restart: true}
		if _, err := c.add(json.RawMessage(receipt(body, 1, ""))); err == nil {
			t.Errorf("%s: no fault found", body)
		}
	}
	c := chainCheck{restart: true}
	if _, err := c.add(json.RawMessage(receipt(`{"kind":"withdraw","permission":"camera","answer":"withdrawn"}`, 1, ""))); err != nil {
		t.Errorf("a withdrawal names no step, rightly: %v", err)
	}
}

// TestReceiptChain: the chain check finds a receipt edited, out of canonical
// form, with a wrong id, a number or link out of order, an unknown member,
// or time_behind missing where the time goes back, or given where it
// does not.
func TestReceiptChain(t *testing.T) {
	const body = `{"kind":"policy","answer":"accepted"}`
	first := receipt(body, 1, "")
	var firstHash string
	{
		c := chainCheck{restart: true}
		if _, err := c.add(json.RawMessage(first)); err != nil {
			t.Fatal(err)
		}
		firstHash = c.hash
	}
	earlier := `{"kind":"withdraw","answer":"withdrawn","time":"2026-03-01T09:59:59.5+08:00"}`
	for name, c := range map[string]struct {
		second string
		ok     bool
	}{
		"next":                {receipt(body, 2, firstHash), true},
		"a gap":               {receipt(body, 3, firstHash), false},
		"a repeat":            {receipt(body, 1, firstHash), false},
		"another prev":        {receipt(body, 2, strings.Repeat("0", 64)), false},
		"a restart":           {receipt(body, 1, ""), false},
		"edited":              {strings.Replace(receipt(body, 2, firstHash), `"accepted"`, `"declined"`, 1), false},
		"spaced":              {strings.Replace(receipt(body, 2, firstHash), `,"kind"`, `, "kind"`, 1), false},
		"unknown member":      {receipt(`{"kind":"policy","answer":"accepted","device":"x"}`, 2, firstHash), false},
		"behind, unflagged":   {receipt(earlier, 2, firstHash), false},
		"behind, flagged":     {receipt(strings.Replace(earlier, `{`, `{"time_behind":true,`, 1), 2, firstHash), true},
		"flagged, not behind": {receipt(`{"kind":"policy","answer":"accepted","time_behind":true}`, 2, firstHash), false},
		"flagged false":       {receipt(strings.Replace(earlier, `{`, `{"time_behind":false,`, 1), 2, firstHash), false},
		"v1":                  {receipt(`{"kind":"policy","answer":"accepted","v":1}`, 2, firstHash), false},
	} {
		ch := chainCheck{restart: true}
		if _, err := ch.add(json.RawMessage(first)); err != nil {
			t.Fatal(err)
		}
		_, err := ch.add(json.RawMessage(c.second))
		if (err == nil) != c.ok {
			t.Errorf("%s: %v (want ok %v)", name, err, c.ok)
		}
	}
	// A wrong id.
	r := receipt(body, 1, "")
	i := strings.Index(r, `"id":"`) + len(`"id":"`)
	bad := r[:i] + "0" + r[i+1:]
	if r[i] == '0' {
		bad = r[:i] + "1" + r[i+1:]
	}
	ch := chainCheck{restart: true}
	if _, err := ch.add(json.RawMessage(bad)); err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("a wrong id: %v", err)
	}
}

// TestCanonical: the runner's canonical JSON escapes as RFC 8785 does.
func TestCanonical(t *testing.T) {
	v, err := decodeValue([]byte(`{"b":"\u2028\"\\\u0001\n/é","a":[1,true,null],"A":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\"A\":{},\"a\":[1,true,null],\"b\":\"\u2028\\\"\\\\\\u0001\\n/é\"}"
	if got := string(canonical(v)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestStateObject: a step's state object is sent as it is, compacted,
// for that step only; the next step sends the state the response
// returned, and an error response keeps the state before it.
func TestStateObject(t *testing.T) {
	c := &Case{
		Name: "x", Bundle: "reference", Device: Device{Platform: "ios", Version: "17.2"}, Now: "2026-03-01T10:00:00+08:00",
		Steps: []Step{
			{Event: []byte(`{"type":"launch"}`)},
			{Event: []byte(`{"type":"launch"}`), State: json.RawMessage("{\n \"v\": 1,\n \"policy\": \"p\"\n}")},
			{Event: []byte(`{"type":"launch"}`)},
		},
	}
	n := 0
	res, err := Play(c, func(_ string, req []byte) ([]byte, error) {
		n++
		if n == 2 {
			return []byte(`{"error":{"code":"bad_state","message":"m"}}`), nil
		}
		return []byte(`{"state":{"v":2,"n":` + strconv.Itoa(n) + `}}`), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"", `"state":{"v":1,"policy":"p"}`, `"state":{"v":2,"n":1}`} {
		got := string(res[i].Request)
		if want == "" && strings.Contains(got, `"state"`) || !strings.Contains(got, want) {
			t.Errorf("step %d: %s, want %s", i+1, got, want)
		}
	}
	for _, bad := range []string{`"clock"`, `5`, `[1]`} {
		c.Steps[1].State = json.RawMessage(bad)
		if _, err := Play(c, func(string, []byte) ([]byte, error) { return []byte(`{}`), nil }); err == nil {
			t.Errorf("state %s: no error", bad)
		}
	}
}

// TestSDKData: sdk_data is compared exactly, as JSON values; an absent
// expectation checks nothing.
func TestSDKData(t *testing.T) {
	c := &Case{
		Name: "x", Bundle: "reference", Device: Device{Platform: "android", Version: "33"}, Now: "2026-03-01T10:00:00+08:00",
		Steps: []Step{{Event: []byte(`{"type":"launch"}`), Expect: Expect{SDKData: map[string][]string{"jpush": {"location"}, "umeng_analytics": {}}}}},
	}
	answer := func(resp string) Decide {
		return func(string, []byte) ([]byte, error) { return []byte(resp), nil }
	}
	if errs := Check(c, answer(`{"sdks":["jpush","umeng_analytics"],"sdk_data":{"umeng_analytics":[],"jpush":["location"]},"state":{}}`)); len(errs) != 0 {
		t.Errorf("a matching sdk_data fails: %v", errs)
	}
	for _, resp := range []string{
		`{"sdks":[],"state":{}}`,
		`{"sdk_data":{"jpush":["location"]},"state":{}}`,
		`{"sdk_data":{"jpush":["location"],"umeng_analytics":null},"state":{}}`,
		`{"sdk_data":{"jpush":["location"],"umeng_analytics":[],"sensors":[]},"state":{}}`,
		`{"sdk_data":null,"state":{}}`,
	} {
		if errs := Check(c, answer(resp)); len(errs) == 0 {
			t.Errorf("%s: no difference found", resp)
		}
	}
	c.Steps[0].Expect.SDKData = nil
	if errs := Check(c, answer(`{"sdk_data":{"x":[]},"state":{}}`)); len(errs) != 0 {
		t.Errorf("no expectation: %v", errs)
	}
}

// TestTraceContains: "RULE: text" needs an entry of that rule whose
// detail contains the text; another rule's entry does not do.
func TestTraceContains(t *testing.T) {
	c := &Case{
		Name: "x", Bundle: "reference", Device: Device{Platform: "android", Version: "33"}, Now: "2026-03-01T10:00:00+08:00",
		Steps: []Step{{Event: []byte(`{"type":"launch"}`), Expect: Expect{TraceContains: []string{"COOLDOWN: refused 1d2h ago"}}}},
	}
	answer := func(resp string) Decide {
		return func(string, []byte) ([]byte, error) { return []byte(resp), nil }
	}
	if errs := Check(c, answer(`{"trace":[{"rule":"JIT","detail":"x"},{"rule":"COOLDOWN","detail":"call_log was refused 1d2h ago: ..."}],"state":{}}`)); len(errs) != 0 {
		t.Errorf("a matching entry fails: %v", errs)
	}
	for _, resp := range []string{
		`{"trace":[{"rule":"COOLDOWN","detail":"call_log was refused 26h ago"}],"state":{}}`,
		`{"trace":[{"rule":"DEGRADE","detail":"refused 1d2h ago"}],"state":{}}`,
		`{"trace":[],"state":{}}`,
	} {
		if errs := Check(c, answer(resp)); len(errs) == 0 {
			t.Errorf("%s: no difference found", resp)
		}
	}
}
