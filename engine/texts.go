package engine

// The texts of the policy popup: which of a locale's texts a popup shows,
// and the lines of what changed since the version the user accepted. The
// response shows them (render.go) and the receipt hashes them
// (receipt.go), so both read them here.

// popupTexts returns the title, body and buttons of a policy popup.
func (lt *localeTexts) popupTexts(pop popup) (title, body, accept, decline text) {
	switch pop {
	case popFirst:
		return lt.policyTitle, lt.policyBody, lt.policyAccept, lt.policyDecl
	case popMajor:
		return lt.updTitle, lt.updMajor, lt.updAccept, lt.updDecline
	default:
		// A minor update offers a choice too; it only does not block.
		return lt.updTitle, lt.updMinor, lt.updAccept, lt.updDecline
	}
}

// changeLines calls fn with each line of what changed since version from.
func (e *Engine) changeLines(from, locale int, fn func(text)) {
	for i := from + 1; i < len(e.history); i++ {
		for _, c := range e.history[i].changes {
			fn(c.text[locale])
		}
	}
}
