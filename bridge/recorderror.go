package bridge

import (
	"fmt"
	"reflect"
	"runtime"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	sc "github.com/otelrelayer/otelrelayer/internal/semconvkeys"
)

// errorString is err.Error(), made safe as slog's handlers make it: a
// typed-nil pointer whose Error method dereferences it reads "<nil>", and
// any other panic "!PANIC: value".
func errorString(err error) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = panicString(err, r)
		}
	}()
	return err.Error()
}

func panicString(v any, r any) string {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return "<nil>"
	}
	return fmt.Sprintf("!PANIC: %v", r)
}

// recordError records err on span as span.RecordError does, and marks the
// span's status, also when err is a typed nil whose Error method panics.
func recordError(span trace.Span, err error) {
	msg := errorString(err)
	if safe := recordSafely(func() { span.RecordError(err) }); !safe {
		span.AddEvent(sc.ExceptionEvent, trace.WithAttributes(
			attribute.String(sc.ExceptionType, typeName(err)),
			attribute.String(sc.ExceptionMessage, msg)))
	}
	span.SetStatus(codes.Error, msg)
}

// recordSafely runs record and reports false when it panicked.
func recordSafely(record func()) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	record()
	return true
}

// recordPanic records a recovered panic value on span as an exception event
// whose exception.type is the value's type as span.RecordError names an
// error's ("string" for panic("boom")), whose exception.message is
// "panic: " and the value, with the stack trace; and an error status.
func recordPanic(span trace.Span, v any) {
	msg := "panic: " + panicValueString(v)
	span.AddEvent(sc.ExceptionEvent, trace.WithAttributes(
		attribute.String(sc.ExceptionType, typeName(v)),
		attribute.String(sc.ExceptionMessage, msg),
		attribute.String(sc.ExceptionStacktrace, stack())))
	span.SetStatus(codes.Error, msg)
}

func panicValueString(v any) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = panicString(v, r)
		}
	}()
	if err, ok := v.(error); ok {
		return err.Error()
	}
	return fmt.Sprint(v)
}

// typeName names v's type as otel-go's RecordError names an error's:
// "pkg/path.Name", the bare name for a predeclared type ("string"), the
// type's literal for an unnamed one ("*errors.errorString").
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return "<nil>"
	}
	if t.PkgPath() == "" || t.Name() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}

func stack() string {
	buf := make([]byte, 8<<10)
	return string(buf[:runtime.Stack(buf, false)])
}
