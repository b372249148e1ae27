# SPDX-License-Identifier: GPL-2.0
#
# ringnet: build the module for every installed kernel, the userspace tools
# and the selftests; run the tests; run the demo.
#
#   make            build everything (no installs)
#   make check      install what is needed, build, lint, run all tests
#   make check-quick  build, lint, unit tests, the native e2e (no VM)
#   make demo       install what is needed, build, run the demo in a VM
#   make bench      install what is needed, build, benchmark (VM and native)
#   make fuzz       ringnetd's fuzz targets, FUZZ_SECONDS each, with coverage
#   make fuzz-check replay the fuzz corpus, FUZZ_CHECK_SECONDS per target

ROOT	:= $(abspath .)
BUILD	:= $(ROOT)/build

# Every kernel whose headers are installed; override with KVERS="a b".
KVERS	?= $(patsubst /lib/modules/%/build,%,$(wildcard /lib/modules/*/build))

# Files that kbuild needs from each kernel tree are found through this.
KSRC_TARBALL := $(firstword $(wildcard /usr/src/linux-source-6.1.tar.*))
KSRC	:= $(BUILD)/ksrc

MOD_SOURCES := Kbuild $(wildcard kmod/*.c kmod/*.h kmod/uapi/linux/*.h)

.PHONY: all modules userspace selftests check check-build lint spec sparse \
	checkpatch unit native vmtest demo deps clean bench check-quick \
	fuzz fuzz-check fuzzers

all: modules userspace selftests

deps:
	scripts/install-deps

# One tree per kernel: kbuild writes objects next to the sources, so each
# kernel gets its own tree of symbolic links.
modules: $(foreach k,$(KVERS),$(BUILD)/$(k)/ringnet.ko)

$(BUILD)/%/ringnet.ko: $(MOD_SOURCES)
	@mkdir -p $(BUILD)/$*/kmod
	@cp -rsf $(ROOT)/Kbuild $(ROOT)/kmod $(BUILD)/$*/
	$(MAKE) -C /lib/modules/$*/build M=$(BUILD)/$* W=1 modules

userspace:
	$(MAKE) -C userspace O=$(BUILD)/userspace

# kselftest_harness.h and checkpatch.pl come from Debian's linux-source-6.1,
# unpacked at build time rather than copied into this repository.
KSRC_FILES := tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h \
	scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch

$(KSRC)/.stamp:
	@test -n "$(KSRC_TARBALL)" || { echo "linux-source-6.1 is not installed: run scripts/install-deps" >&2; exit 1; }
	@mkdir -p $(KSRC)
	tar -xf $(KSRC_TARBALL) -C $(KSRC) --strip-components=1 \
		$(addprefix $(notdir $(basename $(basename $(KSRC_TARBALL))))/,$(KSRC_FILES))
	@touch $@

selftests: $(KSRC)/.stamp
	$(MAKE) -C selftests O=$(BUILD)/selftests KSFT=$(KSRC)/tools/testing/selftests

checkpatch: $(KSRC)/.stamp
	perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f \
		$(wildcard kmod/*.c kmod/*.h kmod/uapi/linux/*.h)

# sparse over every kernel's build; any warning fails.  In a tree of its
# own: C=2 relinks ringnet.ko, which the VM phase, beside lint, loads.
sparse: modules
	@set -e; for k in $(KVERS); do \
		echo "  SPARSE  $$k"; \
		mkdir -p $(BUILD)/sparse/$$k; \
		cp -rsf $(ROOT)/Kbuild $(ROOT)/kmod $(BUILD)/sparse/$$k/; \
		$(MAKE) -s -C /lib/modules/$$k/build M=$(BUILD)/sparse/$$k C=2 \
			CHECK=sparse modules 2>&1 | tee $(BUILD)/$$k/sparse.log; \
		if grep -q 'warning:\|error:' $(BUILD)/$$k/sparse.log; then \
			echo "sparse: warnings on $$k" >&2; exit 1; fi; \
	done

spec:
	scripts/check-spec

lint: spec checkpatch sparse

unit: userspace
	$(MAKE) -C userspace O=$(BUILD)/userspace check
	$(MAKE) -C userspace O=$(BUILD)/userspace SANITIZE=1 check

# Tests that need no module run natively: ringnetd and ringnet-run over TAP,
# and `make bench` itself (--quick --native-only: its JSON, not its figures).
# Each is timed ("# time SCRIPT: Ns", for scripts/check-report).
NATIVE_TESTS := selftests/gateway.sh selftests/ports.sh selftests/icmp-errors.sh \
	selftests/run-tap.sh selftests/run-linger.sh selftests/ringnetd-log.sh \
	selftests/quiet-defaults.sh scripts/bench-smoke

native: userspace
	@set -e; for t in $(NATIVE_TESTS); do \
		echo "# native: $$t"; s=$$(date +%s.%N); \
		RINGNET_BUILD=$(BUILD) $$t; \
		awk -v t=$$t -v a=$$s -v b=$$(date +%s.%N) 'BEGIN { printf "# time %s: %.1fs\n", t, b - a }'; \
	done

# libFuzzer (clang): not part of check; see Documentation/security.rst.
FUZZ_SECONDS		?= 600
FUZZ_CHECK_SECONDS	?= 20

fuzzers:
	$(MAKE) -C userspace O=$(BUILD)/userspace FUZZ=1 fuzzers

fuzz: fuzzers
	$(MAKE) -C userspace O=$(BUILD)/userspace FUZZ=cov fuzzers
	userspace/ringnetd/fuzz/run-fuzz fuzz $(BUILD)/userspace $(FUZZ_SECONDS)

fuzz-check: fuzzers
	userspace/ringnetd/fuzz/run-fuzz check $(BUILD)/userspace $(FUZZ_CHECK_SECONDS)

vmtest: all
	scripts/vmtest

# The README's test command: everything a fresh clone needs, then every
# test, the VM boots beside lint, unit and native; the phase table at the
# end and in build/check-times.json; over 75 minutes it stops and fails
# (scripts/check-run, Documentation/testing.rst).
check:
	scripts/check-run

# For a developer, in minutes: no installs, no VM.
check-quick:
	scripts/check-run --quick

# The same phases one after the other, untimed.
check-build: all lint unit native vmtest

demo:
	scripts/install-deps
	$(MAKE) all
	scripts/demo

# ringnet next to veth, pasta and slirp4netns, in the VM and natively;
# BENCH_ARGS go to scripts/bench (e.g. BENCH_ARGS=--quick).
bench: deps all
	scripts/bench $(BENCH_ARGS)

clean:
	rm -rf $(BUILD)
