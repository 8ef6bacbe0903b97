package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// phoneWidth and phoneHeight are the viewport of an iPhone 12 to 14 in CSS
// pixels: the narrowest window the demo promises to fit.
const (
	phoneWidth  = 390
	phoneHeight = 844
)

// cjkReference is Chinese the font check draws whatever the page shows: a
// page in English shows almost none, and the check must still fail on a
// machine without a CJK font.
const cjkReference = "隐私政策单独同意马上消费隱私權單獨"

// TestDemoScreens opens the demo in headless Chromium at a phone's width
// (390x844) in zh-CN, en and zh-TW, and at a desktop's width, on Android 13
// with the loan application's location rationale (the one with a separate
// consent) open. It checks what the issue found broken: the phone fits in
// the window (nothing of it cut off), the app's screen ends above the
// Android gesture bar (the home bar covers none of it), the separate-consent
// label is in the request's locale, and no Chinese character on the page
// falls back to an empty box. It writes screenshots to dist/demo-<width>-
// <locale>.png (the rationale) and dist/demo-<width>-<locale>-home.png (the
// home screen scrolled to its end). Without Chromium or without a CJK font (Debian's
// fonts-noto-cjk) it fails: it never skips.
func TestDemoScreens(t *testing.T) {
	dist := filepath.Join(repo, "dist")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}

	srv := newServer(t, Site{Root: repo, Module: wasmtest.Path(t, wasmtest.Shipped), Bundle: wasmtest.Bundle(t)})
	bctx := wasmtest.Chromium(t, 1400, 1000, 90*time.Second)

	for _, tc := range []struct {
		locale        string
		width, height int64
		mobile        bool
		label         string // the separate-consent label's start
	}{
		{"zh-CN", phoneWidth, phoneHeight, true, "单独同意 · "},
		{"en", phoneWidth, phoneHeight, true, "Separate consent · "},
		{"zh-TW", phoneWidth, phoneHeight, true, "單獨同意 · "},
		{"zh-CN", 1400, 1000, false, "单独同意 · "},
	} {
		t.Run(fmt.Sprintf("%dx%d_%s", tc.width, tc.height, tc.locale), func(t *testing.T) {
			p := openPage(t, bctx, srv)
			vp := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
			if tc.mobile {
				vp = append(vp, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			p.do("set the viewport", chromedp.EmulateViewport(tc.width, tc.height, vp...))
			// A phone's browser lays out a page that does not fit its
			// screen wider than the screen, and shrinks it or cuts it off.
			if w := p.eval("window width", `String(innerWidth)`); w != fmt.Sprint(tc.width) {
				t.Errorf("the page lays out %s px wide on a %d px wide screen", w, tc.width)
			}

			p.choose("platform-select", "android")
			p.choose("version-select", "33")
			p.choose("locale-select", tc.locale)
			p.click("launch")
			p.wait("policy-dialog")
			p.click("policy-accept")
			p.gone("policy-dialog")
			p.wait("home")
			p.expectAboveHomeBar() // scrolled to the last tiles
			p.expectPhoneInView(float64(tc.width), float64(tc.height))
			p.saveScreenshot(filepath.Join(dist, fmt.Sprintf("demo-%d-%s-home.png", tc.width, tc.locale)))

			p.enter("loan_apply/apply")
			p.waitSel(`[data-testid="rationale-dialog"][data-permission="location"]`)
			label := p.text("rationale-separate-label")
			if !strings.HasPrefix(label, tc.label) {
				t.Errorf("the separate-consent label in %s is %q, want it to start with %q", tc.locale, label, tc.label)
			}
			if tc.locale == "en" && han.MatchString(label) {
				t.Errorf("the separate-consent label in en has Chinese: %q", label)
			}
			p.expectAboveHomeBar()
			p.expectPhoneInView(float64(tc.width), float64(tc.height))
			p.saveScreenshot(filepath.Join(dist, fmt.Sprintf("demo-%d-%s.png", tc.width, tc.locale)))
			p.expectNoTofu()
		})
	}
}

// han matches a Chinese character.
var han = regexp.MustCompile(`\p{Han}`)

// expectPhoneInView scrolls the phone into view and fails unless all of it
// is inside the width x height screen and the page does not scroll
// sideways.
func (p *page) expectPhoneInView(width, height float64) {
	p.t.Helper()
	var r struct {
		Left, Top, Right, Bottom float64
		Width, Height            float64
		ScrollWidth              float64
	}
	js := `(() => {
		const phone = document.querySelector('[data-testid="phone"]');
		phone.scrollIntoView({block: 'center', inline: 'center'});
		const b = phone.getBoundingClientRect();
		return JSON.stringify({Left: b.left, Top: b.top, Right: b.right, Bottom: b.bottom,
			Width: innerWidth, Height: innerHeight, ScrollWidth: document.documentElement.scrollWidth});
	})()`
	if err := json.Unmarshal([]byte(p.eval("the phone's box", js)), &r); err != nil {
		p.t.Fatal(err)
	}
	r.Width, r.Height = min(r.Width, width), min(r.Height, height)
	if r.Left < 0 || r.Top < 0 || r.Right > r.Width || r.Bottom > r.Height {
		p.t.Errorf("the phone (left %.0f, top %.0f, right %.0f, bottom %.0f) is cut off by the %.0fx%.0f window",
			r.Left, r.Top, r.Right, r.Bottom, r.Width, r.Height)
	}
	if r.ScrollWidth > r.Width {
		p.t.Errorf("the page is %.0f px wide in a %.0f px window: it scrolls sideways", r.ScrollWidth, r.Width)
	}
}

// expectAboveHomeBar scrolls the app's screen to its end and fails if the
// home bar (the gesture bar on Android) covers any of it: the screen, every
// tile on it and the open dialog's buttons end above the bar.
func (p *page) expectAboveHomeBar() {
	p.t.Helper()
	js := `(() => {
		const screen = document.querySelector('[data-testid="app-screen"]');
		screen.scrollTop = screen.scrollHeight;
		const bar = document.querySelector('.phone .homebar').getBoundingClientRect();
		const out = [];
		const check = (what, e) => {
			const b = e.getBoundingClientRect();
			if (b.height > 0 && b.bottom > bar.top && b.top < bar.bottom) out.push(what + ' ends at ' + b.bottom + ', under the home bar from ' + bar.top);
		};
		check('the app screen', screen);
		for (const e of screen.querySelectorAll('button')) check(e.dataset.testid || e.textContent, e);
		for (const e of document.querySelectorAll('[data-testid="app-layer"]:not([hidden]) .dialog, [data-testid="app-layer"]:not([hidden]) button')) check(e.dataset.testid || e.className, e);
		return out.join('\n');
	})()`
	if msg := p.eval("the home bar", js); msg != "" {
		p.t.Errorf("the home bar covers the app:\n%s", msg)
	}
}

// saveScreenshot writes what the window shows to file.
func (p *page) saveScreenshot(file string) {
	p.t.Helper()
	var png []byte
	p.do("screenshot", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		png, err = chromedp.CaptureScreenshot()(ctx, t)
		return err
	}))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", file)
}

