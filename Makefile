# dmm-bench: build, test, benchmark and install.
# `make run` and `make check` install what they need first (make deps).

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
PYTHON  := /usr/bin/python3

WARN    := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wmissing-prototypes
CFLAGS  ?= -O2 -g
override CFLAGS += -std=gnu11 -D_GNU_SOURCE $(WARN) -Ilib $(shell pkg-config --cflags json-c 2>/dev/null)
LDLIBS  := -lpcap -lnet -lcrypto -lmnl $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c) -lm

LIB_SRC   := $(sort $(wildcard lib/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC  := $(sort $(wildcard tools/*.c))
TOOLS     := $(TOOL_SRC:tools/%.c=$(BUILD)/%)
UNIT_SRC  := $(sort $(wildcard testcases/unit/test_*.c))
UNITS     := $(UNIT_SRC:testcases/unit/%.c=$(BUILD)/unit/%)
FUZZ_SRC  := $(sort $(wildcard testcases/fuzz/fuzz_*.c))
LIBDMM    := $(BUILD)/libdmm.a
WHOLE_LIB := -Wl,--whole-archive $(LIBDMM) -Wl,--no-whole-archive

# Debian 12 packages the project needs (build, tests, oracles, bench).
DEB_PKGS := build-essential pkg-config clang libpcap-dev libnet1-dev libcmocka-dev libjson-c-dev \
	libssl-dev libmnl-dev tshark tcpdump tcpreplay python3-scapy python3-pytest mininet \
	iproute2 iputils-ping iperf3 socat time

.PHONY: all deps check run unit golden live crosscheck fuzz fuzz-check asan bench install clean format

# Stages of `make check` and `make bench`; the fragments in mk/ append their own.
CHECK_STAGES := all unit golden crosscheck live asan fuzz-check
BENCH_STAGES := bench-decode

all: $(TOOLS) $(UNITS)

deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; \
	else echo "deps: all installed"; fi

$(BUILD)/lib/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIBDMM): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%: tools/%.c $(LIBDMM)
	$(CC) $(CFLAGS) -o $@ $< $(WHOLE_LIB) $(LDLIBS)

# Helper programs of the test suites (golden capture generator, benchmark feeders).
$(BUILD)/testprog/%: testcases/progs/%.c $(LIBDMM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(WHOLE_LIB) $(LDLIBS)

$(BUILD)/unit/%: testcases/unit/%.c $(LIBDMM)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(WHOLE_LIB) $(LDLIBS) -lcmocka

# Unit tests (cmocka).
unit: $(UNITS)
	@set -e; for t in $(UNITS); do echo "== $$t"; $$t; done

# Golden captures: decode each pcaps/*.pcap and diff against its expected text and JSON.
golden: $(TOOLS)
	$(PYTHON) testcases/golden/run_golden.py --build $(BUILD)

# Live capture (-i/-f/-c/-w) over a veth pair between two namespaces made by the test.
live: $(TOOLS)
	$(PYTHON) testcases/golden/run_live.py --build $(BUILD)

# Cross-checks against the independent oracles (scapy-made captures, tshark fields).
crosscheck: $(TOOLS)
	$(PYTHON) testcases/crosscheck/run_crosscheck.py --build $(BUILD)

# libFuzzer targets (clang), seeded from pcaps/.
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB_FLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
fuzz:
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD)/obj CC=clang \
		CFLAGS="$(FUZZ_LIB_FLAGS)" $(FUZZ_BUILD)/obj/libdmm.a
	@mkdir -p $(FUZZ_BUILD)
	@set -e; for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
		clang $(FUZZ_FLAGS) -std=gnu11 -D_GNU_SOURCE -Ilib -o $(FUZZ_BUILD)/$$n $$f \
		-Wl,--whole-archive $(FUZZ_BUILD)/obj/libdmm.a -Wl,--no-whole-archive $(LDLIBS); done

# Replay the corpus and fuzz each target for FUZZ_SECONDS, within a total FUZZ_BUDGET (run_fuzz.py).
FUZZ_SECONDS ?= 20
fuzz-check: fuzz
	$(PYTHON) testcases/fuzz/run_fuzz.py --build $(FUZZ_BUILD) --seconds $(FUZZ_SECONDS)

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/asan CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
		unit

# Each stage runs in its own make so that a failure names the stage.
check: deps
	@set -e; for s in $(CHECK_STAGES); do echo "### make $$s"; $(MAKE) --no-print-directory $$s; done

# The main job: the conformance bench on its default topologies (RFC 8278 Figure 1 for the
# LMA/MAG, the mobile router / home agent / correspondent router topology for RFC 6521
# return routability), with JUnit XML, verdict tables, requirement coverage and pcaps in results/.
RUN_STAGES := conformance rrtests
run: deps
	$(MAKE) --no-print-directory all
	@rc=0; for s in $(RUN_STAGES); do echo "### make $$s"; \
		$(MAKE) --no-print-directory $$s || rc=1; done; \
	echo "### results: results/conformance/report.md results/rr/report.md"; exit $$rc

bench: deps
	$(MAKE) --no-print-directory all
	@set -e; for s in $(BENCH_STAGES); do echo "### make $$s"; $(MAKE) --no-print-directory $$s; done

bench-decode: all
	$(PYTHON) ci/bench_decode.py --build $(BUILD)

install: $(TOOLS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	for t in $(TOOLS); do install -m 755 $$t $(DESTDIR)$(PREFIX)/bin/; done
	for m in tools/*.1; do install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man1/; done
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	for m in tools/*.8; do install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man8/; done

format:
	clang-format -i lib/*.c lib/*.h tools/*.c testcases/unit/*.c testcases/fuzz/*.c testcases/progs/*.c

clean:
	rm -rf $(BUILD)

# Per-area rules: each fragment adds its targets and appends to CHECK_STAGES/BENCH_STAGES.
include $(sort $(wildcard mk/*.mk))
