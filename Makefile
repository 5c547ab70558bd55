# kiosk: the two commands that matter are `make demo` and `make test`.
# `make sim` runs the estimate-accuracy benchmark (kiosk-sim on the shipped scenarios).
SWIFT ?= swift
SWIFT_FLAGS ?=
STATE ?=

.PHONY: api-fuzz fuzz demo test setup build release check-config clean deb test-deb fold-proof crash-proof case-proof sim loadtest explain-central bench-reports storage-damage bench-lvgl kioskd-memory

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

## The estimate-accuracy benchmark: both shipped scenarios (Kiosk/scenarios), 5 seeds after 5
## warm-up days each, through the real core and store (a few minutes). Prints, per estimator,
## promise kept, share inside the range, MAE and bias, under-predictions > 5 min, range width,
## and utilisation per hour. SIM_FLAGS=--json for machines. A release build (as kiosk-bench and
## the package: a simulating estimator is many times slower in debug). The state folders (real
## SQLite, the runtime's synchronous=FULL) go to SIM_STATE, by default in /dev/shm where there is
## one: on a busy disk the fsyncs, not the estimators, would set the pace.
SIM_STATE ?= $(if $(wildcard /dev/shm),/dev/shm/kiosk-sim-$(shell id -u),.build/sim)
sim: setup
	$(SWIFT) build -c release --static-swift-stdlib $(SWIFT_FLAGS) --product kiosk-sim
	rm -rf $(SIM_STATE)
	for s in busy-day four-counters; do \
		"$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/kiosk-sim" Kiosk/scenarios/$$s.scenario \
			--state-dir $(SIM_STATE)/$$s $(SIM_FLAGS) || exit 1; \
	done

## The report benchmark: the year-long fleet report page for 500 kiosks (365 days of real
## busy-day folds) timed, with the centre's peak RSS, and the old in-memory path beside it at a
## size it manages (scripts/bench-reports.py). Release builds; BASELINE_COMMIT= skips the baseline.
bench-reports: setup
	./scripts/bench-reports.sh

## kiosk-bench and LVGL 9 drawing the same busiest lobby at 1920×1080×32 on this machine, in
## alternated runs (README "Against LVGL on the same machine"): full frame, one-number update,
## exec → first frame and its peak RSS, and the floor of filling and copying bands. LVGL is not
## packaged in Debian: LVGL=DIR names a source tree (git clone --branch v9.5.0
## https://github.com/lvgl/lvgl); LVGL_ROUNDS pairs of runs (default 3). TMPDIR=/dev/shm is
## advised (the framebuffer stand-in is a file there).
LVGL ?=
LVGL_ROUNDS ?= 3
bench-lvgl: setup
	@[ -n "$(LVGL)" ] || { echo "make bench-lvgl needs LVGL=DIR, an LVGL 9 source tree (git clone --branch v9.5.0 https://github.com/lvgl/lvgl)" >&2; exit 2; }
	./scripts/lvgl-bench/run.sh "$(LVGL)" $(LVGL_ROUNDS)

## The real kioskd's start (README "The real kioskd"): one lobby at 1920×1080×32 on a file
## framebuffer, five restarts on a state folder; peak RSS at READY=1 (after its first frame) and
## 2 s later without the framebuffer, and where the resident pages are. The release build as shipped.
## Then the same on a copy of a week of the busy day's history, written by kiosk-sim.
kioskd-memory: setup
	$(SWIFT) build -c release --static-swift-stdlib $(SWIFT_FLAGS) --product kioskd
	$(SWIFT) build -c release --static-swift-stdlib $(SWIFT_FLAGS) --product kiosk-sim
	TMPDIR=$${TMPDIR:-$(if $(wildcard /dev/shm),/dev/shm,/tmp)} ./scripts/kioskd-memory.py 5
	H=$$(mktemp -d) && trap 'rm -rf "$$H"' EXIT && \
		"$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/kiosk-sim" Kiosk/scenarios/busy-day.scenario \
			--seed 1 --warm-up 0 --days 7 --state-dir "$$H" >/dev/null && \
		TMPDIR=$${TMPDIR:-$(if $(wildcard /dev/shm),/dev/shm,/tmp)} ./scripts/kioskd-memory.py 5 --history "$$H/seed-1/kiosk.sqlite"

