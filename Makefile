# Worklink: `make dev` runs a local instance against simulated tenants; `make test` is everything CI
# runs; `make bench` measures (results go to docs/benchmarks.md).
SHELL := /bin/bash
CARGO ?= cargo
# Python tools used only as third-party cross-checks (wechatpy against our simulator, and as the
# comparison point in benchmarks).
VENV := $(CURDIR)/target/pyenv
PY := $(VENV)/bin/python

.PHONY: dev test bench plugins wasm-target pyenv test-plugins test-host

wasm-target:
	@rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2

# Every shipped and test plugin, compiled to wasm32-wasip2 components in
# plugins/target/wasm32-wasip2/release/<crate_name>.wasm (the path host tests load them from, so a
# CARGO_TARGET_DIR from the environment must not move them).
PLUGINS_TARGET := $(CURDIR)/plugins/target
plugins: wasm-target
	cd plugins && CARGO_TARGET_DIR=$(PLUGINS_TARGET) $(CARGO) build --release --target wasm32-wasip2

pyenv: $(PY)
$(PY): requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(PY)

# The plugin workspace's own tests run natively (the SDK's harness needs no host).
test-plugins:
	cd plugins && CARGO_TARGET_DIR=$(PLUGINS_TARGET) $(CARGO) test --target $$(rustc -vV | sed -n 's/^host: //p')

# Host tests run beside a throwaway PostgreSQL: the storage tests cover both database backends.
test-host: plugins pyenv
	$(CARGO) build --workspace --bins
	WORKLINK_PYTHON=$(PY) bash scripts/with-postgres.sh $(CARGO) test --workspace --no-fail-fast

test: test-plugins test-host

# A local instance against simulated tenants (see `worklink dev --help` for --listen/--data-dir).
dev: plugins
	$(CARGO) run --release -p worklink-server --bin worklink -- dev

bench: plugins pyenv
	WORKLINK_PYTHON=$(PY) bash scripts/with-postgres.sh $(CARGO) bench --workspace
