package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// ownBroker is the connection to relayer-dev's own broker, through the code
// path of every tool and of the producer: plaintext, no SASL, and none of
// the KAFKA_* variables, which describe the cluster of the service's shell,
// not this broker.
func ownBroker(brokers []string) (*kafkasink.Connection, error) {
	return kafkasink.NewConnection(kafkasink.WithBrokers(brokers...), kafkasink.WithoutEnvironment())
}

// securityVariables returns the KAFKA_* variables of environ that would
// make a producer secure its connection, which this broker does not speak.
func securityVariables(environ []string) []string {
	var set []string
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if value == "" || name == "KAFKA_BROKERS" || !strings.HasPrefix(name, "KAFKA_") {
			continue
		}
		for _, p := range []string{"KAFKA_TLS", "KAFKA_SASL_", "KAFKA_SSL_", "KAFKA_SECURITY_"} {
			if strings.HasPrefix(name, p) {
				set = append(set, name)
				break
			}
		}
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// printUnset adds to the banner the variables to unset in the service's
// shell, when this shell has them: the service would otherwise dial this
// plaintext broker with TLS or SASL and fail.
func printUnset(w io.Writer, environ []string) {
	if vars := securityVariables(environ); len(vars) > 0 {
		fmt.Fprintf(w, "    unset %s    # this broker speaks plaintext, without SASL\n\n", strings.Join(vars, " "))
	}
}
