// Package webview serves request logs as web pages for local development: a
// live list, newest first, searched with [tail.ParseQuery]'s syntax
// (request, event and trace IDs, status, duration, level, event type,
// payload fields, time, free text; in the URL, ?q=) and relaytail's
// filters (status class, path prefix, trace ID); a timeline per request
// log on which each line and event sits at its offset from the start of
// the request, error lines marked, events linked to their messages and
// the trace ID linked to a trace UI when [WithTraceURL] gives one; the
// waterfall of a trace across services (/traces/ID), each request log
// under the one that called it by its parent span ID; an event browser
// per topic, searched the same way; each event's page (partition, offset,
// key, headers, payload indented, the emitting request, the outbox delay);
// the NDJSON export of a list. New rows arrive through server-sent events.
//
// # Replay
//
// With [WithReplay], an event's page has a form that re-produces the event
// to its topic (or another named) with a new relayer-event-id (and ce_id)
// and the [wire.ReplayOfHeader] header naming the original; each replay is
// logged with both IDs. The form carries a CSRF token made by [New]; a
// POST without it, or to a view without WithReplay, answers 403. So does
// one posted from another origin, or to the view reached by a host name
// other than localhost (an IP address works): a DNS name that rebinds to
// the view would otherwise read the token; such a page has no form.
// The form names the message shown; when another record with the same
// event ID has replaced it since, the POST answers 409.
//
// A [View] holds what [Follow] reads from Kafka with package tail (or what
// [View.Add] is given), within bounds: the [DefaultMaxRequests] request
// logs and [DefaultMaxEvents] event messages that arrived last unless
// [WithMaxRequests] and [WithMaxEvents] say otherwise, and never more than
// 64 MiB of request logs and 32 MiB of events. Eviction goes by arrival,
// never by the date a record claims; a date in the future of its
// arrival is shown as forged.
//
// # Safety
//
// Payloads are user data, and anyone who can produce to the cluster writes
// them. Every value goes through html/template, which escapes it for where
// it appears, and every page carries a content security policy that runs
// no inline script or style. Control, bidirectional and invisible format
// characters are shown as their code point ("⟨U+202E⟩"). Every page is
// bounded: list fields are cut at 256 bytes, a request's fields at 4 KiB,
// its timeline at 500 lines of 2 KiB, a message's indented JSON at 256 KiB
// and 64 levels of nesting (beyond, the value is shown as written, cut at
// 64 KiB, with a note); /raw/ serves the whole record as a download.
// Records the tail skipped (a batch over [tail.MaxBatchBytes]
// decompressed) are listed as marker rows. /static/ lists nothing. [Listen] binds an
// address without a host to loopback, and [Serve] then answers only
// requests addressed to a loopback name.
//
// The pages use the standard library only (net/http, html/template, embed)
// and a small hand-written script; there is no build step.
package webview
