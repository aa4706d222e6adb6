package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/cmd/internal/webview"
)

// The web view of request logs, on by default at cli.DefaultViewAddr: a
// live list, a timeline per request, the event messages. It reads every
// topic of the broker from its start (with -data, what earlier runs kept)
// and holds the newest -max-requests request logs. With -allow-replay,
// each event's page can re-produce its event to the broker.
func init() {
	var flags *cli.ViewFlags
	var view *webview.View // nil with -ui ""
	addons = append(addons, addon{
		flags: func(fs *flag.FlagSet) {
			flags = cli.RegisterViewFlags(fs, os.Getenv, ` (-ui "" turns it off)`)
		},
		check: func() error {
			view = nil
			if flags.Addr() == "" {
				return nil
			}
			v, err := flags.NewView()
			if err != nil {
				return err
			}
			view = v
			return nil
		},
		start: func(ctx context.Context, brokers []string, stdout, stderr io.Writer) error {
			if view == nil {
				return nil
			}
			return startUI(ctx, flags, view, brokers, stdout, stderr)
		},
	})
}

// startUI serves v at the -ui address until ctx is done.
func startUI(ctx context.Context, flags *cli.ViewFlags, v *webview.View, brokers []string, stdout, stderr io.Writer) error {
	ln, err := webview.Listen(flags.Addr())
	if err != nil {
		if !flags.AddrGiven() {
			// The default port is taken: the broker is what was asked for.
			cli.Notef(stderr, "relayer-dev", "no web view (%v); -ui :PORT serves it elsewhere", err)
			return nil
		}
		return err
	}
	conn, err := ownBroker(brokers)
	if err != nil {
		ln.Close()
		return fmt.Errorf("web view: %w", err)
	}
	tl, err := tail.Open(ctx, tail.Config{
		Brokers:       brokers,
		ClientOptions: conn.ClientOptions(),
		OnFetchError: func(topic string, partition int32, err error) {
			cli.Notef(stderr, "relayer-dev", "web view reading %s[%d]: %v", topic, partition, err)
		},
	})
	if err != nil {
		ln.Close()
		return fmt.Errorf("web view: %w", err)
	}
	if flags.AllowReplay() {
		replayer, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, conn.ClientOptions()...)...)
		if err != nil {
			tl.Close()
			ln.Close()
			return fmt.Errorf("web view: the replay's producer: %w", err)
		}
		defer replayer.Close()
		if v, err = flags.NewView(webview.WithReplay(replayer, cli.Notes(stderr, "relayer-dev"))); err != nil {
			tl.Close()
			ln.Close()
			return err
		}
	}
	fmt.Fprintf(stdout, "web view of request logs: %s\n", webview.URL(ln))
	return webview.Run(ctx, ln, tl, v)
}
