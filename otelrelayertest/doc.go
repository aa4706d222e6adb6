// Package otelrelayertest records what otelrelayer produces, for tests: [New]
// returns a [Recorder] (an in-memory [Sink], a processor and a
// TracerProvider) cleaned up with the test, [Patch] installs one as the
// process default like the Python library's RelayerPatch, and [Cluster]
// starts an embedded Kafka broker for tests over the real wire protocol.
package otelrelayertest
