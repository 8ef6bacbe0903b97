package prompts

import (
	"path/filepath"
	"strings"

	"golang.org/x/text/language"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// Catalog is the messages of one locale, read from go-i18n message files
// named <locale>.toml (locales/zh-CN.toml).
type Catalog struct {
	Locale   string
	Files    []string
	Messages map[string]*Message
	raw      map[string][]byte // file -> content, for go-i18n
}

// Message is one message of a catalog.
type Message struct {
	ID   string
	Text string // the "other" form: the text in a language without plurals
	Pos  errcode.Pos
}

// go-i18n's reserved keys: a table holding them is one message.
var messageKeys = map[string]bool{
	"id": true, "description": true, "hash": true, "leftdelim": true, "rightdelim": true,
	"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true,
	"translation": true,
}

// isMessageTable reports whether a table is one message rather than a
// namespace of messages. go-i18n takes a table for a message when any of
// its keys is reserved and holds a string.
func isMessageTable(m map[string]any) bool {
	for k, v := range m {
		if _, ok := v.(string); ok && messageKeys[strings.ToLower(k)] {
			return true
		}
	}
	return false
}

// readLocale parses one message file into cat, checking what go-i18n would
// accept silently or reject without a position: wrong types, unknown keys
// in a message table, empty texts, a message defined twice.
func readLocale(cat *Catalog, file string, data []byte) errcode.List {
	doc, perr := parseTOML(file, data)
	if perr != nil {
		return errcode.List{*perr}
	}
	var probs errcode.List
	add := func(code errcode.Code, key, msg string) {
		probs = append(probs, errcode.Error{Pos: doc.pos(key), Code: code, Field: key, Message: msg})
	}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for _, k := range sortedKeys(m) {
			id := join(prefix, k)
			switch v := m[k].(type) {
			case string:
				addMessage(cat, id, v, doc.pos(id), add)
			case map[string]any:
				if !isMessageTable(v) {
					walk(id, v)
					continue
				}
				for _, sub := range sortedKeys(v) {
					if !messageKeys[strings.ToLower(sub)] {
						add(CodeUnknownKey, id+"."+sub, "unknown key "+sub+" in the message table "+id+" (a message table holds description and plural forms such as other)")
					} else if _, ok := v[sub].(string); !ok {
						add(CodeType, id+"."+sub, "expected a string, got "+tomlType(v[sub]))
					}
				}
				if text, ok := v["other"].(string); ok {
					addMessage(cat, id, text, doc.pos(id+".other"), add)
				} else if _, ok := v["other"]; !ok {
					add(CodeMissingKey, id+".other", "the message table "+id+" needs an other text")
				}
			default:
				add(CodeType, id, "expected a text or a table of texts, got "+tomlType(v))
			}
		}
	}
	walk("", doc.tree)
	if len(probs) == 0 {
		cat.Files = append(cat.Files, file)
		cat.raw[file] = data
	}
	return probs
}

func addMessage(cat *Catalog, id, text string, pos errcode.Pos, add func(code errcode.Code, key, msg string)) {
	if !messagePattern.MatchString(id) {
		add(CodeBadValue, id, "message ids are dotted lower-case words, like policy.title")
		return
	}
	if strings.TrimSpace(text) == "" {
		add(CodeEmptyText, id, "the text is empty")
		return
	}
	if prev, ok := cat.Messages[id]; ok {
		add(CodeDuplicateID, id, "message "+id+" is already defined at "+prev.Pos.String())
		return
	}
	cat.Messages[id] = &Message{ID: id, Text: text, Pos: pos}
}

// localeOf returns the locale a message file is for, from its name.
func localeOf(file string) (string, error) {
	name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	tag, err := language.Parse(name)
	if err != nil {
		return "", err
	}
	return tag.String(), nil
}
