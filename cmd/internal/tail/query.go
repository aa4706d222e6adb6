package tail

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Query is a search over request logs or event messages, as the web view's
// search box and relaytail's -q write it: words separated by spaces, each a
// condition, all of which must hold.
//
//	status=5xx dur>=250ms level=error "out of stock"
//	event=0193a7 payload.order_id=42 time>=30m
//
// A word key=value, key>=value, key>value, key<=value or key<value is a
// condition on a field (the keys are in [QueryKeys]); any other word, or
// text in double quotes, is free text, found case-insensitively in the
// request's path, query string, request ID, service, trace ID and lines (payloads as
// written), or in an event's key and value. Build it with [ParseQuery];
// the zero Query matches everything.
type Query struct {
	conds []cond
	words [][]byte // free text, lower case
	text  string   // as parsed
}

// cond is one condition of a query, bound to its key.
type cond struct {
	key   *queryKey
	name  string // as written ("payload.order_id")
	op    string
	value any // what the key's parse returned
}

// String returns the query as it was parsed.
func (q Query) String() string { return q.text }

// Empty reports whether q has no condition.
func (q Query) Empty() bool { return len(q.conds) == 0 && len(q.words) == 0 }

// ParseQuery parses s into a query over messages of kind (KindRequestLog
// or KindEvent). now is the time relative times count back from
// ("time>=1h" is an hour before now). Errors name the word and what is
// wrong with it; a key that does not apply to kind, or that no table
// entry knows, is an error that lists the keys that do.
func ParseQuery(s string, kind Kind, now time.Time) (Query, error) {
	q := Query{text: strings.TrimSpace(s)}
	words, err := splitWords(s)
	if err != nil {
		return Query{}, err
	}
	for _, w := range words {
		if w.quoted {
			q.words = append(q.words, bytes.ToLower([]byte(w.text)))
			continue
		}
		name, op, value, ok := splitCondition(w.text)
		if !ok {
			q.words = append(q.words, bytes.ToLower([]byte(w.text)))
			continue
		}
		k := lookupKey(name)
		if k == nil || (kind == KindRequestLog && k.request == nil) || (kind == KindEvent && k.event == nil) {
			return Query{}, fmt.Errorf("%q: unknown key %q; the keys of %ss are %s (quote a word to search it as text)",
				w.text, name, kind, strings.Join(QueryKeys(kind), ", "))
		}
		if !strings.Contains(k.ops, "["+op+"]") {
			return Query{}, fmt.Errorf("%q: %s takes %s", w.text, name, strings.NewReplacer("][", " or ", "[", "", "]", "").Replace(k.ops))
		}
		v, err := k.parse(name, op, value, now)
		if err != nil {
			return Query{}, fmt.Errorf("%q: %w", w.text, err)
		}
		q.conds = append(q.conds, cond{key: k, name: name, op: op, value: v})
	}
	return q, nil
}

// word is a word of a query; quoted words are free text whatever they hold.
type word struct {
	text   string
	quoted bool
}

// maxQueryBytes bounds a query: it is typed, or a URL.
const maxQueryBytes = 4 << 10

func splitWords(s string) ([]word, error) {
	if len(s) > maxQueryBytes {
		return nil, fmt.Errorf("the query is %d bytes long; at most %d", len(s), maxQueryBytes)
	}
	var out []word
	rs := []rune(s)
	for i := 0; i < len(rs); {
		switch {
		case unicode.IsSpace(rs[i]):
			i++
		case rs[i] == '"':
			end := slices.Index(rs[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("a quote opened at character %d is not closed", i+1)
			}
			if end > 0 {
				out = append(out, word{string(rs[i+1 : i+1+end]), true})
			}
			i += end + 2
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) {
				if rs[j] == '"' { // key="a value with spaces"
					end := slices.Index(rs[j+1:], '"')
					if end < 0 {
						return nil, fmt.Errorf("a quote opened at character %d is not closed", j+1)
					}
					rs = slices.Delete(rs, j+1+end, j+2+end)
					rs = slices.Delete(rs, j, j+1)
					j += end
					continue
				}
				j++
			}
			out = append(out, word{string(rs[i:j]), false})
			i = j
		}
	}
	return out, nil
}

// splitCondition splits "key>=value" at its operator; ok is false for a
// word that is not a condition (no operator, or no key before it).
func splitCondition(w string) (key, op, value string, ok bool) {
	i := strings.IndexAny(w, "=<>")
	if i <= 0 {
		return "", "", "", false
	}
	key, rest := w[:i], w[i:]
	for _, o := range []string{">=", "<=", "=", ">", "<"} {
		if strings.HasPrefix(rest, o) {
			return strings.ToLower(key), o, rest[len(o):], true
		}
	}
	return "", "", "", false
}

// MatchRequest reports whether the request log m (of KindRequestLog)
// passes every condition of q.
func (q Query) MatchRequest(m *Message) bool {
	if m.RequestLog == nil {
		return false
	}
	for _, c := range q.conds {
		if !c.key.request(c, m) {
			return false
		}
	}
	for _, w := range q.words {
		if !requestHasText(m, w) {
			return false
		}
	}
	return true
}

// MatchEvent reports whether the event message m (of KindEvent) passes
// every condition of q.
func (q Query) MatchEvent(m *Message) bool {
	if m.Event == nil {
		return false
	}
	for _, c := range q.conds {
		if !c.key.event(c, m) {
			return false
		}
	}
	for _, w := range q.words {
		if !containsFold(m.Key, w) && !containsFold(m.Value, w) {
			return false
		}
	}
	return true
}

func requestHasText(m *Message, w []byte) bool {
	l := m.RequestLog
	for _, s := range []string{l.Path, l.QueryString, l.RequestID, l.Service, l.TraceID} {
		if containsFold([]byte(s), w) {
			return true
		}
	}
	for _, line := range l.Lines {
		if containsFold(line.Raw, w) {
			return true
		}
	}
	return false
}

// containsFold reports whether lower (lower case) is in b, ignoring case
// (ASCII and simple Unicode folding), without allocating for ASCII text.
// It runs Knuth–Morris–Pratt over ASCII-folded bytes: time linear in
// len(b) + len(lower), whatever a hostile record and word hold.
func containsFold(b, lower []byte) bool {
	if len(lower) == 0 {
		return true
	}
	if len(lower) <= len(b) && indexFoldASCII(b, lower) {
		return true
	}
	if !isASCII(lower) {
		return bytes.Contains(bytes.ToLower(b), lower)
	}
	return false
}

// indexFoldASCII is the KMP search of lower in b, b's ASCII letters
// folded to lower case.
func indexFoldASCII(b, lower []byte) bool {
	var small [64]int
	fail := small[:0]
	if len(lower) > len(small) {
		fail = make([]int, 0, len(lower))
	}
	fail = append(fail, 0)
	for i, k := 1, 0; i < len(lower); i++ {
		for k > 0 && lower[i] != lower[k] {
			k = fail[k-1]
		}
		if lower[i] == lower[k] {
			k++
		}
		fail = append(fail, k)
	}
	k := 0
	for _, x := range b {
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		for k > 0 && x != lower[k] {
			k = fail[k-1]
		}
		if x == lower[k] {
			k++
			if k == len(lower) {
				return true
			}
		}
	}
	return false
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
