# Kakapo — the two commands a fresh Debian machine needs are `make demo` and `make check`.
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
SYSCONFDIR ?= $(PREFIX)/etc
LOCALSTATEDIR ?= /var
DESTDIR ?=
BINARIES := kakapo-dhcp4

.PHONY: all build debug check unit integration deps demo bench install clean

all: build

## Release build of every tool.
build:
	$(SWIFT) build -c release

## Debug build (what the tests run against).
debug:
	$(SWIFT) build

## Installs test dependencies (apt) when missing, builds, runs unit tests and the
## network-namespace integration tests. This is what CI runs.
check: deps debug unit integration

deps:
	bash scripts/install-test-deps.sh

unit:
	$(SWIFT) test 2>&1 | tee .build/unit-test.log; exit $${PIPESTATUS[0]}

integration:
	bash tests/integration/run.sh

## Shows Kakapo serving a real dhclient inside a namespace pair, then cleans up.
demo: debug
	bash scripts/install-test-deps.sh
	bash scripts/demo.sh

## perfdhcp load against kakapo-dhcp4 and Debian's kea-dhcp4, same config, same machine.
bench: build
	bash scripts/install-test-deps.sh
	bash bench/bench.sh

## Installs binaries and a sample config, Kea-style locations.
install:
	printf '/// Install-time locations; written by make install.\npublic enum BuildPaths {\n    public static let sysconfDir = "%s"\n    public static let localStateDir = "%s"\n}\n' "$(SYSCONFDIR)" "$(LOCALSTATEDIR)" > Sources/LinuxIO/BuildPaths.swift
	$(SWIFT) build -c release
	git checkout -- Sources/LinuxIO/BuildPaths.swift 2>/dev/null || true
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(SYSCONFDIR)/kakapo $(DESTDIR)$(LOCALSTATEDIR)/lib/kea
	for b in $(BINARIES); do install -m 0755 .build/release/$$b $(DESTDIR)$(PREFIX)/sbin/$$b; done
	test -f $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapo-dhcp4.conf || install -m 0644 examples/kakapo-dhcp4.conf $(DESTDIR)$(SYSCONFDIR)/kakapo/kakapo-dhcp4.conf

clean:
	rm -rf .build
