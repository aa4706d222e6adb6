package kafkasink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ErrConnection is wrapped by [Connection.Ping]'s error when no broker
// answered.
var ErrConnection = errors.New("kafkasink: no broker answered")

// Ping connects to the seed brokers and asks one for the cluster's
// metadata, within ctx. It returns nil once a broker answered; otherwise
// an error wrapping [ErrConnection] and the cause, with what to change:
//
//   - the broker's certificate did not verify (an x509 error wrapped: an
//     unknown authority names KAFKA_TLS_CA_FILE, a wrong host
//     KAFKA_TLS_SERVER_NAME);
//   - the broker ended the TLS handshake (a client certificate it requires);
//   - the broker refused the SASL credentials (kerr.SaslAuthenticationFailed)
//     or closed the connection during SASL authentication, as franz-go's
//     kfake does for a wrong password;
//   - the broker closed the first request (*kgo.ErrFirstReadEOF: "is TLS
//     missing?", "is SASL missing?");
//   - no answer before ctx ended, with the last connection error.
//
// A certificate or credentials that were refused make Ping return at once:
// trying again cannot help. Other failures are retried until ctx ends.
// The programs of cmd/ ping before they read, so that a misconfigured
// connection fails at start with its reason rather than with a timeout.
func (c *Connection) Ping(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	h := &pingHook{cancel: cancel}
	cl, err := kgo.NewClient(append(c.ClientOptions(), kgo.WithHooks(h), kgo.DisableClientMetrics())...)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfiguration, err)
	}
	defer cl.Close()
	req := kmsg.NewPtrMetadataRequest()
	req.Topics = []kmsg.MetadataRequestTopic{} // no topic: the brokers only
	_, err = req.RequestWith(ctx, cl)
	if err == nil {
		return nil
	}
	if cause := context.Cause(ctx); h.refused(cause) {
		err = cause // the hook's: the request only saw the cancellation
	} else if last := h.last(); last != nil && !errors.Is(err, last) {
		err = fmt.Errorf("%w; last connection error: %w", err, last)
	}
	return fmt.Errorf("%w at %s: %s%w", ErrConnection, c, c.hint(err), err)
}

// hint says what to change for err, ending with ": ", or "".
func (c *Connection) hint(err error) string {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		alert            tls.AlertError
		header           tls.RecordHeaderError
		sasl             *saslError
	)
	switch {
	case errors.As(err, &unknownAuthority):
		return "the broker's certificate is signed by an authority this client does not trust (give the CA certificate that signed it, PEM, with KAFKA_TLS_CA_FILE): "
	case errors.As(err, &hostname):
		return "the broker's certificate does not hold the name dialed (set KAFKA_TLS_SERVER_NAME to a name it holds): "
	case errors.As(err, &invalid):
		return "the broker's certificate is not valid: "
	case errors.As(err, &alert):
		return "the broker ended the TLS handshake (does it require a client certificate? KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE): "
	case errors.As(err, &header):
		return "the broker does not speak TLS on this port (unset KAFKA_TLS, or give the cluster's TLS listener): "
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		return fmt.Sprintf("the broker refused SASL %s authentication as %q (check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD): ", c.SASLMechanism(), c.saslUser())
	case errors.Is(err, kerr.UnsupportedSaslMechanism):
		return fmt.Sprintf("the broker does not offer SASL %s (KAFKA_SASL_MECHANISM): ", c.SASLMechanism())
	case errors.As(err, &sasl):
		return fmt.Sprintf("the broker closed the connection during SASL %s authentication as %q: wrong user or password, or a mechanism not enabled for this user (KAFKA_SASL_*): ", c.SASLMechanism(), c.saslUser())
	}
	return ""
}

func (c *Connection) saslUser() string {
	if c.sasl == nil {
		return ""
	}
	return c.sasl.user
}

// saslError is a connection that failed while authenticating.
type saslError struct{ err error }

func (e *saslError) Error() string { return "SASL authentication: " + e.err.Error() }
func (e *saslError) Unwrap() error { return e.err }

// pingHook keeps the last connection error, and cancels the ping on one
// that retrying cannot cure.
type pingHook struct {
	cancel context.CancelCauseFunc
	mu     sync.Mutex
	err    error
}

var (
	_ kgo.HookBrokerConnect = (*pingHook)(nil)
	_ kgo.HookBrokerRead    = (*pingHook)(nil)
	_ kgo.HookBrokerWrite   = (*pingHook)(nil)
)

func (h *pingHook) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	h.note(err)
}

func (h *pingHook) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	h.noteRequest(key, err)
}

func (h *pingHook) OnBrokerRead(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	h.noteRequest(key, err)
}

func (h *pingHook) noteRequest(key int16, err error) {
	if err != nil && (key == int16(kmsg.SASLHandshake) || key == int16(kmsg.SASLAuthenticate)) {
		err = &saslError{err}
	}
	h.note(err)
}

func (h *pingHook) note(err error) {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, kgo.ErrClientClosed) {
		return
	}
	h.mu.Lock()
	h.err = err
	h.mu.Unlock()
	if h.refused(err) {
		h.cancel(err)
	}
}

func (h *pingHook) last() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

// refused reports whether err is a refusal that retrying cannot cure: a
// certificate, a TLS alert, credentials.
func (*pingHook) refused(err error) bool {
	var (
		verify *tls.CertificateVerificationError
		alert  tls.AlertError
		header tls.RecordHeaderError
		sasl   *saslError
	)
	return errors.As(err, &verify) || errors.As(err, &alert) || errors.As(err, &header) || errors.As(err, &sasl) ||
		errors.As(err, new(x509.UnknownAuthorityError)) || errors.As(err, new(x509.HostnameError)) ||
		errors.As(err, new(x509.CertificateInvalidError))
}
