// Package semconvkeys names the semantic-convention attributes otelrelayer
// writes on request spans (bridge) and reads from root spans (exporter), so
// both sides agree on one list.
package semconvkeys

// HTTP server attributes, stable conventions.
const (
	HTTPRequestMethod    = "http.request.method"
	URLPath              = "url.path"
	URLQuery             = "url.query"
	URLScheme            = "url.scheme"
	UserAgentOriginal    = "user_agent.original"
	ClientAddress        = "client.address"
	NetworkPeerAddress   = "network.peer.address"
	ServerAddress        = "server.address"
	HTTPRoute            = "http.route"
	HTTPStatusCode       = "http.response.status_code"
	HTTPResponseBodySize = "http.response.body.size"
	HeaderXRequestID     = "http.request.header.x-request-id"
	HeaderXForwardedFor  = "http.request.header.x-forwarded-for"
	HeaderXRealIP        = "http.request.header.x-real-ip"
)

// HTTP server attributes, older conventions.
const (
	OldHTTPMethod        = "http.method"
	OldHTTPTarget        = "http.target"
	OldHTTPUserAgent     = "http.user_agent"
	OldNetSockPeerAddr   = "net.sock.peer.addr"
	OldNetPeerIP         = "net.peer.ip"
	OldHTTPStatusCode    = "http.status_code"
	OldHTTPContentLength = "http.response_content_length"
)

// RPC attributes.
const (
	RPCSystem     = "rpc.system"
	RPCSystemName = "rpc.system.name"
	RPCService    = "rpc.service"
	RPCMethod     = "rpc.method"
)

// Exception events.
const (
	ExceptionEvent      = "exception"
	ExceptionType       = "exception.type"
	ExceptionMessage    = "exception.message"
	ExceptionStacktrace = "exception.stacktrace"
)
