package bridge

import (
	"context"
	"errors"
)

// fanout is every pipeline bound to one tracer provider: each call goes to
// each of them, in the order they were bound. It is never modified: a change
// of the bindings builds a new one.
type fanout struct {
	ps []Pipeline
}

var _ Pipeline = (*fanout)(nil)

// members returns the pipelines p stands for.
func members(p Pipeline) []Pipeline {
	if f, ok := p.(*fanout); ok {
		return f.ps
	}
	return []Pipeline{p}
}

// join returns the pipeline that stands for ps: the one pipeline, or a
// fanout of them.
func join(ps []Pipeline) Pipeline {
	if len(ps) == 1 {
		return ps[0]
	}
	return &fanout{ps: ps}
}

// Emit emits to every pipeline. The result is the first successful one's;
// the error joins every pipeline's failure, so that a caller learns that
// one of them did not write the event even when another did.
func (f *fanout) Emit(ctx context.Context, r EmitRecord) (EmitResult, error) {
	var (
		res  EmitResult
		ok   bool
		errs []error
	)
	for _, p := range f.ps {
		got, err := p.Emit(ctx, r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			res, ok = got, true
		}
	}
	return res, errors.Join(errs...)
}

// Log logs to every pipeline; the error joins their failures.
func (f *fanout) Log(ctx context.Context, r LogRecord) error {
	var errs []error
	for _, p := range f.ps {
		if err := p.Log(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
