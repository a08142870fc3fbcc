# Quick start targets; see README.md.
SWIFT ?= swift

.PHONY: deps build test test-all test-image test-notebooks sample bench bench-inference fuzz

# Trains ResNet-20 on the bundled MNIST sample (4,000 train / 1,000 validation digits).
sample: build
	.build/release/imgclf train --train sample/mnist/train --validation sample/mnist/validation \
	  --output model --num_classes 10 --num_training_samples 4000 --image_shape 1,28,28 \
	  --num_layers 20 --mini_batch_size 64 --epochs 4 --learning_rate 0.1 --lr_scheduler_step 3

deps:
	scripts/install-deps
	scripts/install-onnx-venv
	scripts/install-report-tools

build: deps
	$(SWIFT) build -c release --product imgclf

# Tests run in release mode: the numerical tests drive real networks through oneDNN.
# `swift test` builds the imgclf tool too (beside the test bundle), which the distributed
# and job-folder tests run; a separate `swift build` first would compile everything twice.
# Every suite that starts a server in-process runs on its own, after the rest: its
# handlers resume on Swift's cooperative threads, which tests running training beside it
# hold for tens of seconds on two cores (a request then times out); the connection tests
# also time idle and slow clients.
SERVER_SUITES = ServerTests|ConnectionTests|HostileModelTests
# Then three hosts as network namespaces on one machine (scripts/test-multihost; as root,
# else it says why and runs the one-host test scripts/test-distributed instead).
# The long accuracy runs (tests marked `.longRun`, and the accuracy checks of the two
# distributed scripts) are skipped unless IMGCLF_LONG_TESTS=1, which `make test-all` sets.
test: deps
	$(SWIFT) test -c release --skip "$(SERVER_SUITES)"
	$(SWIFT) test -c release --skip-build --filter "$(SERVER_SUITES)"
	scripts/test-multihost "$$($(SWIFT) build -c release --show-bin-path)/imgclf"

# Everything `make test` runs, and the long accuracy runs (what CI runs).
test-all:
	IMGCLF_LONG_TESTS=1 $(MAKE) test

# The container image built without a registry and run as the service runs it (podman):
# scripts/test-image --build runs scripts/install-podman, then scripts/build-image (the binary
# with --static-swift-stdlib, then the image), then its tests. As root; where podman cannot
# be installed or run a container it says SKIP and succeeds. See docs/container.md.
test-image: deps
	SWIFT="$(SWIFT)" scripts/test-image --build

# The notebooks' flows through the SageMaker Python SDK's local mode (SDK from PyPI in
# .venv-sagemaker): through the image localhost/imgclf:latest when podman has it, else the
# binary on the job folders the SDK writes. See docs/notebooks.md.
# Any release build of imgclf serves (make test's, built for testing, is reused as it is:
# `swift build` after `swift test` would recompile everything).
test-notebooks: deps
	bin="$$($(SWIFT) build -c release --show-bin-path)/imgclf"; \
	  [ -x "$$bin" ] || $(SWIFT) build -c release --product imgclf; \
	  scripts/test-sagemaker-flows "$$bin"

bench: build
	python3 bench/compare_compute.py
	python3 bench/compare_mnist.py

# imgclf against ONNX Runtime and PyTorch: float32, bf16 and int8 inference.
bench-inference: build
	python3 bench/compare_inference.py --precision float32 bf16 int8

# Every libFuzzer target (Fuzz/) for FUZZ_SECONDS each; fails on any crash (see Fuzz/README.md).
FUZZ_SECONDS ?= 60
fuzz: deps
	scripts/fuzz $(FUZZ_SECONDS)
