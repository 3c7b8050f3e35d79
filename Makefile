# Boptone: `make run` serves the app with demo data; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: help run build test deps deps-test clean-data fmt

# Everything the release build reads: a second `make run` skips the build when none changed.
BUILD_INPUTS := $(shell find src app/src server/src frontend/src style public migrations -type f 2>/dev/null) \
	Cargo.toml Cargo.lock app/Cargo.toml server/Cargo.toml frontend/Cargo.toml package-lock.json
BUILT := target/site/.release-built

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: build ## Build, load demo data and serve http://127.0.0.1:3000 (SQLite in data/)
	./target/release/boptone seed-demo
	./target/release/boptone serve

build: deps $(BUILT) ## Release build of the server and the WebAssembly front end

$(BUILT): $(BUILD_INPUTS)
	scripts/build-release.sh
	touch $@

test: deps-test ## fmt, clippy, Rust tests on SQLite and PostgreSQL, release front end, Playwright
	scripts/test.sh

deps: ## Install the build tools that are missing (pinned versions)
	scripts/deps.sh

deps-test: ## deps, plus Chromium, PostgreSQL and the Playwright packages
	scripts/deps.sh --test

fmt: ## Format the code (leptosfmt for view! macros, then rustfmt)
	leptosfmt --quiet app/src
	cargo fmt --all

clean-data: ## Delete the local database and media
	rm -rf data
