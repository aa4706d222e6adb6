// Package webview serves request logs as web pages for local development: a
// live list, newest first, with relaytail's filters (status class, path
// prefix, trace ID), and a timeline per request log on which each line and
// event sits at its offset from the start of the request, error lines
// marked, events linked to their messages (topic, partition, offset, key,
// headers, body) and the trace ID linked to a trace UI when
// [WithTraceURL] gives one. New rows arrive through server-sent events.
//
// A [View] holds what [Follow] reads from Kafka with package tail (or what
// [View.Add] is given), within bounds: the newest [DefaultMaxRequests]
// request logs by date and [DefaultMaxEvents] event messages by arrival
// unless [WithMaxRequests] and [WithMaxEvents] say otherwise, and never
// more than 64 MiB of request logs and 32 MiB of events.
//
// # Safety
//
// Payloads are user data. Every value goes through html/template, which
// escapes it for where it appears, and every page carries a content
// security policy that runs no inline script or style. [Listen] binds an
// address without a host to loopback, and [Serve] then answers only
// requests addressed to a loopback name.
//
// The pages use the standard library only (net/http, html/template, embed)
// and a small hand-written script; there is no build step.
package webview
