package bridge

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// attributePipeline is a fakePipeline that records SetAttributes too.
type attributePipeline struct {
	fakePipeline
	mu  sync.Mutex
	got []AttributesRecord
}

func (p *attributePipeline) SetAttributes(_ context.Context, r AttributesRecord) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	r.Attributes = slices.Clone(r.Attributes) // valid only during the call
	p.got = append(p.got, r)
	return p.err
}

// SetAttributes reaches pipelines through the optional AttributeSetter:
// each one bound to the provider, a clear error for one without it, and
// ErrShutdown once retired.
func TestSetAttributesReachesAttributeSetters(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T) []*attributePipeline
		wantErr error // nil: success
		wantGot int   // pipelines that got the call
	}{
		{"one pipeline", func(t *testing.T) []*attributePipeline {
			p := &attributePipeline{}
			mustBind(t, p)
			return []*attributePipeline{p}
		}, nil, 1},
		{"two pipelines on one provider", func(t *testing.T) []*attributePipeline {
			p, q := &attributePipeline{}, &attributePipeline{}
			mustBind(t, p)
			mustBind(t, q)
			return []*attributePipeline{p, q}
		}, nil, 2},
		{"a pipeline without AttributeSetter", func(t *testing.T) []*attributePipeline {
			mustBind(t, &fakePipeline{})
			return nil
		}, errors.ErrUnsupported, 0},
		{"a retired pipeline", func(t *testing.T) []*attributePipeline {
			p := &attributePipeline{}
			mustBind(t, p)
			Retire(p)
			return []*attributePipeline{p}
		}, ErrShutdown, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateRegistry(t)
			ps := tt.setup(t)
			attrs := []attribute.KeyValue{attribute.String("enduser.id", "42")}
			err := SetAttributes(trace.ContextWithSpan(t.Context(), spanOf{tp: fake(7)}), attrs...)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("SetAttributes: %v, want %v", err, tt.wantErr)
			}
			attrs[0] = attribute.String("enduser.id", "changed by the caller")
			got := 0
			for _, p := range ps {
				for _, r := range p.got {
					got++
					if len(r.Attributes) != 1 || r.Attributes[0].Value.AsString() != "42" {
						t.Errorf("record %+v", r)
					}
				}
			}
			if got != tt.wantGot {
				t.Errorf("%d pipelines got the call, want %d", got, tt.wantGot)
			}
		})
	}
}

func mustBind(t *testing.T, p Pipeline) {
	t.Helper()
	if err := Bind(fake(7), p); err != nil {
		t.Fatal(err)
	}
}