// tofuJS draws, on a canvas, every Chinese character the page shows (in
// its element's font) and those of cjkReference (in the page's font), and
// compares each with the font's .notdef glyph, drawn for an unassigned code
// point (U+0378): a character no installed font has falls back to that
// empty box, pixel for pixel. A character that draws nothing, or draws the
// same pixels as another, fails too.
const tofuJS = `(async () => {
	await document.fonts.ready;
	const han = /[\p{Script=Han}\u3001-\u303f\uff01-\uff5e]/gu;
	const byFont = new Map();
	const add = (font, ch) => { if (!byFont.has(font)) byFont.set(font, new Set()); byFont.get(font).add(ch); };
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n; (n = walker.nextNode());) {
		const e = n.parentElement;
		if (!e || !e.getClientRects().length) continue;
		const s = getComputedStyle(e);
		for (const ch of n.data.match(han) || []) add(s.fontWeight + ' 32px ' + s.fontFamily, ch);
	}
	const body = getComputedStyle(document.body);
	for (const ch of %s) add('400 32px ' + body.fontFamily, ch);
	const c = document.createElement('canvas');
	c.width = 48; c.height = 48;
	const g = c.getContext('2d', {willReadFrequently: true});
	const draw = (font, ch) => {
		g.clearRect(0, 0, 48, 48);
		g.font = font; g.fillStyle = '#000'; g.textBaseline = 'top';
		g.fillText(ch, 4, 4);
		const d = g.getImageData(0, 0, 48, 48).data;
		let key = '', ink = 0;
		for (let i = 3; i < d.length; i += 4) { key += String.fromCharCode(d[i]); ink += d[i]; }
		return {key, ink};
	};
	const out = {checked: 0, fonts: [], tofu: [], blank: [], same: []};
	for (const [font, chars] of byFont) {
		out.fonts.push(font);
		const notdef = draw(font, '\u0378').key;
		const seen = new Map();
		for (const ch of chars) {
			out.checked++;
			const {key, ink} = draw(font, ch);
			if (ink === 0) out.blank.push(ch);
			else if (key === notdef) out.tofu.push(ch);
			else if (seen.has(key)) out.same.push(seen.get(key) + ch);
			else seen.set(key, ch);
		}
	}
	return JSON.stringify(out);
})()`

// expectNoTofu fails if a Chinese character on the page, or one of
// cjkReference, is drawn as the empty box of a missing glyph.
func (p *page) expectNoTofu() {
	p.t.Helper()
	ref, _ := json.Marshal(cjkReference)
	js := fmt.Sprintf(tofuJS, ref)
	var s string
	p.do("check the fonts", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		s, err = chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise)(ctx, t)
		return err
	}))
	var r struct {
		Checked           int
		Fonts             []string
		Tofu, Blank, Same []string
	}
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		p.t.Fatalf("the font check: %v: %s", err, s)
	}
	distinct := map[rune]bool{}
	for _, c := range cjkReference {
		distinct[c] = true
	}
	if r.Checked < len(distinct) {
		p.t.Fatalf("the font check drew %d characters, want at least the %d of its reference", r.Checked, len(distinct))
	}
	if len(r.Tofu)+len(r.Blank)+len(r.Same) > 0 {
		p.t.Errorf("of %d Chinese characters, %d are drawn as the empty box of a missing glyph (%s), %d draw nothing (%s), "+
			"%d pairs draw the same (%s): no CJK font? Debian needs fonts-noto-cjk (fonts: %s)",
			r.Checked, len(r.Tofu), strings.Join(r.Tofu, ""), len(r.Blank), strings.Join(r.Blank, ""),
			len(r.Same), strings.Join(r.Same, " "), strings.Join(r.Fonts, "; "))
		return
	}
	p.t.Logf("fonts: %d Chinese characters drawn, none an empty box", r.Checked)
}
