package propagation

import (
	"context"
	"strconv"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	otelprop "go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	sc "github.com/otelrelayer/otelrelayer/internal/semconvkeys"
)

// Messaging semantic-convention attributes of consumer spans, from the one
// list in semconvkeys.
const (
	keyMessagingSystem    = sc.MessagingSystem
	keyDestinationName    = sc.MessagingDestinationName
	keyPartitionID        = sc.MessagingPartitionID
	keyMessageKey         = sc.MessagingKafkaMessageKey
	keyOffset             = sc.MessagingKafkaOffset
	keyConsumerGroup      = sc.MessagingConsumerGroupName
	keyOperationType      = sc.MessagingOperationType
	keyOperationName      = sc.MessagingOperationName
	tracerName            = "github.com/otelrelayer/otelrelayer/propagation"
	processOperation      = "process"
	messagingSystemKafka  = "kafka"
	maxMessageKeyAttrSize = 256
)

// StartProcessSpan starts the span that processes a consumed record and
// returns a context holding it; end the span when the processing is done.
//
// By default the span continues the producer's trace: its parent is the
// remote span context read from the record's headers, so it is a local root
// (one request log of its own) sharing the producer's trace ID. With
// [AsNewRoot] it starts a new trace linked to the producer's span instead.
// Missing or malformed headers start a new trace, never an error. Headers
// are read with the global propagator, or W3C trace context when none is
// set (see [WithConsumerPropagator]).
//
// The span is a consumer span named "process <topic>" with the messaging
// semantic conventions: messaging.system=kafka, messaging.destination.name,
// messaging.destination.partition.id, messaging.kafka.message.key (when the
// key is UTF-8), messaging.kafka.offset, messaging.operation.type=process,
// and messaging.consumer.group.name when [WithConsumerGroup] is given.
//
// A nil ctx means context.Background(), as in bridge.Emit and bridge.Log.
func StartProcessSpan(ctx context.Context, r *kgo.Record, opts ...ConsumerOption) (context.Context, trace.Span) {
	if ctx == nil {
		ctx = context.Background()
	}
	c := consumerConfig{provider: otel.GetTracerProvider(), propagator: otel.GetTextMapPropagator()}
	if len(c.propagator.Fields()) == 0 {
		// No global propagator configured: read the W3C trace context
		// that otelrelayer writes on every message.
		c.propagator = otelprop.TraceContext{}
	}
	for _, o := range opts {
		if o != nil {
			c = o.applyConsumer(c)
		}
	}
	producer := trace.SpanContextFromContext(c.propagator.Extract(context.Background(), NewCarrier(&r.Headers)))
	if producer.IsValid() {
		// Baggage and other values extracted from the headers join ctx.
		ctx = c.propagator.Extract(ctx, NewCarrier(&r.Headers))
	}
	attrs := []attribute.KeyValue{
		attribute.String(keyMessagingSystem, messagingSystemKafka),
		attribute.String(keyDestinationName, r.Topic),
		attribute.String(keyPartitionID, strconv.Itoa(int(r.Partition))),
		attribute.Int64(keyOffset, r.Offset),
		attribute.String(keyOperationType, processOperation),
		attribute.String(keyOperationName, processOperation),
	}
	if len(r.Key) > 0 && len(r.Key) <= maxMessageKeyAttrSize && utf8.Valid(r.Key) {
		attrs = append(attrs, attribute.String(keyMessageKey, string(r.Key)))
	}
	if c.group != "" {
		attrs = append(attrs, attribute.String(keyConsumerGroup, c.group))
	}
	startOpts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs...)}
	if c.newRoot {
		startOpts = append(startOpts, trace.WithNewRoot())
		if producer.IsValid() {
			startOpts = append(startOpts, trace.WithLinks(trace.Link{SpanContext: producer}))
		}
	} else if !producer.IsValid() {
		// No producer context: whatever span ctx holds is not this
		// message's cause, so the processing is a root of its own.
		startOpts = append(startOpts, trace.WithNewRoot())
	}
	return c.provider.Tracer(tracerName).Start(ctx, processOperation+" "+r.Topic, startOpts...)
}

// ConsumerOption configures [StartProcessSpan]. A nil ConsumerOption is
// ignored.
type ConsumerOption interface {
	applyConsumer(consumerConfig) consumerConfig
}

type consumerConfig struct {
	provider   trace.TracerProvider
	propagator otelprop.TextMapPropagator
	group      string
	newRoot    bool
}

type consumerOptionFunc func(consumerConfig) consumerConfig

func (f consumerOptionFunc) applyConsumer(c consumerConfig) consumerConfig { return f(c) }

// AsNewRoot starts the processing span as the root of a new trace, linked to
// the producer's span, instead of its child (the default). Use it when one
// trace per message would make producer traces unbounded, as in batch
// consumers.
func AsNewRoot() ConsumerOption {
	return consumerOptionFunc(func(c consumerConfig) consumerConfig { c.newRoot = true; return c })
}

// WithConsumerGroup records the consumer group as
// messaging.consumer.group.name. WithConsumerGroup("") records none, the
// default.
func WithConsumerGroup(group string) ConsumerOption {
	return consumerOptionFunc(func(c consumerConfig) consumerConfig { c.group = group; return c })
}

// WithTracerProvider sets the tracer provider of the processing span,
// overriding the global one. WithTracerProvider(nil) keeps the global one.
func WithTracerProvider(tp trace.TracerProvider) ConsumerOption {
	return consumerOptionFunc(func(c consumerConfig) consumerConfig {
		if tp != nil {
			c.provider = tp
		}
		return c
	})
}

// WithConsumerPropagator sets the propagator that reads the record's
// headers, overriding the default: the global one, or W3C trace context when
// no global propagator is set. WithConsumerPropagator(nil) keeps the
// default.
func WithConsumerPropagator(p otelprop.TextMapPropagator) ConsumerOption {
	return consumerOptionFunc(func(c consumerConfig) consumerConfig {
		if p != nil {
			c.propagator = p
		}
		return c
	})
}
