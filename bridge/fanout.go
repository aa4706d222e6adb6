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
// one of them did not write the event even when another did. A pipeline
// that has shut down is one being removed (its Shutdown retires it): its
// ErrShutdown counts only when every pipeline returned it.
func (f *fanout) Emit(ctx context.Context, r EmitRecord) (EmitResult, error) {
	var (
		res  EmitResult
		ok   bool
		errs failures
	)
	for _, p := range f.ps {
		got, err := p.Emit(ctx, r)
		if err != nil {
			errs.add(err)
			continue
		}
		if !ok {
			res, ok = got, true
		}
	}
	return res, errs.err(len(f.ps))
}

// Log logs to every pipeline; the error joins their failures, as for Emit.
func (f *fanout) Log(ctx context.Context, r LogRecord) error {
	var errs failures
	for _, p := range f.ps {
		if err := p.Log(ctx, r); err != nil {
			errs.add(err)
		}
	}
	return errs.err(len(f.ps))
}

// failures collects the errors of a fanout's pipelines.
type failures struct {
	errs []error
	shut int // how many returned ErrShutdown
}

func (fs *failures) add(err error) {
	if errors.Is(err, ErrShutdown) {
		fs.shut++
	}
	fs.errs = append(fs.errs, err)
}

// err joins the failures of n pipelines, leaving out those of pipelines
// that have shut down unless all of them have.
func (fs *failures) err(n int) error {
	if fs.shut == 0 || fs.shut == n {
		return errors.Join(fs.errs...)
	}
	var live []error
	for _, err := range fs.errs {
		if !errors.Is(err, ErrShutdown) {
			live = append(live, err)
		}
	}
	return errors.Join(live...)
}
