#!/bin/sh
# libFuzzer on the readers of untrusted text (README "Fuzzing"): kiosk.conf, the message
# catalogs, keymap.conf, evemu recordings, control-socket requests, the centre's request
# bodies and stored event payloads (the fast reader against JSONDecoder). One executable,
# .build-fuzz/kiosk-fuzz, holds every target (KIOSK_FUZZ_TARGET picks one), built by swiftc
# here rather than by SwiftPM: only the modules the targets need (KioskProtocol, KioskSecrets,
# KioskSystem, KioskCore; the few files of KioskKeypad, KioskRuntime and kiosk-central that hold
# the readers are compiled into the fuzz module), each module in one whole-module job,
# coverage-instrumented and with AddressSanitizer, and rebuilt only when its sources, flags or
# dependencies changed (a hash in a stamp). The root package never sees Fuzz/ and depends on no
# Swift package.
#
#   scripts/fuzz.sh build                    build (or find up to date) .build-fuzz/kiosk-fuzz
#   scripts/fuzz.sh run SECONDS [TARGET...]  fuzz each target SECONDS (all when none named)
#   scripts/fuzz.sh smoke                    build, then 5 s per target (make test)
#   scripts/fuzz.sh scale [TARGET...]        100 KB and 1 MB inputs: is each reader linear?
#   scripts/fuzz.sh repro TARGET FILE...     run inputs once (a crash file, a regression input)
#
# Seeds: the shipped files (Kiosk/, Tests/KioskKeypadTests/Recordings) and Fuzz/seeds/TARGET.
# The corpus of `run` grows in .build-fuzz/corpus/TARGET; the smoke run starts from the seeds
# every time. A crash, timeout or out-of-memory input is kept in .build-fuzz/artifacts/TARGET/
# and fails the run. FUZZ_MAX_LEN (default 65536 for long runs, 8192 for the smoke run) bounds
# an input; FUZZ_TIMEOUT (s, default 3) is a hang (a linear reader takes milliseconds on 64 KB
# even in this build: seconds mean a quadratic step).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# FUZZ_OPT=-O (make fuzz) builds an optimised flavour beside the -Onone one: 2.5 minutes
# instead of 30 s, then 2 to 5 times the executions per second.
OUT=$ROOT/.build-fuzz${FUZZ_OPT:+/opt}
LIB=$OUT/lib
BIN=$OUT/kiosk-fuzz
WORK=$ROOT/.build-fuzz
LOGS=$WORK/logs
TARGETS="config catalog keymap evemu control central event"
SWIFTC=${SWIFTC:-swiftc}
FLAGS="-sanitize=fuzzer,address ${FUZZ_OPT:--Onone} -parse-as-library -swift-version 6 -wmo -warnings-as-errors"

die() { echo "fuzz.sh: $*" >&2; exit 1; }

# module NAME "EXTRA FLAGS" "DEPENDENCY STAMPS" SOURCE...: a static library and its module,
# rebuilt when the hash of flags, sources and dependencies' stamps differs from the last one.
module() {
    name=$1 extra=$2 deps=$3
    shift 3
    stamp=$LIB/$name.stamp
    key=$( (echo "$FLAGS $extra"; for d in $deps; do cat "$LIB/$d.stamp"; done; cat "$@") | sha256sum | cut -c1-64)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -f "$LIB/lib$name.a" ]; then return; fi
    echo "fuzz.sh: compiling $name ($# files)"
    rm -f "$stamp" "$LIB/lib$name.a"
    # shellcheck disable=SC2086 # FLAGS and extra are lists of flags
    "$SWIFTC" $FLAGS $extra -module-name "$name" -I "$LIB" -emit-library -static \
        -emit-module -emit-module-path "$LIB/$name.swiftmodule" -o "$LIB/lib$name.a" "$@" 2>&1 |
        grep -v "Cannot export local symbol" >&2 || true
    [ -f "$LIB/lib$name.a" ] || die "$name did not compile"
    echo "$key" > "$stamp"
}

