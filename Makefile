# Quick start targets; see README.md.
SWIFT ?= swift
export OMP_NUM_THREADS ?= 2

.PHONY: deps build test sample bench

deps:
	scripts/install-deps

build: deps
	$(SWIFT) build -c release --product imgclf

# Tests run in release mode: the numerical tests drive real networks through oneDNN.
test: deps
	$(SWIFT) test -c release

bench: build
	bench/run-compute-bench.sh
