// Package consolefmt prints otelrelayer's messages for people: a request
// log as relaytail shows it ([RequestLog]), an event on one row ([Event]),
// and any other message on one row ([Other]). relaytail, the dev broker's
// tail and the quickstart share it, so they read alike.
package consolefmt
