package propagation

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel"
	otelprop "go.opentelemetry.io/otel/propagation"
)

type config struct {
	propagator otelprop.TextMapPropagator
}

// Option configures [Inject] and [Extract]. A nil Option is ignored.
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// WithPropagator sets the propagator, overriding the default: the global one
// from [otel.GetTextMapPropagator] at the time of the call.
// WithPropagator(nil) keeps the default.
func WithPropagator(p otelprop.TextMapPropagator) Option {
	return optionFunc(func(c config) config {
		c.propagator = p
		return c
	})
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			c = o.apply(c)
		}
	}
	if c.propagator == nil {
		c.propagator = otel.GetTextMapPropagator()
	}
	return c
}

// Inject writes the context in ctx into r's headers. A nil ctx means
// context.Background(): nothing is written.
func Inject(ctx context.Context, r *kgo.Record, opts ...Option) {
	if ctx == nil {
		ctx = context.Background()
	}
	newConfig(opts).propagator.Inject(ctx, NewCarrier(&r.Headers))
}

// Extract returns ctx with the context read from r's headers. Missing or
// malformed headers leave ctx as it was. A nil ctx means
// context.Background().
func Extract(ctx context.Context, r *kgo.Record, opts ...Option) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return newConfig(opts).propagator.Extract(ctx, NewCarrier(&r.Headers))
}
