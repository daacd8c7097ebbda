# Kakapo — the two commands a fresh Debian machine needs are `make demo` and `make check`.
SHELL := /bin/bash
# The toolchain: swift on PATH, else the one this machine kind ships in /opt/swift.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
PREFIX ?= /usr/local
# Where the installed binaries look, decided at run time from their own location
# (Sources/LinuxIO/BuildPaths.swift): prefix /usr means /etc and /var, any other prefix
# <prefix>/etc and <prefix>/var. KAKAPO_SYSCONFDIR / KAKAPO_LOCALSTATEDIR override it.
ifeq ($(patsubst %/,%,$(PREFIX)),/usr)
RUNTIME_SYSCONFDIR := /etc
RUNTIME_LOCALSTATEDIR := /var
else
RUNTIME_SYSCONFDIR := $(patsubst %/,%,$(PREFIX))/etc
RUNTIME_LOCALSTATEDIR := $(patsubst %/,%,$(PREFIX))/var
endif
SYSCONFDIR ?= $(RUNTIME_SYSCONFDIR)
LOCALSTATEDIR ?= $(RUNTIME_LOCALSTATEDIR)
DESTDIR ?=

.PHONY: all build debug check unit scenarios swarm swarm-smoke fuzz fuzz-smoke integration tsan deps demo bench bench-pg bench-instructions bench-sim install install-files clean

all: build

## Release build of every tool.
build:
	$(SWIFT) build -c release

## Debug build (what the tests run against).
debug:
	$(SWIFT) build

## Installs test dependencies (apt) when missing, builds, runs unit tests, replays every
## scenario, fuzzes every parser briefly and runs the network-namespace integration tests.
## This is what CI runs.
check: deps debug unit scenarios swarm-smoke fuzz-smoke integration tsan

deps:
	bash scripts/install-test-deps.sh

## Unit tests, with a private PostgreSQL server up for the database tests (scripts/with-pg.sh).
unit:
	bash scripts/with-pg.sh bash -c '$(SWIFT) test 2>&1 | tee .build/unit-test.log; exit $${PIPESTATUS[0]}'

