// Package semconvkeys is the one list of the semantic-convention names
// otelrelayer writes and reads: the attributes of request spans (bridge
// writes them, exporter reads them from root spans), of consumer spans
// (propagation), of exception events, and the names and attributes of the
// producer metrics (exporter). No other package spells one out.
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

// Connection attributes: they describe the connection a request came on,
// the same for every request of a server or new for each connection, not
// the request. Request logs leave them out of "attributes" by default.
const (
	ServerPort             = "server.port"
	ClientPort             = "client.port"
	NetworkPeerPort        = "network.peer.port"
	NetworkLocalAddress    = "network.local.address"
	NetworkLocalPort       = "network.local.port"
	NetworkProtocolName    = "network.protocol.name"
	NetworkProtocolVersion = "network.protocol.version"
	NetworkTransport       = "network.transport"
	NetworkType            = "network.type"
	OldNetHostName         = "net.host.name"
	OldNetHostPort         = "net.host.port"
	OldNetPeerPort         = "net.peer.port"
	OldNetSockPeerPort     = "net.sock.peer.port"
	OldNetSockHostAddr     = "net.sock.host.addr"
	OldNetSockHostPort     = "net.sock.host.port"
	OldNetProtocolVersion  = "net.protocol.version"
	OldNetTransport        = "net.transport"
	OldHTTPScheme          = "http.scheme"
	OldHTTPFlavor          = "http.flavor"
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
	// RPCResponseStatusCode is the newer conventions' status of a call, a
	// string: the gRPC code's name ("NOT_FOUND") for gRPC (otelgrpc
	// v0.72), the numeric code as text for JSON-RPC.
	RPCResponseStatusCode = "rpc.response.status_code"
	// OldRPCGRPCStatusCode is the older conventions' gRPC status, an
	// integer (5 for NotFound).
	OldRPCGRPCStatusCode = "rpc.grpc.status_code"
)

// Exception events.
const (
	ExceptionEvent      = "exception"
	ExceptionType       = "exception.type"
	ExceptionMessage    = "exception.message"
	ExceptionStacktrace = "exception.stacktrace"
)

// Messaging attributes: consumer spans (propagation) and producer metrics
// (exporter).
const (
	MessagingSystem            = "messaging.system"
	MessagingDestinationName   = "messaging.destination.name"
	MessagingPartitionID       = "messaging.destination.partition.id"
	MessagingKafkaMessageKey   = "messaging.kafka.message.key"
	MessagingKafkaOffset       = "messaging.kafka.offset"
	MessagingConsumerGroupName = "messaging.consumer.group.name"
	MessagingOperationType     = "messaging.operation.type"
	MessagingOperationName     = "messaging.operation.name"
)

// Messaging metrics.
const (
	MessagingClientSentMessages      = "messaging.client.sent.messages"
	MessagingClientOperationDuration = "messaging.client.operation.duration"
)

// Resource and error attributes.
const (
	ServiceName = "service.name"
	ErrorType   = "error.type"
)
