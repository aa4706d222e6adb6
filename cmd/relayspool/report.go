package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/termtext"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// inspect prints what the spool in dir holds: 0 when it is sound, 1 when
// it is damaged or cannot be read.
func inspect(dir string, stdout, stderr io.Writer) int {
	rep, err := kafkasink.InspectSpool(dir)
	if err != nil {
		fmt.Fprintf(stderr, "relayspool: %s\n", quote(err.Error()))
		return 1
	}
	printReport(stdout, rep, time.Now())
	if rep.OpenError != nil || len(rep.Damage) > 0 {
		return 1
	}
	return 0
}

// salvage rebuilds a damaged spool: 0 when it is sound afterwards.
func salvage(dir string, stdout, stderr io.Writer) int {
	s, err := kafkasink.SalvageSpool(dir)
	if err != nil {
		fmt.Fprintf(stderr, "relayspool: %s\n", quote(err.Error()))
		return 1
	}
	if s.Aside == "" {
		fmt.Fprintf(stdout, "%s: no damage, nothing to salvage (%d records)\n", quote(dir), s.Before.Records)
		return 0
	}
	fmt.Fprintf(stdout, "%s: salvaged, %d records kept in a fresh spool\n", quote(dir), s.Kept)
	fmt.Fprintf(stdout, "old files moved to %s\n", quote(s.Aside))
	if len(s.Before.Damage) > 0 {
		fmt.Fprintf(stdout, "could not read:\n")
		printDamage(stdout, s.Before.Damage)
	}
	return 0
}

func printReport(w io.Writer, r kafkasink.SpoolReport, now time.Time) {
	fmt.Fprintf(w, "spool    %s\n", quote(r.Dir))
	fmt.Fprintf(w, "records  %d (%d bytes)\n", r.Records, r.Bytes)
	if !r.Oldest.IsZero() {
		fmt.Fprintf(w, "oldest   %s ago (%s)\n", now.Sub(r.Oldest).Round(time.Second), r.Oldest.UTC().Format(time.RFC3339))
	}
	topics := make([]string, 0, len(r.Topics))
	for t := range r.Topics {
		topics = append(topics, t)
	}
	slices.Sort(topics)
	for _, t := range topics {
		fmt.Fprintf(w, "topic    %s: %d records\n", quote(t), r.Topics[t])
	}
	if r.TornBytes > 0 {
		fmt.Fprintf(w, "torn     %d bytes of a commit interrupted by a crash (never acknowledged; cut when the spool opens)\n", r.TornBytes)
	}
	if len(r.Damage) == 0 && r.OpenError == nil {
		fmt.Fprintf(w, "damage   none: the producer opens this spool\n")
		return
	}
	fmt.Fprintf(w, "damage   %d damaged range(s) or file(s):\n", len(r.Damage))
	printDamage(w, r.Damage)
	if r.OpenError != nil {
		fmt.Fprintf(w, "the producer refuses this spool: %s\n", quote(r.OpenError.Error()))
	}
	fmt.Fprintf(w, "run `relayspool salvage %s` to keep every valid record\n", quote(r.Dir))
}

func printDamage(w io.Writer, ds []kafkasink.SpoolDamage) {
	for _, d := range ds {
		if d.Offset < 0 {
			fmt.Fprintf(w, "  %s: %s\n", quote(filepath.Base(d.File)), quote(d.Reason))
			continue
		}
		fmt.Fprintf(w, "  %s at byte %d (%d bytes): %s\n", quote(filepath.Base(d.File)), d.Offset, d.Length, quote(d.Reason))
	}
}

// quote makes s safe for a terminal: control, invisible and bidirectional
// characters (from a hostile directory name or record) are escaped, with the
// commands' one escaping function.
func quote(s string) string { return termtext.Escape(s) }