## Replays every scenario file with its own seed and with 10 more seeds derived from the commit
## hash (hash+1 .. hash+10, printed so a failure can be replayed); every run must meet every
## expectation and every invariant. Then checks determinism across processes. The last line is
## "scenarios: N passed, M failed" (N and M count runs, the determinism check included).
SCENARIO_EXTRA_SEEDS ?= 10
scenarios: debug
	@sim=.build/debug/kakapo-sim; \
	hash=$$(git rev-parse HEAD 2>/dev/null | cut -c1-12); base=$$(printf '%d' 0x$${hash:-5eed}); \
	seeds=$$(for i in $$(seq 1 $(SCENARIO_EXTRA_SEEDS)); do printf '%d ' $$((base + i)); done); \
	echo "scenarios: each file with its own seed, then with seeds $$seeds(commit $${hash:-none} + 1..$(SCENARIO_EXTRA_SEEDS))"; \
	pass=0; fail=0; \
	for f in scenarios/*.yaml; do \
	  for s in own $$seeds; do \
	    if [ $$s = own ]; then out=$$($$sim run $$f --quiet 2>&1); rc=$$?; \
	    else out=$$($$sim run $$f --quiet --seed $$s 2>&1); rc=$$?; fi; \
	    if [ $$rc -eq 0 ]; then pass=$$((pass+1)); \
	    else fail=$$((fail+1)); echo "scenario $$f $$([ $$s = own ] && echo 'own seed' || echo "seed $$s") FAILED (exit $$rc):"; printf '%s\n' "$$out" | grep -v '^speed:' | sed 's/^/    /'; fi; \
	  done; \
	done; \
	d=$$(mktemp -d); \
	$$sim run scenarios/office-morning.yaml --quiet --trace $$d/a.jsonl >/dev/null && \
	$$sim run scenarios/office-morning.yaml --quiet --trace $$d/b.jsonl >/dev/null && \
	$$sim run scenarios/office-morning.yaml --quiet --seed 43 --trace $$d/c.jsonl >/dev/null && \
	cmp -s $$d/a.jsonl $$d/b.jsonl && ! cmp -s $$d/a.jsonl $$d/c.jsonl && \
	$$sim trace $$d/a.jsonl --summary >/dev/null; rc=$$?; rm -rf $$d; \
	if [ $$rc -eq 0 ]; then pass=$$((pass+1)); \
	else fail=$$((fail+1)); echo "determinism FAILED: same seed, different trace bytes (or another seed, the same)"; fi; \
	echo "scenarios: $$pass passed, $$fail failed"; test $$fail -eq 0

## Swarm testing (scenarios/README.md, "Swarm"): every scenario again and again, each run with
## seed SWARM_SEED+i and its own random subset of fault kinds at random intensities (loss,
## duplication, partitions, crashes, clock jumps, storage failures, relay loss) on top of the
## file's faults; every invariant and a liveness check apply, the file's expectations do not.
## SWARM_RUNS runs in all, no new run after SWARM_SECONDS; runs longer than
## SWARM_MAX_DURATION of virtual time are cut (only churn, 1 day, is). Prints every violation
## with the command that replays it and a summary; fails on any violation.
SWARM_RUNS ?= 1000
SWARM_SECONDS ?= 1800
SWARM_MAX_DURATION ?= 4h
SWARM_SCENARIOS ?= $(wildcard scenarios/*.yaml)
swarm: debug
	@hash=$$(git rev-parse HEAD 2>/dev/null | cut -c1-8); seed=$${SWARM_SEED:-$$(printf '%d' 0x$${hash:-5eed})}; \
	.build/debug/kakapo-sim swarm $(SWARM_SCENARIOS) --runs $(SWARM_RUNS) --seconds $(SWARM_SECONDS) \
	  --seed-base $$seed --max-duration $(SWARM_MAX_DURATION)

## The small swarm `make check` runs: about two minutes, every scenario but churn.
SWARM_SMOKE_RUNS ?= 240
SWARM_SMOKE_SECONDS ?= 110
swarm-smoke: debug
	@hash=$$(git rev-parse HEAD 2>/dev/null | cut -c1-8); seed=$${SWARM_SEED:-$$(printf '%d' 0x$${hash:-5eed})}; \
	.build/debug/kakapo-sim swarm $(filter-out scenarios/churn.yaml,$(SWARM_SCENARIOS)) --runs $(SWARM_SMOKE_RUNS) \
	  --seconds $(SWARM_SMOKE_SECONDS) --seed-base $$seed --max-duration $(SWARM_MAX_DURATION) --quiet

## Runs every libFuzzer target (Sources/Fuzz, properties in Sources/FuzzProperties) for
## FUZZ_SECONDS each, built with -sanitize=fuzzer,address into .build-fuzz (docs/fuzzing.md).
## A failure names the target, the input that failed and the command that reproduces it; the
## last line is "fuzz: N passed, M failed".
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) bash scripts/fuzz.sh

## The short run `make check` does: CHECK_FUZZ_SECONDS (default 5) per target.
CHECK_FUZZ_SECONDS ?= 5
fuzz-smoke:
	FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) SWIFT=$(SWIFT) bash scripts/fuzz.sh

integration:
	bash tests/integration/run.sh

## ThreadSanitizer over the packet workers (scripts/tsan.sh): both servers built with
## -sanitize=thread into .build-tsan, test_multi_threading against them; any report fails.
tsan:
	SWIFT=$(SWIFT) bash scripts/tsan.sh

## Shows Kakapo serving a real dhclient inside a namespace pair, then cleans up.
demo: debug
	bash scripts/install-test-deps.sh
	bash scripts/demo.sh

## perfdhcp load against kakapo-dhcp4 and Debian's kea-dhcp4, then perfdhcp -6 against
## kakapo-dhcp6 and kea-dhcp6 (bench6.sh), same config, same machine; the same DHCPv4 load with
## leases on a private PostgreSQL (bench_pg.sh: rate, and CPU per exchange of server + database); the server's
## instructions per exchange under callgrind (comparable across builds on a busy machine);
## start-up time and memory on a memfile of a million leases (bench/leases.sh, both families,
## Kakapo and Kea); then the simulator's speed on the churn scenario.
## One table, Kakapo against Kea 2.2 (bench/table.sh): v4 and v6, single- and multi-threaded,
## highest rate, CPU per exchange, latency, a million leases, the simulator's 100k-client day.
bench: build
	bash scripts/install-test-deps.sh
	bash bench/table.sh

## The other measurements: leases on PostgreSQL, and instructions per exchange under callgrind.
bench-pg: build
	bash scripts/install-test-deps.sh
	bash bench/bench_pg.sh

bench-instructions: build
	bash scripts/install-test-deps.sh
	bash bench/instructions.sh
	bash bench/instructions.sh -6

## The simulator's 100,000-client virtual day (bench/sim.sh).
bench-sim: build
	bash bench/sim.sh

## Installs binaries, sample configs, kakapoctl.conf and systemd units (install-files below),
## Kea-style locations (PREFIX=/usr: /etc/kakapo and /var/lib/kea; otherwise under PREFIX).
## Writes nothing in the source tree.
## kakapo-admin finds its schema scripts in <prefix>/share/kakapo/pgsql (next to <prefix>/sbin),
## kakapo-ctrl-agent its dashboard in <prefix>/share/kakapo/dashboard.
install:
	@if [ "$(SYSCONFDIR)" != "$(RUNTIME_SYSCONFDIR)" ] || [ "$(LOCALSTATEDIR)" != "$(RUNTIME_LOCALSTATEDIR)" ]; then \
	  echo "make install: with PREFIX=$(PREFIX) the binaries look in $(RUNTIME_SYSCONFDIR) and $(RUNTIME_LOCALSTATEDIR);" \
	       "leave SYSCONFDIR/LOCALSTATEDIR unset, or run them with KAKAPO_SYSCONFDIR / KAKAPO_LOCALSTATEDIR set" >&2; exit 1; fi
	$(SWIFT) build -c release
	$(MAKE) --no-print-directory install-files BUILD_DIR=.build/release

## What `install` installs after its release build, from any build directory (BUILD_DIR; the
## integration test tests/integration/test_kakapoctl.sh runs it on the debug build): the
## binaries, sample configurations, kakapoctl's configuration (kakapoctl.conf, prefix and
## sysconfdir set to this PREFIX's) and a systemd unit per daemon, ExecStart for this PREFIX
## (@sbindir@, @sysconfdir@ replaced). Units go to $(SYSTEMD_UNITDIR): /lib/systemd/system for
## PREFIX=/usr, $(PREFIX)/lib/systemd/system otherwise (link or copy them into
## /etc/systemd/system to use them there). Existing configuration files are kept.
ifeq ($(patsubst %/,%,$(PREFIX)),/usr)
SYSTEMD_UNITDIR ?= /lib/systemd/system
else
SYSTEMD_UNITDIR ?= $(patsubst %/,%,$(PREFIX))/lib/systemd/system
endif
BUILD_DIR ?= .build/release
UNIT_SED = sed -e 's|@sbindir@|$(patsubst %/,%,$(PREFIX))/sbin|g' -e 's|@sysconfdir@|$(SYSCONFDIR)|g'
install-files:
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SYSCONFDIR)/kakapo $(DESTDIR)$(LOCALSTATEDIR)/lib/kea
	install -m 0755 $(BUILD_DIR)/kakapo-dhcp4 $(DESTDIR)$(PREFIX)/sbin/kakapo-dhcp4
	install -m 0755 $(BUILD_DIR)/kakapo-dhcp6 $(DESTDIR)$(PREFIX)/sbin/kakapo-dhcp6
	install -m 0755 $(BUILD_DIR)/kakapo-dhcp-ddns $(DESTDIR)$(PREFIX)/sbin/kakapo-dhcp-ddns
	install -m 0755 $(BUILD_DIR)/kakapo-sim $(DESTDIR)$(PREFIX)/bin/kakapo-sim
	install -m 0755 $(BUILD_DIR)/kakapo-admin $(DESTDIR)$(PREFIX)/sbin/kakapo-admin
	install -d $(DESTDIR)$(PREFIX)/share/kakapo/pgsql
	install -m 0644 share/pgsql/*.pgsql $(DESTDIR)$(PREFIX)/share/kakapo/pgsql/
	install -d $(DESTDIR)$(PREFIX)/share/kakapo/dashboard
	install -m 0644 share/dashboard/index.html share/dashboard/dashboard.js share/dashboard/dashboard.css $(DESTDIR)$(PREFIX)/share/kakapo/dashboard/
	test -f $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapo-dhcp4.conf || install -m 0644 examples/kakapo-dhcp4.conf $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapo-dhcp4.conf
	test -f $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapo-dhcp6.conf || install -m 0644 examples/kakapo-dhcp6.conf $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapo-dhcp6.conf
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR)
	install -m 0755 $(BUILD_DIR)/kakapo-ctrl-agent $(DESTDIR)$(PREFIX)/sbin/kakapo-ctrl-agent
	install -m 0755 $(BUILD_DIR)/kakapoctl $(DESTDIR)$(PREFIX)/sbin/kakapoctl
	install -m 0755 $(BUILD_DIR)/kakapo-shell $(DESTDIR)$(PREFIX)/bin/kakapo-shell
	test -f $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapo-dhcp-ddns.conf || install -m 0644 examples/kakapo-dhcp-ddns.conf $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapo-dhcp-ddns.conf
	test -f $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapo-ctrl-agent.conf || install -m 0644 examples/kakapo-ctrl-agent.conf $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapo-ctrl-agent.conf
	test -f $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapoctl.conf || \
	  sed -e 's|^prefix=.*|prefix=$(patsubst %/,%,$(PREFIX))|' -e 's|^sysconfdir=.*|sysconfdir=$(SYSCONFDIR)|' \
	    examples/kakapoctl.conf > $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapoctl.conf
	for u in kakapo-dhcp4 kakapo-dhcp6 kakapo-dhcp-ddns kakapo-ctrl-agent; do \
	  $(UNIT_SED) share/systemd/$$u.service > $(DESTDIR)$(SYSTEMD_UNITDIR)/$$u.service && \
	  chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/$$u.service || exit 1; done

clean:
	rm -rf .build
