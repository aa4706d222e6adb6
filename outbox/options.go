package outbox

// An Option configures [WithTx], [Migrate] and [NewInbox]: the table they use.
type Option interface{ applyTable(tableConfig) tableConfig }

// A RelayOption configures [NewRelay]. [WithTable] is both an Option and a
// RelayOption.
type RelayOption interface{ applyRelay(relayConfig) relayConfig }

type tableConfig struct {
	table    string
	noNotify bool
}

func newTableConfig(def string, opts []Option) tableConfig {
	c := tableConfig{table: def}
	for _, o := range opts {
		if o != nil {
			c = o.applyTable(c)
		}
	}
	return c
}

// TableOption names the outbox table (or, for [NewInbox], the inbox table).
type TableOption struct{ name string }

// WithTable names the table: [DefaultTable] ("relayer_outbox") for the
// outbox, [DefaultInboxTable] for an inbox, unless set. Writers (WithTx),
// Migrate and the relay of one outbox must use the same name. An empty name
// keeps the default; an invalid one is an [ErrConfiguration].
func WithTable(name string) TableOption { return TableOption{name: name} }

func (o TableOption) applyTable(c tableConfig) tableConfig {
	if o.name != "" {
		c.table = o.name
	}
	return c
}

func (o TableOption) applyRelay(c relayConfig) relayConfig {
	if o.name != "" {
		c.table = o.name
	}
	return c
}

type tableOptionFunc func(tableConfig) tableConfig

func (f tableOptionFunc) applyTable(c tableConfig) tableConfig { return f(c) }

// WithoutNotifyTrigger makes [Migrate] on PostgreSQL leave out (or drop)
// the trigger that NOTIFYs relays at each commit that wrote rows. By
// default the trigger is created: relays (with pgnotify) publish at once
// after a commit. Its cost: PostgreSQL serialises the commits of
// transactions that NOTIFY, so under many concurrent writers the commit
// rate falls towards one per WAL flush (outboxbench, 16 writers: 0.2 to 0.6
// times the rate without it). Without it, relays poll ([WithPollInterval]).
// Ignored on SQLite and by WithTx.
func WithoutNotifyTrigger() Option {
	return tableOptionFunc(func(c tableConfig) tableConfig { c.noNotify = true; return c })
}
