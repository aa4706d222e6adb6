package webview

import (
	"context"
	"errors"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
)

// Follow adds every message t reads to v until ctx is done (it then returns
// nil) or t fails. Messages that are neither request logs nor events are
// skipped. The view orders request logs by date itself: t needs no
// ordering window.
func Follow(ctx context.Context, t *tail.Tail, v *View) error {
	for {
		m, err := t.Next(ctx)
		switch {
		case ctx.Err() != nil || errors.Is(err, tail.ErrClosed):
			return nil
		case err != nil:
			return err
		}
		v.Add(m)
	}
}
