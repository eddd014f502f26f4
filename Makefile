# The whole test suite: Rust tests (unit, property, HTTP on SQLite and PostgreSQL)
# and browser tests in headless Chromium. PostgreSQL must be running (see README).
.PHONY: test test-rust test-browser demo bench

test: test-rust test-browser

test-rust:
	cargo nextest run --workspace --no-fail-fast

# Builds the binary with the same features as the tests (nothing compiles twice),
# then drives `autocrm demo` with Playwright.
test-browser:
	cargo build --workspace --bins --tests
	AUTOCRM_BIN=$${CARGO_TARGET_DIR:-$(CURDIR)/target}/debug/autocrm bash tests/browser/run.sh

demo:
	cargo run -- demo

bench:
	bash bench/run.sh
