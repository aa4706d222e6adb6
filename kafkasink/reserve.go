package kafkasink

import "context"

type reservedKey struct{}

// Reserved returns a copy of ctx that makes [Producer.Produce] treat the
// message as given with [ProduceOptions] Reserve.
//
// Deprecated: call [Producer.ProduceWith] with ProduceOptions{Reserve: true}
// (detect [OptionsSink] with a type assertion): behaviour is said with an
// explicit option, not carried in a context. Reserved will be removed in the
// next release.
func Reserved(ctx context.Context) context.Context {
	return context.WithValue(ctx, reservedKey{}, true)
}

// legacyOptions are the options Produce derives from ctx: a context already
// done does not wait (the Sink contract), and one made by Reserved may use
// the reserve.
func legacyOptions(ctx context.Context) ProduceOptions {
	r, _ := ctx.Value(reservedKey{}).(bool)
	return ProduceOptions{NoWait: ctx.Err() != nil, Reserve: r}
}
