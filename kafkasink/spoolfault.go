package kafkasink

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// recordFault reports whether err is about the record itself, so that no
// retry can ever deliver it: too large, invalid or corrupt. Only such a
// record leaves the spool undelivered. Every other error, about the topic
// (authorization, unknown topic, policy) or the cluster (not enough
// replicas, timeouts, a broker away), is someone else's to fix: the record
// stays on disk and is produced again after a backoff.
func recordFault(r *kgo.Record, err error) bool {
	if r.Topic == "" { // no topic, and no default topic: franz-go can never produce it
		return true
	}
	var ke *kerr.Error
	if !errors.As(err, &ke) {
		return false
	}
	switch ke {
	case kerr.MessageTooLarge, kerr.RecordListTooLarge, kerr.CorruptMessage, kerr.InvalidRecord, kerr.InvalidTimestamp:
		return true
	}
	return false
}

// eventIDHeader is the header that names a record in reports: the event ID
// otelrelayer gives every message.
const eventIDHeader = "relayer-event-id"

// eventID returns r's relayer-event-id header, or "" without one.
func eventID(r *kgo.Record) string {
	for _, h := range r.Headers {
		if h.Key == eventIDHeader {
			return string(h.Value)
		}
	}
	return ""
}
