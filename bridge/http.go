package bridge

import (
	"net"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	sc "github.com/otelrelayer/otelrelayer/internal/semconvkeys"
)

// tracerName is the instrumentation scope of the spans bridge starts.
const tracerName = "github.com/otelrelayer/otelrelayer/bridge"

// maxHeaderValue bounds the request header values recorded on spans.
const maxHeaderValue = 1024

// maxQueryValue bounds the query string recorded on spans: the bound of a
// request log field (8 KiB), since the query is one.
const maxQueryValue = 8 << 10

// HTTPHandler wraps next so that every request ends in a request log with the
// fields of the Python library's Flask middleware: user agent, method, path,
// query string, remote address (X-Real-IP wins over the peer address),
// X-Forwarded-For, X-Request-ID, status, the bytes actually written, and the
// duration. Header values are recorded up to 1 KiB each, the query string up
// to 8 KiB (the bound of every request log field); a WebSocket upgrade is
// logged with its status, 101.
//
// Used alone, it starts the server span, continuing the trace of the
// incoming headers with the global propagator, using the global tracer
// provider unless [WithTracerProvider] is given. Under otelhttp.NewHandler
// (or any instrumentation whose recording server span is in the request
// context) it adds the attributes otelhttp leaves out to that span instead of
// starting a second one.
//
// A handler that panics still gets its request log: the span records status
// 500 and the panic as an error, then the panic continues up the stack.
func HTTPHandler(next http.Handler, opts ...HTTPOption) http.Handler {
	c := newHTTPConfig(opts)
	return &httpHandler{next: next, tracer: c.provider.Tracer(tracerName), propagator: c.propagator}
}

type httpHandler struct {
	next       http.Handler
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
}

func (h *httpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	span := trace.SpanFromContext(r.Context())
	own := !isRecordingServerSpan(span)
	if own {
		ctx := h.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span = h.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(requestAttributes(r)...))
		r = r.WithContext(ctx)
	} else {
		span.SetAttributes(enrichAttributes(r)...)
	}
	rw := &responseWriter{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			if !rw.wroteHeader {
				rw.status = http.StatusInternalServerError
			}
			if own { // else the owner's deferred End records the panic
				recordPanic(span, v)
			} else {
				span.SetStatus(codes.Error, "panic: "+panicValueString(v))
			}
			h.finish(span, r, rw, own)
			panic(v)
		}
		h.finish(span, r, rw, own)
	}()
	h.next.ServeHTTP(rw, r)
}

func (h *httpHandler) finish(span trace.Span, r *http.Request, rw *responseWriter, own bool) {
	status := rw.statusCode()
	// One call: each takes the span's lock and may grow its attributes.
	attrs := [3]attribute.KeyValue{
		attribute.Int(sc.HTTPStatusCode, status),
		attribute.Int64(sc.HTTPResponseBodySize, rw.written),
	}
	n := 2
	if r.Pattern != "" { // set by a ServeMux under us
		// http.route is the path template, without the pattern's method
		// and host, as otelhttp writes it for its metrics; otelhttp leaves
		// it off its span, so it is set under otelhttp too.
		attrs[2] = attribute.String(sc.HTTPRoute, routeOf(r.Pattern))
		n = 3
	}
	span.SetAttributes(attrs[:n]...)
	if !own {
		return
	}
	if r.Pattern != "" {
		span.SetName(r.Method + " " + strings.TrimPrefix(r.Pattern, r.Method+" "))
	}
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	span.End()
}

// isRecordingServerSpan tells whether span is a server span some other
// instrumentation started. SpanKind is not part of the trace API; the SDK's
// spans expose it.
func isRecordingServerSpan(span trace.Span) bool {
	if !span.IsRecording() {
		return false
	}
	k, ok := span.(interface{ SpanKind() trace.SpanKind })
	return ok && k.SpanKind() == trace.SpanKindServer
}

