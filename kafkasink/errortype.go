package kafkasink

import (
	"context"
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ErrorType names a delivery error with a low-cardinality value, for the
// error.type attribute of metrics: the Kafka error code ("NOT_LEADER_FOR_PARTITION"),
// "buffer_full", "timeout", "canceled", "client_closed", or "_OTHER".
func ErrorType(err error) string {
	var ke *kerr.Error
	switch {
	case errors.As(err, &ke):
		return ke.Message
	case errors.Is(err, ErrBufferFull):
		return "buffer_full"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, kgo.ErrRecordTimeout):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, kgo.ErrClientClosed):
		return "client_closed"
	}
	return "_OTHER"
}