build() {
    # FUZZ_BUILD=0: fuzz with the executable as it is (say, while another Swift build runs).
    if [ "${FUZZ_BUILD:-1}" = 0 ] && [ -x "$BIN" ]; then return; fi
    mkdir -p "$LIB"
    C="-I $ROOT/Sources/CCrypt -I $ROOT/Sources/CLibcrypto"
    module KioskProtocol "" "" Sources/KioskProtocol/*.swift
    module KioskSystem "" "" Sources/KioskSystem/*.swift
    module KioskSecrets "$C" "" Sources/KioskSecrets/*.swift
    # -enable-testing: the targets read kiosk.conf through the lexer's own UTF-8 check.
    module KioskCore "$C -enable-testing" "KioskProtocol KioskSecrets KioskSystem" $(find Sources/KioskCore -name '*.swift' | sort)
    # The readers that live in heavier modules, compiled into the fuzz module itself.
    set -- Fuzz/Sources/*.swift \
        Sources/KioskKeypad/EvemuRecording.swift Sources/KioskKeypad/InputEvent.swift Sources/KioskKeypad/KeypadError.swift \
        Sources/KioskRuntime/Operations/ControlProtocol.swift \
        Central/Sources/KioskCentral/HTTP/BodyCheck.swift
    key=$( (echo "$FLAGS"; cat "$LIB"/*.stamp; cat "$@") | sha256sum | cut -c1-64)
    if [ -f "$OUT/kiosk-fuzz.stamp" ] && [ "$(cat "$OUT/kiosk-fuzz.stamp")" = "$key" ] && [ -x "$BIN" ]; then return; fi
    echo "fuzz.sh: compiling and linking kiosk-fuzz"
    rm -f "$OUT/kiosk-fuzz.stamp" "$BIN"
    # shellcheck disable=SC2086
    "$SWIFTC" $FLAGS $C -module-name KioskFuzz -I "$LIB" -L "$LIB" \
        -lKioskCore -lKioskSecrets -lKioskProtocol -lKioskSystem -lcrypt -lcrypto \
        -o "$BIN" "$@" 2>&1 | grep -v "Cannot export local symbol" >&2 || true
    [ -x "$BIN" ] || die "kiosk-fuzz did not compile"
    echo "$key" > "$OUT/kiosk-fuzz.stamp"
}

# The shipped files a target starts from, comma-separated for -seed_inputs.
seeds() {
    case $1 in
        config) ls Kiosk/kiosk.conf ;;
        catalog) ls Kiosk/messages/*.catalog ;;
        keymap) ls Kiosk/keymap.conf ;;
        evemu) ls Tests/KioskKeypadTests/Recordings/*.evemu ;;
        *) : ;;
    esac | paste -sd, -
}

# fuzz TARGET SECONDS MAX_LEN CORPUS: one run; prints the executions; fails on a finding.
fuzz() {
    target=$1 seconds=$2 maxlen=$3 corpus=$4
    artifacts=$WORK/artifacts/$target
    mkdir -p "$corpus" "$artifacts"
    mkdir -p "$LOGS"
    log=$LOGS/$target.log
    set -- -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-3}" -max_len="$maxlen" -rss_limit_mb=2048 \
        -report_slow_units=1 -print_final_stats=1 -detect_leaks=0 -artifact_prefix="$artifacts/" "$corpus"
    [ -d "Fuzz/seeds/$target" ] && set -- "$@" "Fuzz/seeds/$target"
    [ -n "${FUZZ_SEED:-}" ] && set -- -seed="$FUZZ_SEED" "$@"
    s=$(seeds "$target")
    [ -n "$s" ] && set -- -seed_inputs="$s" "$@"
    started=$(date +%s)
    if KIOSK_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$BIN" "$@" > "$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        slowest=$(sed -n 's/.*Slowest unit: \([0-9]*\) s.*/\1/p' "$log" | sort -n | tail -1)
        echo "fuzz $target: $runs runs in $(($(date +%s) - started)) s, corpus $(ls "$corpus" | wc -l) inputs, slowest input ${slowest:-<1} s, no finding"
    else
        grep -E "kiosk-fuzz:|ERROR: |SUMMARY|Test unit written|Fatal error" "$log" | head -20 >&2
        echo "fuzz $target: FINDING (log $log); run it again with: scripts/fuzz.sh repro $target $artifacts/<file>" >&2
        return 1
    fi
}

