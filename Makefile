# otelrelayer: `make run` (quickstart on an embedded broker), `make test`.
GO ?= go
MODULES := . examples

EXAMPLES := quickstart httpserver grpcserver rpc consumer

STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(CURDIR)/bin/staticcheck
FUZZTIME ?= 10s

.PHONY: run examples test lint vet fmt-check staticcheck fuzz bench soak

run:
	cd examples && $(GO) run ./quickstart

# Every example program, each on its own embedded broker.
examples:
	@set -e; for e in $(EXAMPLES); do \
		echo "== examples/$$e"; \
		(cd examples && $(GO) run ./$$e > /dev/null); \
	done

# kcat (librdkafka) proves that other clients read what we write; the test
# that uses it is skipped when it cannot be installed (never in CI).
test:
	@./scripts/ensure-kcat.sh || echo "make test: kcat unavailable, its interoperability test will be skipped"
	@set -e; for m in $(MODULES); do \
		echo "== go test -race $$m"; \
		(cd $$m && $(GO) test -race -count=1 ./...); \
	done

# The benchmark harness (its own module): the broker in its own process
# (KAFKA_BROKERS when set), three paths alternated. BENCHFLAGS=-short for a
# quick run; see BENCHMARKS.md.
BENCHFLAGS ?=
bench:
	cd benchmarks && $(GO) run ./relaybench $(BENCHFLAGS)

# A million requests, heap after every tenth (the soak of the delivery issue).
soak:
	cd benchmarks && $(GO) run ./soak

lint: vet fmt-check staticcheck

# staticcheck, installed from the Go module proxy into ./bin.
$(STATICCHECK):
	GOBIN=$(CURDIR)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck: $(STATICCHECK)
	@set -e; for m in $(MODULES) benchmarks; do (cd $$m && $(STATICCHECK) ./...); done

# Every fuzz target for FUZZTIME each (CI runs them briefly).
fuzz:
	@set -e; for t in \
		./internal/topicname:FuzzValidate \
		./internal/jsonenc:FuzzAppendString \
		./internal/jsonenc:FuzzAppendValue \
		./internal/jsonenc:FuzzAppendTime \
		./propagation:FuzzCarrier \
		./exporter:FuzzReadRoot \
		./exporter:FuzzRedact; do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== fuzz $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

vet:
	@set -e; for m in $(MODULES) benchmarks; do (cd $$m && $(GO) vet ./...); done

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
