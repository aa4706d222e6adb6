# otelrelayer: `make run` (quickstart on an embedded broker), `make test`.
GO ?= go
# Every module. outbox is its own, so that database drivers stay out of the
# library's go.mod; its tests need PostgreSQL (scripts/ensure-postgres.sh).
# wire/schematest (the JSON Schema test, its own module for its validator)
# comes last: it validates the messages the other modules' tests dumped.
MODULES := . examples outbox benchmarks wire/schematest
MESSAGE_DUMP := $(CURDIR)/bin/messages

EXAMPLES := quickstart httpserver grpcserver rpc consumer outbox

STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(CURDIR)/bin/staticcheck
FUZZTIME ?= 10s

.PHONY: run examples test tools lint vet fmt-check staticcheck fuzz bench soak screenshots

# The quickstart; flags through ARGS, e.g. make run ARGS=-keep-running.
run:
	cd examples && $(GO) run ./quickstart $(ARGS)

# Every example program, each on its own embedded broker.
examples:
	@set -e; for e in $(EXAMPLES); do \
		echo "== examples/$$e"; \
		(cd examples && $(GO) run ./$$e > /dev/null); \
	done

# The benchmarks module holds benchmarks, not tests: each runs once
# (-benchtime 1x, a few seconds in all) so that the harnesses keep working.
# kcat (librdkafka) proves that other clients read what we write; the test
# that uses it is skipped when it cannot be installed (never in CI).
# Chromium drives the web view's browser test (examples/httpserver), skipped
# likewise when it cannot be installed.
test:
	@./scripts/ensure-kcat.sh || echo "make test: kcat unavailable, its interoperability test will be skipped"
	@./scripts/ensure-chromium.sh >/dev/null || echo "make test: Chromium unavailable, the web view's browser test will be skipped"
	@./scripts/ensure-postgres.sh || echo "make test: PostgreSQL unavailable, the outbox's PostgreSQL tests will be skipped (they fail when CI is set)"
	@rm -rf $(MESSAGE_DUMP)
	@set -e; for m in $(MODULES); do \
		flags=""; if [ $$m = benchmarks ]; then flags="-bench . -benchtime 1x"; fi; \
		echo "== go test -race $$flags $$m"; \
		(cd $$m && OTELRELAYER_MESSAGE_DUMP=$(MESSAGE_DUMP) $(GO) test -race -count=1 $$flags ./...); \
	done

# The commands users install: relaytail -h, and the dev broker for a few
# seconds with the quickstart writing to it, on 127.0.0.1:KAFKA_PORT with its
# web view on 127.0.0.1:UI_PORT (make tools KAFKA_PORT=19092 UI_PORT=19080
# beside a local Kafka; a port taken stops it, naming the variable).
KAFKA_PORT ?= 9092
UI_PORT ?= 9080
tools:
	KAFKA_PORT=$(KAFKA_PORT) UI_PORT=$(UI_PORT) ./scripts/smoke-tools.sh

# The web view's browser tests, keeping their screenshots: the docs' images
# of the list, a request's timeline, a search, a trace's waterfall, the
# event browser and an event's page come from here.
screenshots:
	@./scripts/ensure-chromium.sh >/dev/null
	@rm -rf .artifacts && mkdir -p .artifacts
	cd examples && $(GO) test -count=1 -run '^(TestBrowserShowsTheRequests|TestBrowserSearchesTracesAndReplays)$$' -artifacts -outputdir ../.artifacts ./httpserver
	cp .artifacts/_artifacts/*/list.png docs/webview-list.png
	cp .artifacts/_artifacts/*/detail-error.png docs/webview-timeline.png
	cp .artifacts/_artifacts/*/search.png docs/webview-search.png
	cp .artifacts/_artifacts/*/waterfall.png docs/webview-waterfall.png
	cp .artifacts/_artifacts/*/events.png docs/webview-events.png
	cp .artifacts/_artifacts/*/event-replay.png docs/webview-event.png

# The benchmark harnesses (their own module): the broker in its own process
# (KAFKA_BROKERS when set), the paths alternated, library_allocs, then an
# otelhttp service measured from outside (httpbench: bare, hand-rolled and
# relayer services in their own process, http_ratio_relayer_vs_handrolled),
# then the disk spool on vs off (ratio_spool_vs_memory, spool_emit_p99_ms,
# fsyncs_per_commit), then the transactional outbox on SQLite and PostgreSQL
# (outbox_events_per_s, outbox_delay_p99_ms). BENCHFLAGS=-short for quick
# relaybench and httpbench runs; BENCHFLAGS=-profile for CPU and allocation
# profiles of the relayer path in bin/profiles and their top 10 sites
# (relaybench only then); see BENCHMARKS.md.
BENCHFLAGS ?=
bench:
	cd benchmarks && $(GO) run ./relaybench -profiledir $(CURDIR)/bin/profiles $(BENCHFLAGS)
	@case " $(BENCHFLAGS) " in *" -profile "*) ;; *) \
		cd benchmarks && $(GO) run ./httpbench $(filter -short,$(BENCHFLAGS)) && \
		$(GO) run ./spoolbench && \
		if ../scripts/ensure-postgres.sh; then $(GO) run ./outboxbench; \
		else echo "make bench: PostgreSQL unavailable, outbox figures for SQLite only"; $(GO) run ./outboxbench -backends sqlite; fi ;; \
	esac

# A million requests, heap after every tenth (the soak of the delivery issue).
soak:
	cd benchmarks && $(GO) run ./soak

lint: vet fmt-check staticcheck

# staticcheck, installed from the Go module proxy into ./bin.
$(STATICCHECK):
	GOBIN=$(CURDIR)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck: $(STATICCHECK)
	@set -e; for m in $(MODULES); do (cd $$m && $(STATICCHECK) ./...); done

# Every fuzz target for FUZZTIME each (CI runs them briefly).
fuzz:
	@set -e; for t in \
		./internal/topicname:FuzzValidate \
		./internal/jsonenc:FuzzAppendString \
		./internal/jsonenc:FuzzAppendValue \
		./internal/jsonenc:FuzzAppendTime \
		./internal/jsonenc:FuzzAppendValueMatchesEncodingJSON \
		./cmd/internal/tail:FuzzDecode \
		./cmd/internal/tail:FuzzParseQuery \
		./cmd/internal/tail:FuzzContainsFold \
		./cmd/internal/termtext:FuzzEscape \
		./propagation:FuzzCarrier \
		./exporter:FuzzReadRoot \
		./exporter:FuzzRedact \
		./exporter:FuzzAttributesAreValidJSONWithinTheBound \
		./kafkasink:FuzzDecodeSpoolRecord \
		./kafkasink/internal/spool:FuzzRecover \
		outbox@.:FuzzDecodeHeaders; do \
		mod=.; case $$t in *@*) mod=$${t%%@*}; t=$${t#*@};; esac; \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== fuzz $$name ($$mod $$pkg, $(FUZZTIME))"; \
		GO=$(GO) scripts/fuzz-one.sh $$mod $$pkg $$name $(FUZZTIME); \
	done

vet:
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) vet ./...); done

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
