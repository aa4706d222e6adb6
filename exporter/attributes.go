package exporter

import (
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	sc "github.com/otelrelayer/otelrelayer/internal/semconvkeys"
)

// Defaults of the bounds of a request log's attributes.
const (
	// DefaultMaxAttributes is the number of attributes one request log
	// holds: the fields set with bridge.SetAttributes first, then the root
	// span's.
	DefaultMaxAttributes = 64
	// DefaultMaxAttributeBytes bounds the encoded "attributes" object of
	// one request log, as a request field is bounded.
	DefaultMaxAttributeBytes = 8 << 10
)

// WithAllRootAttributes keeps every attribute of the root span that is not
// already a field of the request log, connection attributes included
// (server.address, server.port, network.peer.port, url.scheme…, which the
// default leaves out). See [WithRootAttributePrefixes] for the default.
func WithAllRootAttributes() Option {
	return optionFunc(func(c config) config {
		c.rootAttributes = attributeSelection{all: true}
		return c
	})
}

// WithoutRootAttributes leaves the root span's attributes out of request
// logs: "attributes" then holds only the fields set with
// bridge.SetAttributes. See [WithRootAttributePrefixes] for the default.
func WithoutRootAttributes() Option {
	return optionFunc(func(c config) config {
		c.rootAttributes = attributeSelection{none: true}
		return c
	})
}

// WithRootAttributePrefixes keeps, of the root span's attributes, those
// whose keys start with one of prefixes ("app.", "enduser."), connection
// attributes included when a prefix names them. Calls replace each other,
// as do [WithAllRootAttributes] and [WithoutRootAttributes].
//
// The default keeps every attribute of the root span that is neither a
// field of the request log (the HTTP attributes behind method, path,
// status…, http.route behind route, the rpc.* attributes behind service and
// rpc_status) nor an attribute of the connection the request came on
// (server.address, server.port, client.port, network.peer.port,
// network.local.*, network.protocol.*, network.transport, network.type,
// url.scheme and their older names): a request log is a wide event, and
// what the handler and the instrumentation recorded about the request is
// what a question asked later needs, while the connection's attributes are
// the same for every request of a server or new for each connection, and
// would only add bytes to every log. The bounds ([WithMaxAttributes],
// [WithMaxAttributeBytes]) cap the cost.
//
// Whatever the selection, attributes whose key ends in authorization,
// proxy-authorization, cookie or set-cookie (any case, "_" for "-", as
// http.request.header.authorization or
// http.request.header.proxy_authorization), or such keys of a map value,
// are never written, and keys named
// in [WithRedactedKeys] (the whole key or its last dotted segment) have
// their value replaced with "[REDACTED]". No prefix, or an empty one,
// makes [New] fail with [ErrConfiguration].
func WithRootAttributePrefixes(prefixes ...string) Option {
	ps := append([]string(nil), prefixes...)
	return optionFunc(func(c config) config {
		c.rootAttributes = attributeSelection{prefixes: ps, byPrefix: true}
		return c
	})
}

// WithMaxAttributes bounds the attributes of one request log, overriding
// [DefaultMaxAttributes]. Fields set with bridge.SetAttributes come first,
// then the root span's in the order the span holds them; what is left out
// is counted in dropped_attributes. A value below 1 makes [New] fail with
// [ErrConfiguration] (use [WithoutRootAttributes] for none).
func WithMaxAttributes(n int) Option {
	return optionFunc(func(c config) config { c.maxAttributes = n; return c })
}

// WithMaxAttributeBytes bounds the encoded "attributes" object of one
// request log, overriding [DefaultMaxAttributeBytes]; an attribute that
// would cross it is left out and counted in dropped_attributes (a smaller
// one after it may still fit). It is capped at a quarter of
// [WithMaxMessageBytes], so that attributes never crowd out a request's
// fields and lines. A value below 1 makes [New] fail with
// [ErrConfiguration].
func WithMaxAttributeBytes(n int) Option {
	return optionFunc(func(c config) config { c.maxAttributeBytes = n; return c })
}

