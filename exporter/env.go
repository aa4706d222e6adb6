package exporter

import "os"

// Environment variables read by New, unless WithoutEnvironment is given.
// Options win over them; they win over the defaults.
const (
	EnvLoggingTopic = "RELAYER_LOGGING_TOPIC" // when New's loggingTopic is ""
	EnvTopicPrefix  = "RELAYER_TOPIC_PREFIX"
	EnvTopicSuffix  = "RELAYER_TOPIC_SUFFIX"
	EnvSource       = "RELAYER_SOURCE"
	// EnvServiceName is OpenTelemetry's: the resource's service.name. It is
	// the source when neither WithSource nor RELAYER_SOURCE is given, and
	// wins over the service.name of the spans' resource (see WithSource).
	EnvServiceName = "OTEL_SERVICE_NAME"
)

// envConfig is the part of the configuration the environment can set.
type envConfig struct {
	loggingTopic, prefix, suffix, source string
}

func readEnv() envConfig {
	e := envConfig{
		loggingTopic: os.Getenv(EnvLoggingTopic),
		prefix:       os.Getenv(EnvTopicPrefix),
		suffix:       os.Getenv(EnvTopicSuffix),
		source:       os.Getenv(EnvSource),
	}
	if e.source == "" {
		e.source = os.Getenv(EnvServiceName)
	}
	return e
}

// WithoutEnvironment makes New ignore the RELAYER_* and OTEL_SERVICE_NAME
// variables, as in tests that must not depend on the machine.
func WithoutEnvironment() Option {
	return optionFunc(func(c config) config { c.ignoreEnv = true; return c })
}