// requestAttributes are the attributes of a server span bridge starts.
func requestAttributes(r *http.Request) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 12)
	attrs = append(attrs,
		attribute.String(sc.HTTPRequestMethod, r.Method),
		attribute.String(sc.URLPath, r.URL.Path),
		attribute.String(sc.URLScheme, scheme(r)),
	)
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, attribute.String(sc.UserAgentOriginal, limit(ua)))
	}
	if host := r.Host; host != "" {
		attrs = append(attrs, attribute.String(sc.ServerAddress, limit(host)))
	}
	peer := peerHost(r.RemoteAddr)
	if peer != "" {
		attrs = append(attrs, attribute.String(sc.NetworkPeerAddress, peer))
	}
	if realIP := r.Header.Get("X-Real-IP"); realIP == "" && peer != "" {
		attrs = append(attrs, attribute.String(sc.ClientAddress, peer))
	}
	return append(attrs, enrichAttributes(r)...)
}

// enrichAttributes are the request headers the Python library logged and
// otelhttp does not record.
func enrichAttributes(r *http.Request) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if r.URL.RawQuery != "" { // otelhttp v0.72 records no url.query
		q := r.URL.RawQuery
		if len(q) > maxQueryValue {
			q = q[:maxQueryValue]
		}
		attrs = append(attrs, attribute.String(sc.URLQuery, q))
	}
	if v := r.Header.Values("X-Request-ID"); len(v) > 0 {
		attrs = append(attrs, attribute.StringSlice(sc.HeaderXRequestID, limitAll(v)))
	}
	if v := r.Header.Values("X-Forwarded-For"); len(v) > 0 {
		attrs = append(attrs, attribute.StringSlice(sc.HeaderXForwardedFor, limitAll(v)))
	}
	if v := r.Header.Get("X-Real-IP"); v != "" {
		attrs = append(attrs,
			attribute.StringSlice(sc.HeaderXRealIP, []string{limit(v)}),
			attribute.String(sc.ClientAddress, limit(v)))
	}
	return attrs
}

// routeOf returns the path of a ServeMux pattern ("[METHOD ][HOST]/PATH").
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:]
	}
	return pattern
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func peerHost(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return host
	}
	return remoteAddr
}

func limit(s string) string {
	if len(s) > maxHeaderValue {
		return s[:maxHeaderValue]
	}
	return s
}

func limitAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = limit(v)
	}
	return out
}

// HTTPOption configures [HTTPHandler]. A nil HTTPOption is ignored.
type HTTPOption interface {
	applyHTTP(httpConfig) httpConfig
}

type httpConfig struct {
	provider   trace.TracerProvider
	propagator propagation.TextMapPropagator
}

type httpOptionFunc func(httpConfig) httpConfig

func (f httpOptionFunc) applyHTTP(c httpConfig) httpConfig { return f(c) }

func newHTTPConfig(opts []HTTPOption) httpConfig {
	c := httpConfig{provider: otel.GetTracerProvider(), propagator: otel.GetTextMapPropagator()}
	for _, o := range opts {
		if o != nil {
			c = o.applyHTTP(c)
		}
	}
	return c
}

// TracerProviderOption is both an [HTTPOption] and an [RPCOption].
type TracerProviderOption struct{ provider trace.TracerProvider }

// WithTracerProvider sets the tracer provider of the spans HTTPHandler and
// RPC start, overriding the global one (otel.GetTracerProvider; the global
// provider delegates to one set later). WithTracerProvider(nil) keeps the
// global one.
func WithTracerProvider(tp trace.TracerProvider) TracerProviderOption {
	return TracerProviderOption{provider: tp}
}

func (o TracerProviderOption) applyHTTP(c httpConfig) httpConfig {
	if o.provider != nil {
		c.provider = o.provider
	}
	return c
}

func (o TracerProviderOption) applyRPC(c rpcConfig) rpcConfig {
	if o.provider != nil {
		c.provider = o.provider
	}
	return c
}

// WithHTTPPropagator sets the propagator that reads the incoming trace
// context, overriding the global one (otel.GetTextMapPropagator).
// WithHTTPPropagator(nil) keeps the global one.
func WithHTTPPropagator(p propagation.TextMapPropagator) HTTPOption {
	return httpOptionFunc(func(c httpConfig) httpConfig {
		if p != nil {
			c.propagator = p
		}
		return c
	})
}
