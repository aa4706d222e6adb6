package webview

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/cmd/internal/termtext"
	"github.com/otelrelayer/otelrelayer/wire"
)

// replayTimeout bounds the wait for room in the client's buffer and for a
// broker that does not answer before the replay's record is sent. Once
// sent, the record is not failed by the timeout: an idempotent client
// (franz-go's default, and the commands' replay clients) fails a record on
// its context only while no request carrying it was written (kgo's
// recBatch.canFailFromLoadErrs && !unsureIfProduced); the page then waits
// for the broker's answer, so "Replay failed" means nothing was written. A
// client given kgo.DisableIdempotentWrite (or
// kgo.AllowIdempotentProduceCancellation) may fail a record already sent.
var replayTimeout = 10 * time.Second

// newToken returns the replay form's CSRF token: 16 random bytes in hex,
// one per View.
func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webview: making the replay token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// replayedPage says what a replay produced.
type replayedPage struct {
	page
	Original, New string
	Topic         string
	Partition     int32
	Offset        int64
	NewURL        string
}

// serveReplay re-produces the held event id to the form's topic (its own
// by default) with a new event ID and the [wire.ReplayOfHeader] header
// naming the original, without the original's
// [wire.OutboxWrittenAtHeader] (the replay did not go through an outbox).
// It answers 403 when the view has no replay, when the form does not carry
// the view's CSRF token, or when replayOrigin refuses the request; 409
// when the held message is not the one the page showed (replayAt).
func (v *View) serveReplay(w http.ResponseWriter, r *http.Request, id string) {
	if v.cfg.replay == nil {
		v.problem(w, http.StatusForbidden, "Replay is off", "This view was not started with -allow-replay: it re-produces no event.")
		return
	}
	if err := replayOrigin(r); err != nil {
		v.problem(w, http.StatusForbidden, "Replay refused", err.Error())
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		v.problem(w, http.StatusBadRequest, "Bad replay form", err.Error())
		return
	}
	if token := r.PostForm.Get("csrf"); token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(v.csrf)) != 1 {
		v.problem(w, http.StatusForbidden, "Replay refused", "The form carries no valid CSRF token: replay from the event's page of this view.")
		return
	}
	m, ok := v.store.event(id)
	if !ok {
		v.problem(w, http.StatusNotFound, "Event not held", "There is no event message held with this ID to replay.")
		return
	}
	if r.PostForm.Get("at") != replayAt(m) {
		v.problem(w, http.StatusConflict, "Event changed",
			"The message held under this event ID is not the one the page showed: another record carries the same ID (any producer can write one). Reload the event's page and check it before replaying.")
		return
	}
	topic := strings.TrimSpace(r.PostForm.Get("topic"))
	if topic == "" {
		topic = m.Topic
	}
	if err := checkTopicName(topic); err != nil {
		v.problem(w, http.StatusBadRequest, "Bad replay topic", err.Error())
		return
	}
	newID, err := uuid.NewV7()
	if err != nil {
		v.problem(w, http.StatusInternalServerError, "Replay failed", err.Error())
		return
	}
	rec := &kgo.Record{Topic: topic, Key: m.Key, Value: m.Value}
	for _, h := range m.Headers {
		switch h.Key {
		case wire.EventIDHeader, wire.CEIDHeader:
			rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: h.Key, Value: []byte(newID.String())})
		case wire.ReplayOfHeader: // a replay of a replay names the event replayed
		case wire.OutboxWrittenAtHeader: // a replay is not an outbox's: its delay would count from the original's write
		default:
			rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
		}
	}
	rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: wire.ReplayOfHeader, Value: []byte(id)})
	ctx, cancel := context.WithTimeout(r.Context(), replayTimeout)
	defer cancel()
	if err := v.cfg.replay.ProduceSync(ctx, rec).FirstErr(); err != nil {
		fmt.Fprintf(v.cfg.replayLog, "replay of event %s to %s failed: %s\n", termtext.Escape(id), termtext.Escape(topic), termtext.Escape(err.Error()))
		v.problem(w, http.StatusBadGateway, "Replay failed", fmt.Sprintf("Producing to %s failed: %v", topic, err))
		return
	}
	fmt.Fprintf(v.cfg.replayLog, "replayed event %s as %s to %s[%d] offset %d\n",
		termtext.Escape(id), newID, termtext.Escape(topic), rec.Partition, rec.Offset)
	v.render(w, http.StatusOK, "replayed", replayedPage{
		page: page{v.bounds()}, Original: id, New: newID.String(), Topic: topic,
		Partition: rec.Partition, Offset: rec.Offset, NewURL: "/events/" + url.PathEscape(newID.String()),
	})
}

// replayOrigin accepts a replay's request, or the event page that carries
// the token, only when it names the view by a loopback name or an IP
// address, and a POST only from the view's own origin. The token alone
// does not suffice: a page of a DNS name that rebinds to the view's address
// is same-origin with the view for the browser, reads the token and posts
// it; its Host is that name, never an IP address.
func replayOrigin(r *http.Request) error {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), "."))
	if net.ParseIP(host) == nil && host != "localhost" && !strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("this page was reached as %q: replay is served only to a view opened by an IP address or localhost (a DNS name could rebind to it)", r.Host)
	}
	if r.Method != http.MethodPost {
		return nil
	}
	// The pages' Referrer-Policy (no-referrer) makes browsers send
	// "Origin: null" with the form; Sec-Fetch-Site says where it came from.
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return errors.New("the form was posted from another site than this view: replay from the event's page of this view")
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return nil // the token decides
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.EqualFold(u.Host, r.Host) {
		return errors.New("the form was posted from another origin than this view's: replay from the event's page of this view")
	}
	return nil
}

// replayAt is the place of the message an event's page shows, which its
// replay form carries: the replay re-produces that message and no other
// with the same event ID.
func replayAt(m *tail.Message) string {
	return fmt.Sprintf("%s/%d/%d", m.Topic, m.Partition, m.Offset)
}

// checkTopicName accepts Kafka's topic names: 1 to 249 of [a-zA-Z0-9._-].
func checkTopicName(t string) error {
	if len(t) > 249 || strings.Trim(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" || t == "." || t == ".." {
		return fmt.Errorf("topic %q: want 1 to 249 letters, digits, '.', '_' or '-'", t)
	}
	return nil
}
