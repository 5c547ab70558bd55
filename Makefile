# kiosk: the two commands that matter are `make demo` and `make test`.
SWIFT ?= swift
SWIFT_FLAGS ?=
STATE ?=

.PHONY: demo test setup build release check-config clean deb test-deb

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
