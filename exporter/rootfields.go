package exporter

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"

	sc "github.com/otelrelayer/otelrelayer/internal/semconvkeys"
)

type rootKind uint8

const (
	kindOther rootKind = iota // a job, a consumed message: service = span name
	kindHTTP
	kindRPC
)

// field is one request field read from span attributes: set tells a present
// empty value from an absent one, which the wire format writes as null.
type field struct {
	value string
	set   bool
}

func (f *field) fill(v attribute.Value) {
	if f.set {
		return
	}
	switch v.Type() {
	case attribute.STRING:
		f.value = v.AsString()
	case attribute.STRINGSLICE: // semconv header attributes are string arrays
		f.value = strings.Join(v.AsStringSlice(), ",")
	default:
		f.value = v.String()
	}
	if len(f.value) > maxFieldBytes {
		f.value = f.value[:maxFieldBytes]
	}
	f.set = true
}

type intField struct {
	value int64
	set   bool
}

func (f *intField) fill(v attribute.Value) {
	if f.set {
		return
	}
	switch v.Type() {
	case attribute.INT64:
		f.value, f.set = v.AsInt64(), true
	case attribute.FLOAT64:
		f.value, f.set = int64(v.AsFloat64()), true
	}
}

// rootInfo holds the request fields of a root span, read from the stable
// semantic conventions first and the older names second.
type rootInfo struct {
	kind                                     rootKind
	method, path, query, userAgent, remote   field
	forwardedFor, requestID, realIP          field
	status, contentLength                    intField
	rpcService, rpcMethod                    field
	route                                    field // http.route: HTTP roots
	rpcStatus                                rpcStatus
	oldMethod, target, oldUserAgent          field
	sockPeer, netPeerIP, networkPeer, rpcSys field
	oldStatus, oldContentLength              intField
}

func readRoot(attrs []attribute.KeyValue) rootInfo {
	var ri rootInfo
	ri.read(attrs)
	return ri
}

// read fills a zero ri from a root span's attributes, in place: a rootInfo
// is some 500 bytes.
func (ri *rootInfo) read(attrs []attribute.KeyValue) {
	for _, kv := range attrs {
		switch kv.Key {
		case sc.HTTPRequestMethod:
			ri.method.fill(kv.Value)
		case sc.OldHTTPMethod:
			ri.oldMethod.fill(kv.Value)
		case sc.URLPath:
			ri.path.fill(kv.Value)
		case sc.URLQuery:
			ri.query.fill(kv.Value)
		case sc.OldHTTPTarget:
			ri.target.fill(kv.Value)
		case sc.UserAgentOriginal:
			ri.userAgent.fill(kv.Value)
		case sc.OldHTTPUserAgent:
			ri.oldUserAgent.fill(kv.Value)
		case sc.ClientAddress:
			ri.remote.fill(kv.Value)
		case sc.NetworkPeerAddress:
			ri.networkPeer.fill(kv.Value)
		case sc.OldNetSockPeerAddr:
			ri.sockPeer.fill(kv.Value)
		case sc.OldNetPeerIP:
			ri.netPeerIP.fill(kv.Value)
		case sc.HTTPStatusCode:
			ri.status.fill(kv.Value)
		case sc.OldHTTPStatusCode:
			ri.oldStatus.fill(kv.Value)
		case sc.HTTPResponseBodySize:
			ri.contentLength.fill(kv.Value)
		case sc.OldHTTPContentLength:
			ri.oldContentLength.fill(kv.Value)
		case sc.HeaderXRequestID:
			ri.requestID.fill(kv.Value)
		case sc.HeaderXRealIP:
			ri.realIP.fill(kv.Value)
		case sc.RPCSystemName:
			ri.rpcSys.fill(kv.Value)
		case sc.HeaderXForwardedFor:
			ri.forwardedFor.fill(kv.Value)
		case sc.RPCSystem:
			ri.rpcSys.fill(kv.Value)
		case sc.RPCService:
			ri.rpcService.fill(kv.Value)
		case sc.RPCMethod:
			ri.rpcMethod.fill(kv.Value)
		case sc.HTTPRoute:
			ri.route.fill(kv.Value)
		case sc.RPCResponseStatusCode:
			ri.rpcStatus.fillNew(kv.Value)
		case sc.OldRPCGRPCStatusCode:
			ri.rpcStatus.fillOld(kv.Value)
		}
	}
	ri.resolve()
}

// resolve falls back to the older conventions where the stable ones are
// absent, and decides the kind of root.
func (ri *rootInfo) resolve() {
	orElse := func(f *field, alts ...field) {
		for _, a := range alts {
			if !f.set && a.set {
				*f = a
			}
		}
	}
	orElse(&ri.method, ri.oldMethod)
	orElse(&ri.userAgent, ri.oldUserAgent)
	// Flask's remote_addr: X-Real-IP, else the peer; client.address may
	// come from X-Forwarded-For (otelhttp), so it comes last.
	client := ri.remote
	ri.remote = ri.realIP
	orElse(&ri.remote, ri.networkPeer, ri.sockPeer, ri.netPeerIP, client)
	if ri.target.set {
		path, query, _ := strings.Cut(ri.target.value, "?")
		orElse(&ri.path, field{path, true})
		orElse(&ri.query, field{query, true})
	}
	if !ri.status.set {
		ri.status = ri.oldStatus
	}
	if !ri.contentLength.set {
		ri.contentLength = ri.oldContentLength
	}
	switch {
	case ri.method.set:
		ri.kind = kindHTTP
	case ri.rpcService.set || ri.rpcSys.set || ri.rpcMethod.set:
		ri.kind = kindRPC
	}
}

// routeFromName fills the route of an HTTP root without http.route from
// otelhttp's span name when the name has the semantic conventions' HTTP
// server form, "{method} {route}": otelhttp names its span so once a
// ServeMux matched, and records http.route on its metrics only. Another
// scope's name is not read: a user's or another instrumentation's
// "GET /orders/7" may hold the path, and a path is no route.
func (ri *rootInfo) routeFromName(spanName, scope string) {
	if ri.kind != kindHTTP || ri.route.set || !ri.method.set || scope != otelhttpScope {
		return
	}
	if rest, ok := strings.CutPrefix(spanName, ri.method.value+" "); ok && strings.HasPrefix(rest, "/") {
		ri.route.fill(attribute.StringValue(rest))
	}
}

// otelhttpScope is otelhttp's instrumentation scope name.
const otelhttpScope = "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

// service is the service field of RPC and other roots.
func (ri *rootInfo) service(spanName string) string {
	s := ri.unboundedService(spanName)
	if len(s) > maxFieldBytes { // bounded like the other request fields
		s = s[:maxFieldBytes]
	}
	return s
}

func (ri *rootInfo) unboundedService(spanName string) string {
	// Newer conventions (otelgrpc v0.72) write rpc.method as the fully
	// qualified "package.Service/Method".
	if svc, method, ok := strings.Cut(ri.rpcMethod.value, "/"); ri.kind == kindRPC && ok {
		return svc + "." + method
	}
	if ri.kind == kindRPC && ri.rpcService.set {
		if ri.rpcMethod.set {
			return ri.rpcService.value + "." + ri.rpcMethod.value
		}
		return ri.rpcService.value
	}
	return spanName
}
