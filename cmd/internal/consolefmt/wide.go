package consolefmt

import (
	"slices"
	"strconv"
	"strings"

	"github.com/otelrelayer/otelrelayer/internal/ansi"
	"github.com/otelrelayer/otelrelayer/wire"
)

// rpcStatus is the RPC status of a request log for its summary line: its
// name, coloured as HTTP statuses are (OK green, the server's errors red,
// the caller's yellow); "" when it has none.
func rpcStatus(l *wire.RequestLog, p ansi.Painter) string {
	name := l.RPCStatus
	if name == "" && l.RPCStatusCode != nil {
		name = strconv.Itoa(*l.RPCStatusCode)
	}
	if name == "" {
		return ""
	}
	color := ansi.Yellow
	switch strings.ToUpper(name) {
	case "OK", "0":
		color = ansi.Green
	case "UNKNOWN", "DEADLINE_EXCEEDED", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS":
		color = ansi.Red + ansi.Bold
	}
	return p.Paint(color, printable(name))
}

// wideFields are the metadata of the wide fields, as name=value: route,
// rpc_status_code, dropped_attributes, then each attribute as
// attr.KEY=VALUE in key order (strings unquoted, other values as JSON).
func wideFields(l *wire.RequestLog) []struct{ name, value string } {
	var fields []struct{ name, value string }
	addField := func(name, value string) { fields = append(fields, struct{ name, value string }{name, value}) }
	if l.Route != "" {
		addField("route", l.Route)
	}
	if l.RPCStatusCode != nil {
		addField("rpc_status_code", strconv.Itoa(*l.RPCStatusCode))
	}
	keys := make([]string, 0, len(l.Attributes))
	for k := range l.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, _ := l.Attribute(k)
		// Quoted as a value is: a key holding spaces or "=" would
		// otherwise read as other fields of the row.
		addField("attr."+quoteIfNeeded(k), v)
	}
	if l.DroppedAttributes > 0 {
		addField("dropped_attributes", strconv.Itoa(l.DroppedAttributes))
	}
	return fields
}