# once TARGET FILE: milliseconds to read FILE once, empty when it did not finish.
once() {
    KIOSK_FUZZ_TARGET=$1 ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$BIN" -runs=1 \
        -rss_limit_mb=8192 -malloc_limit_mb=8192 -timeout=300 "$2" 2>&1 | sed -n 's/^Executed .* in \([0-9]*\) ms$/\1/p'
}

# The quadratic step libFuzzer's short inputs hide: each reader on 100 KB and on 1 MB of the same
# pattern (many bad lines; one long line). Linear is about 10 times the time; fails over 30.
scale() {
    dir=$WORK/scale
    mkdir -p "$dir"
    failed=""
    for case in "config:prefx = 1" "config:[service a" "keymap:KEY_X = enter" "catalog:k = {x}{y}" "evemu:E: 1.0 0001 001e" \
        "config:" "keymap:" "catalog:" "evemu:" "control:" "central:events"; do
        target=${case%%:*} line=${case#*:}
        case " ${*:-$TARGETS} " in *" $target "*) ;; *) continue ;; esac
        for n in 100000 1000000; do
            if [ "$target" = central ]; then
                # a batch of many events: the whole body is decoded and written again
                event='{"seq":1,"type":"ticket.issued","deviceTime":"2026-11-24T07:29:59.505Z","payload":{"n":[0e300,1.5]}}'
                printf '{"kiosk":"k1","events":['
                yes "$event," | head -n $((n / 101))
                printf '%s]}' "$event"
            elif [ -n "$line" ]; then yes "$line" | head -c "$n"; else head -c "$n" /dev/zero | tr '\0' 'x'; fi > "$dir/$target.$n"
        done
        small=$(once "$target" "$dir/$target.100000") large=$(once "$target" "$dir/$target.1000000")
        echo "scale $target '${line:-x…}': 100 KB ${small:-?} ms, 1 MB ${large:-?} ms"
        if [ -z "$small" ] || [ -z "$large" ] || [ "$large" -gt $((30 * small + 1000)) ]; then failed="$failed $target"; fi
    done
    [ -z "$failed" ] || die "more than linear (or unfinished) in:$failed; inputs in $dir"
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
    build) build ;;
    run)
        seconds=${1:?give the seconds per target}
        shift
        build
        failed=""
        for t in ${*:-$TARGETS}; do fuzz "$t" "$seconds" "${FUZZ_MAX_LEN:-65536}" "$WORK/corpus/$t" || failed="$failed $t"; done
        [ -z "$failed" ] || die "findings in:$failed"
        ;;
    smoke)
        build
        failed=""
        # A corpus of its own each time, so the step takes the same time however often it ran, and
        # a fixed seed (FUZZ_SEED, default 1), so that CI explores the same way each time; `make
        # fuzz` goes wherever a random seed takes it.
        FUZZ_SEED=${FUZZ_SEED:-1}
        corpora=$(mktemp -d)
        LOGS=$WORK/logs/smoke
        trap 'rm -rf "$corpora"' EXIT
        for t in $TARGETS; do fuzz "$t" 5 "${FUZZ_MAX_LEN:-8192}" "$corpora/$t" || failed="$failed $t"; done
        [ -z "$failed" ] || die "findings in:$failed"
        ;;
    scale)
        build
        scale "$@"
        ;;
    repro)
        target=${1:?give the target}
        shift
        build
        KIOSK_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$BIN" -runs=1 "$@"
        ;;
    *) die "usage: scripts/fuzz.sh build | run SECONDS [TARGET...] | smoke | scale [TARGET...] | repro TARGET FILE..." ;;
esac
