# kiosk: the two commands that matter are `make demo` and `make test`.
SWIFT ?= swift
SWIFT_FLAGS ?=
STATE ?=

.PHONY: demo test setup build release check-config clean deb test-deb fold-proof

## Install the Debian packages the build and tests need (skipped when present).
setup:
	@./scripts/setup-debian.sh

build: setup
	$(SWIFT) build $(SWIFT_FLAGS)

## Run every station of the kiosk in this terminal (Tab switches station, Ctrl-C quits).
## STATE=DIR keeps the state in DIR; otherwise a throwaway folder is used.
demo: build
	$(SWIFT) run $(SWIFT_FLAGS) kioskd --demo $(if $(STATE),--state-dir $(STATE),)

## Build with warnings as errors, run unit, storage, renderer and end-to-end tests.
test: setup
	./scripts/test.sh

## The long run of the fold property test: 5000 seeded random event streams through QueueState
## and the SQLite projections (make test runs 150). FOLD_SEED=N starts at another seed.
fold-proof: setup
	$(SWIFT) build --build-tests -Xswiftc -warnings-as-errors $(SWIFT_FLAGS)
	KIOSK_FOLD_STREAMS=$${KIOSK_FOLD_STREAMS:-5000} $(if $(FOLD_SEED),KIOSK_FOLD_SEED=$(FOLD_SEED),) \
		$(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter FoldEquivalenceTests

check-config: build
	$(SWIFT) run $(SWIFT_FLAGS) kioskd --check-config Kiosk/kiosk.conf

release: setup
	$(SWIFT) build -c release --static-swift-stdlib

## The Debian package dist/kioskd_<version>_amd64.deb (static binaries, unit, config, assets).
deb: setup
	./scripts/make-deb.sh

## Installs that package into a clean Debian 12 root (debootstrap) and checks it there (root).
test-deb: deb
	./scripts/test-deb.sh

clean:
	rm -rf .build