## libFuzzer on the readers of untrusted text (README "Fuzzing"): kiosk.conf, the catalogs,
## keymap.conf, evemu recordings, control requests, the centre's request bodies. FUZZ_SECONDS per
## target (default 600, one after the other), FUZZ_TARGETS to pick some (config catalog keymap
## evemu control central); an optimised sanitised build of its own (.build-fuzz/opt, about 2.5
## minutes the first time); the corpus stays in .build-fuzz/corpus. Then each reader on 100 KB
## and 1 MB inputs, failing when the time grows more than linearly (about 3 minutes). make test
## runs 5 s of each target.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?=
fuzz: setup
	FUZZ_OPT=-O ./scripts/fuzz.sh run $(FUZZ_SECONDS) $(FUZZ_TARGETS)
	FUZZ_OPT=-O ./scripts/fuzz.sh scale $(FUZZ_TARGETS)

## The long run of the fold property test: 5000 seeded random event streams through QueueState
## and the SQLite projections (make test runs 150). FOLD_SEED=N starts at another seed.
fold-proof: setup
	$(SWIFT) build --build-tests -Xswiftc -warnings-as-errors $(SWIFT_FLAGS)
	KIOSK_FOLD_STREAMS=$${KIOSK_FOLD_STREAMS:-5000} $(if $(FOLD_SEED),KIOSK_FOLD_SEED=$(FOLD_SEED),) \
		$(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter FoldEquivalenceTests

## The long run of the crash-safety proof: kiosk-crash-probe SIGKILLed 1000 times while it writes
## (make test kills it 100 times). KIOSK_CRASH_KILLS=N for another count.
crash-proof: setup
	$(SWIFT) build --build-tests -Xswiftc -warnings-as-errors $(SWIFT_FLAGS)
	KIOSK_CRASH_KILLS=$${KIOSK_CRASH_KILLS:-1000} \
		$(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter sigkillingAWriterHundredsOfTimes

## The real kioskd on damaged state folders (lost WAL, garbage, dropped table, emptied file):
## refused, named, restored (Tests/EndToEnd/storage-damage.sh, about 10 s; also in make test).
storage-damage: setup
	$(SWIFT) build $(SWIFT_FLAGS)
	./Tests/EndToEnd/storage-damage.sh

## The long run of the centre's case proof: 200 cases lived through a kiosk and the desk while the
## centre is SIGKILLed (make test lives 24); CASE_PROOF_CASES=N for another count.
case-proof: setup
	CASE_PROOF_CASES=$${CASE_PROOF_CASES:-200} ./scripts/test-central.sh cases

## The fleet load test (README "Fleet load test"): 100, 1,000, 2,000 and 5,000 simulated kiosks
## against a release kiosk-central, one process and then two behind nginx, on a throwaway
## PostgreSQL; prints centre and PostgreSQL CPU, statements/s, idle cost per kiosk, p50/p99 per
## request type, command delivery and errors (about 25 minutes). LOADTEST_SIZES, LOADTEST_SECONDS,
## LOADTEST_PROCESSES, LOADTEST_FLAGS change it; CENTRAL=path skips the build's result.
## schemathesis against a live centre with every check on, at length (make test runs 12 examples
## per operation and phase; API_FUZZ_EXAMPLES=N, API_FUZZ_SEED=S change it).
api-fuzz: setup
	API_FUZZ_EXAMPLES=$${API_FUZZ_EXAMPLES:-300} CENTRAL_SWIFT_TESTS=0 ./scripts/test-central.sh api

loadtest: setup
	$(SWIFT) build --package-path Central -c release $(SWIFT_FLAGS)
	./scripts/loadtest.sh

## The plans of the centre's hot statements at fleet size (docs/central.md "Hot queries and their
## plans"): a throwaway PostgreSQL seeded with 5,000 kiosks, 2 M events, 200 k commands and 20 k
## cases, auto_explain on, the real centre under the load generator; one plan per distinct
## statement, Seq Scans on large tables flagged (a few minutes). CENTRAL=path skips the build;
## EXPLAIN_OUT=file keeps the markdown; EXPLAIN_FLAGS for smaller seeds.
explain-central: setup
	$(if $(CENTRAL),,$(SWIFT) build --package-path Central $(SWIFT_FLAGS))
	./scripts/explain-central.sh

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
	rm -rf .build .build-fuzz
