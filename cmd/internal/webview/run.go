package webview

import (
	"context"
	"errors"
	"net"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
)

// Run serves v on ln and adds every message tl reads to it, until ctx is
// done (it then returns nil) or either fails. It closes ln and tl.
func Run(ctx context.Context, ln net.Listener, tl *tail.Tail, v *View) error {
	defer tl.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- Follow(ctx, tl, v) }()
	go func() { errc <- Serve(ctx, ln, v) }()
	err := <-errc
	cancel()
	tl.Close() // ends a Next that does not watch ctx yet
	if err2 := <-errc; !errors.Is(err2, tail.ErrClosed) {
		err = errors.Join(err, err2)
	}
	return err
}
