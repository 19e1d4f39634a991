# Entry points. The logic lives in scripts/ (bash), so traps and error
# handling work the same from make, CI (.ci/run) and a shell.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# cargo-installed tools (cargo-leptos, wasm-bindgen) are not on every shell's PATH.
export PATH := $(HOME)/.cargo/bin:$(PATH)

# Only for `run`: test.sh and bench.sh pick free ports of their own.
LEPTOS_SITE_ADDR ?= 127.0.0.1:3000

.PHONY: help install run dev test lint fmt bench pg-start pg-stop check-wasm

help:
	@echo "make run     install tools, build and serve the release build on $(LEPTOS_SITE_ADDR)"
	@echo "make dev     the watch loop: debug build, rebuilt and reloaded on every change"
	@echo "make test    fmt, clippy, cargo test (SQLite + PostgreSQL), wasm guards, release build, browser tests"
	@echo "make lint    fmt check + clippy (server and wasm)"
	@echo "make fmt     cargo fmt"
	@echo "make bench   release build + benches -> bench/results/*.json"
	@echo "make install install the toolchain pieces only"

install:
	scripts/install.sh

run:
	LEPTOS_SITE_ADDR=$(LEPTOS_SITE_ADDR) scripts/run.sh

dev: install
	LEPTOS_SITE_ADDR=$(LEPTOS_SITE_ADDR) cargo leptos watch

test:
	scripts/test.sh

lint:
	scripts/lint.sh

fmt:
	cargo fmt --all

bench:
	scripts/bench.sh

check-wasm:
	scripts/check-wasm.sh

pg-start:
	@scripts/pg.sh start

pg-stop:
	scripts/pg.sh stop
