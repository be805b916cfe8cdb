# Ratusz. `make run` serves the demo at http://127.0.0.1:8080; `make test`
# runs every test. Both install what they need (as root) or say what to run.

GO      ?= go
BIN     := bin/ratusz
TOOLS   := $(CURDIR)/.tools
AXE_VERSION := 4.14.1
AXE     := $(TOOLS)/node_modules/axe-core/axe.min.js
export RATUSZ_AXE := $(AXE)

.PHONY: run test build bench postgres chromium axe clean

build:
	$(GO) build -o $(BIN) ./cmd/ratusz

run: postgres build
	./$(BIN) seed --demo
	./$(BIN) serve

test: postgres chromium axe
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

bench: postgres
	$(GO) test -run '^$$' -bench . -benchmem ./...

# PostgreSQL's server programs (initdb, pg_ctl, postgres) for the embedded cluster.
postgres:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing PostgreSQL (Debian package postgresql)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "PostgreSQL's server programs are missing. Install them with:"; \
		echo "    sudo apt-get install -y postgresql"; exit 1; \
	fi

# Headless Chromium for the browser tests.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Chromium (Debian package chromium) for the browser tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium is missing for the browser tests. Install it with:"; \
		echo "    sudo apt-get install -y chromium"; exit 1; \
	fi

# axe-core, the accessibility checker the browser tests run on every page.
axe:
	@if [ -f "$(AXE)" ]; then :; else \
		if ! command -v npm >/dev/null 2>&1; then \
			if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
			else echo "npm is missing. Install it with: sudo apt-get install -y npm"; exit 1; fi; \
		fi; \
		echo "Installing axe-core $(AXE_VERSION) into .tools/…"; \
		mkdir -p $(TOOLS) && npm install --prefix $(TOOLS) --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION) >/dev/null; \
	fi

clean:
	rm -rf bin test-output