// attributeSelection says which root span attributes a request log keeps:
// all but the connection's (the zero value), all, none, or those with one
// of the prefixes.
type attributeSelection struct {
	all      bool
	none     bool
	byPrefix bool
	prefixes []string
}

func (s attributeSelection) validate() error {
	if !s.byPrefix {
		return nil
	}
	if len(s.prefixes) == 0 {
		return fmt.Errorf("%w: WithRootAttributePrefixes() needs at least one prefix (WithoutRootAttributes keeps none)", ErrConfiguration)
	}
	for _, p := range s.prefixes {
		if p == "" {
			return fmt.Errorf("%w: WithRootAttributePrefixes: an empty prefix would keep every attribute, the default", ErrConfiguration)
		}
	}
	return nil
}

func (s attributeSelection) keeps(key string) bool {
	switch {
	case s.none:
		return false
	case s.all:
		return true
	case !s.byPrefix:
		return !isConnectionKey(key)
	}
	for _, p := range s.prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// isConnectionKey reports whether key is an attribute of the connection,
// which the default selection leaves out.
func isConnectionKey(key string) bool {
	switch key {
	case sc.ServerAddress, sc.ServerPort, sc.ClientPort, sc.NetworkPeerPort,
		sc.NetworkLocalAddress, sc.NetworkLocalPort, sc.NetworkProtocolName,
		sc.NetworkProtocolVersion, sc.NetworkTransport, sc.NetworkType, sc.URLScheme,
		sc.OldNetHostName, sc.OldNetHostPort, sc.OldNetPeerPort, sc.OldNetSockPeerPort,
		sc.OldNetSockHostAddr, sc.OldNetSockHostPort, sc.OldNetProtocolVersion,
		sc.OldNetTransport, sc.OldHTTPScheme, sc.OldHTTPFlavor:
		return true
	}
	return false
}

// isCredential reports whether an attribute, or a key of a map value, may
// hold a credential: its last dotted segment names the Authorization,
// Proxy-Authorization, Cookie or Set-Cookie header, in any case and with
// "_" for "-" as the older conventions normalise header names
// (http.request.header.proxy_authorization).
func isCredential(key string) bool {
	last := key[strings.LastIndexByte(key, '.')+1:]
	for _, c := range credentialNames {
		if len(last) == len(c) && strings.EqualFold(strings.ReplaceAll(last, "_", "-"), c) {
			return true
		}
	}
	return false
}

var credentialNames = [...]string{"authorization", "proxy-authorization", "cookie", "set-cookie"}

// setAttributes are the fields bridge.SetAttributes set on a request, one
// per key, and the new keys beyond the bound. A request holds them by
// pointer: those that set none pay 8 bytes.
type setAttributes struct {
	kvs     []attribute.KeyValue
	dropped int
}

// setAttributes records attrs on the request, last write wins for a key.
// New keys beyond maxAttributes are counted as dropped. It reports false
// when the request has ended.
func (r *request) setAttributes(attrs []attribute.KeyValue, maxAttributes int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return false
	}
	if r.attrs == nil {
		r.attrs = &setAttributes{kvs: make([]attribute.KeyValue, 0, min(max(len(attrs), 8), maxAttributes))}
	}
	a := r.attrs
	for _, kv := range attrs {
		if isCredential(string(kv.Key)) {
			continue // never written: it takes no slot, nor stays in memory
		}
		i := indexOfKey(a.kvs, kv.Key)
		switch {
		case i >= 0:
			a.kvs[i] = kv
		case len(a.kvs) < maxAttributes:
			a.kvs = append(a.kvs, kv)
		default:
			a.dropped++
		}
	}
	return true
}

// fields returns the attributes set, and the count of those dropped.
func (a *setAttributes) fields() ([]attribute.KeyValue, int) {
	if a == nil {
		return nil, 0
	}
	return a.kvs, a.dropped
}

func indexOfKey(attrs []attribute.KeyValue, key attribute.Key) int {
	for i := range attrs {
		if attrs[i].Key == key {
			return i
		}
	}
	return -1
}
