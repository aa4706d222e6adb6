package webview

import (
	"slices"
	"strconv"
	"strings"

	"github.com/otelrelayer/otelrelayer/wire"
)

// maxDetailAttributes bounds the attributes a request's page shows: the
// library writes at most 64 by default, a hostile record may hold any.
const maxDetailAttributes = 200

// rpcStatusKind classes an RPC status as statusKind classes HTTP's: OK,
// the server's errors, the caller's.
func rpcStatusKind(name string) string {
	switch strings.ToUpper(name) {
	case "OK", "0":
		return "ok"
	case "UNKNOWN", "DEADLINE_EXCEEDED", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS":
		return "server"
	}
	return "client"
}

// wideFields are the fields of a request's page for the wide fields: the
// route, the RPC status code, each attribute (in key order; strings as
// text, other values as JSON) and the count of those left out.
func wideFields(l *wire.RequestLog) []field {
	var fields []field
	if l.Route != "" {
		fields = append(fields, field{"route", l.Route})
	}
	if l.RPCStatusCode != nil {
		fields = append(fields, field{"RPC status code", strconv.Itoa(*l.RPCStatusCode)})
	}
	keys := make([]string, 0, len(l.Attributes))
	for k := range l.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i == maxDetailAttributes { // a hostile record's: the rest is in the raw record
			fields = append(fields, field{"more attributes", strconv.Itoa(len(keys)-i) + " not shown: see the raw record"})
			break
		}
		v, _ := l.Attribute(k)
		fields = append(fields, field{"attr." + cut(k, maxListField), v})
	}
	if l.DroppedAttributes > 0 {
		fields = append(fields, field{"dropped attributes", strconv.Itoa(l.DroppedAttributes)})
	}
	return fields
}
