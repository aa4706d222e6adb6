package testpki

import "github.com/twmb/franz-go/pkg/kfake"

// The SASL users a cluster started with [SASLUsers] knows, one per
// mechanism.
const (
	PlainUser, PlainPass       = "plain-user", "plain-secret"
	Scram256User, Scram256Pass = "scram256-user", "scram256-secret"
	Scram512User, Scram512Pass = "scram512-user", "scram512-secret"
)

// SASLUsers are the kfake options of a cluster that requires SASL and
// knows the users above.
func SASLUsers() []kfake.Opt {
	return []kfake.Opt{
		kfake.EnableSASL(),
		kfake.Superuser("PLAIN", PlainUser, PlainPass),
		kfake.Superuser("SCRAM-SHA-256", Scram256User, Scram256Pass),
		kfake.Superuser("SCRAM-SHA-512", Scram512User, Scram512Pass),
	}
}
