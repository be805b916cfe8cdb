# Ratusz. `make run` serves the demo at http://127.0.0.1:8080; `make test`
# runs every test. Both install what they need (as root) or say what to run.

SHELL   := /bin/bash
GO      ?= go
BIN     := bin/ratusz
TOOLS   := $(CURDIR)/.tools
AXE_VERSION := 4.14.1
AXE     := $(TOOLS)/node_modules/axe-core/axe.min.js
export RATUSZ_AXE := $(AXE)

.PHONY: run test fuzz build bench bench-http postgres dictionary pdftotext chromium axe npm smtp wrk clean

build:
	$(GO) build -o $(BIN) ./cmd/ratusz

run: postgres dictionary pdftotext build
	./$(BIN) seed --demo
	RATUSZ_DEMO_LOGIN=1 RATUSZ_SMS_URL=spool: ./$(BIN) serve

test: postgres dictionary pdftotext chromium axe smtp
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	@$(MAKE) --no-print-directory fuzz

# Each fuzz target for a short, bounded time, from the corpus committed in
# testdata/fuzz (which plain `go test` also runs as cases).
FUZZTIME ?= 10s
FUZZ := bip:FuzzDiff bip:FuzzRenderMarkdown bip:FuzzPlainText participation/pabulib:FuzzParsePabulib search:FuzzQueryPlan
fuzz:
	@set -e; for t in $(FUZZ); do \
		echo "== fuzz $${t#*:} ($(FUZZTIME))"; \
		$(GO) test ./$${t%%:*} -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) 2>&1 | tail -n 2; \
		test $${PIPESTATUS[0]} -eq 0; \
	done

bench: postgres dictionary build wrk
	$(GO) test -run '^$$' -bench . -skip 'LiveViewers|Sitting|Tally|Pabulib|BallotIntake|Postgres|IndexerSync' -benchmem -benchtime 20000x -timeout 30m ./...
	$(GO) test -run '^$$' -bench 'Tally|Pabulib' -benchmem -benchtime 5x -timeout 10m ./participation/pabulib/
	$(GO) test -run '^$$' -bench BallotIntake -benchtime 5000x -timeout 10m ./participation/
	$(GO) test -run '^$$' -bench PostgresQueries100k -benchtime 1000x -timeout 20m ./search/
	$(GO) test -run '^$$' -bench PostgresQueries1M -benchtime 2000x -timeout 90m ./search/
	$(GO) test -run '^$$' -bench PostgresIndexing -benchtime 1x -timeout 20m ./search/
	$(GO) test -run '^$$' -bench IndexerSync -benchtime 3x -timeout 20m ./search/
	$(GO) test -run '^$$' -bench LiveViewers -benchtime 1x -timeout 10m ./web/
	$(GO) test -run '^$$' -bench Sitting -benchtime 1x -timeout 10m ./web/
	@$(MAKE) --no-print-directory bench-http

# BIP under load from wrk, a separate process, against a real `ratusz serve`
# on a database of 100,000 publications.
BENCH_ADDR := 127.0.0.1:18080
bench-http:
	@set -e; dir=$$(mktemp -d); chmod 755 $$dir; \
	export RATUSZ_DATA_DIR=$$dir RATUSZ_ADDR=$(BENCH_ADDR) RATUSZ_LOG_LEVEL=warn DATABASE_URL=; \
	first=$$(./$(BIN) seed --bench-bip 100000 | sed -n 's/.*ids \([0-9]*\) to.*/\1/p'); \
	./$(BIN) serve & pid=$$!; \
	trap 'kill -TERM $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf $$dir' EXIT; \
	until (exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null; do sleep 0.2; done; \
	echo "== BIP publication page (random among 100,000), wrk -t2 -c64 -d20s"; \
	FIRST_ID=$$first COUNT=100000 wrk -t2 -c64 -d20s --latency -s web/testdata/wrk/publication.lua http://$(BENCH_ADDR) | sed -n '/Latency Distribution/,/Transfer/p'; \
	echo "== BIP category listing (random page 1..250 of ~6,250), wrk -t2 -c64 -d20s"; \
	wrk -t2 -c64 -d20s --latency -s web/testdata/wrk/listing.lua http://$(BENCH_ADDR) | sed -n '/Latency Distribution/,/Transfer/p'

wrk:
	$(call need,command -v wrk >/dev/null 2>&1,wrk,wrk (HTTP load generator))

# $(call need,TEST,PACKAGE,WHAT): when TEST fails, install Debian's PACKAGE as
# root, or say which command to run.
define need
	@if $(1); then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing $(3) (Debian package $(2))…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	else \
		echo "$(3) is missing. Install it with:"; echo "    sudo apt-get install -y $(2)"; exit 1; \
	fi
endef

# PostgreSQL's server programs (initdb, pg_ctl, postgres) for the embedded cluster.
postgres:
	$(call need,command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1,postgresql,PostgreSQL server programs)

# The Polish dictionary search finds lemmas with (sjp.pl's, in Debian's
# hunspell-pl; read from /usr/share/hunspell, never shipped with Ratusz).
dictionary:
	$(call need,test -f /usr/share/hunspell/pl_PL.dic,hunspell-pl,the Polish dictionary for search)

# pdftotext, which reads PDF attachments' text for search.
pdftotext:
	$(call need,command -v pdftotext >/dev/null 2>&1,poppler-utils,pdftotext (PDF text for search))

# Headless Chromium for the browser tests.
chromium:
	$(call need,command -v chromium >/dev/null 2>&1,chromium,Chromium for the browser tests)

# axe-core, the accessibility checker the browser tests run on every page.
axe: npm
	@if [ -f "$(AXE)" ]; then :; else \
		echo "Installing axe-core $(AXE_VERSION) into .tools/…"; \
		mkdir -p $(TOOLS) && npm install --prefix $(TOOLS) --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION) >/dev/null; \
	fi

npm:
	$(call need,command -v npm >/dev/null 2>&1,npm,npm)

# A real SMTP server on loopback for the notice tests (Debian's aiosmtpd,
# run by the system's Python).
smtp:
	$(call need,/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1,python3-aiosmtpd,an SMTP server for the notice tests)

clean:
	rm -rf bin test-output
