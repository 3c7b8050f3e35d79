# Boptone: `make run` serves the app with demo data; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: help run build test deps deps-test seed clean-data fmt

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: deps build ## Build, load demo data and serve http://127.0.0.1:3000 (SQLite in data/)
	./target/release/boptone seed-demo
	./target/release/boptone serve

build: deps ## Release build of the server and the WebAssembly front end
	cargo leptos build --release

test: deps-test ## fmt, clippy, Rust tests on SQLite and PostgreSQL, release build, Playwright
	scripts/test.sh

deps: ## Install the build tools that are missing (pinned versions)
	scripts/deps.sh

deps-test: ## deps, plus Chromium, PostgreSQL and the Playwright packages
	scripts/deps.sh --test

fmt: ## Format the code
	cargo fmt --all

clean-data: ## Delete the local database and media
	rm -rf data
