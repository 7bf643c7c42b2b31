# ovs-p2p's autotest suite (included from p2p.mk).
#
# It is built like OVS's own tests/testsuite, from the same macros
# (tests/ovs-macros.at, tests/ofproto-macros.at, ...), and runs in OVS's
# build tree with its atlocal, so that a test reads like an upstream one.
# The script lands in the build tree as tests/p2p-testsuite; its working
# files go to tests/p2p-testsuite.dir.

P2P_TESTSUITE_AT = \
	p2p/tests/testsuite.at \
	p2p/tests/p2p-macros.at \
	p2p/tests/build.at \
	p2p/tests/smoke.at \
	p2p/tests/dpdkr.at \
	p2p/tests/dpdkr-qemu.at \
	p2p/tests/dpdkr-vm.at \
	p2p/tests/p2p-vm.at \
	p2p/tests/ovs-p2p-qmp.py \
	p2p/tests/dpdkr-ring.at \
	p2p/tests/dpdkr-lane-ctrl.at \
	p2p/tests/p2p-detector.at \
	p2p/tests/p2p-lane.at \
	p2p/tests/p2p-lane-failures.at \
	p2p/tests/p2p-restart.at \
	p2p/tests/p2p-detector-random.py \
	p2p/tests/p2p-pipeline-random.py \
	p2p/tests/p2p-traffic.at \
	p2p/tests/p2p-controllers.at \
	p2p/tests/ovs-p2p-osken-chain.py \
	p2p/tests/bench.at \
	p2p/tests/demo.at \
	p2p/tests/packages.at
EXTRA_DIST += $(P2P_TESTSUITE_AT)

P2P_TESTSUITE = tests/p2p-testsuite
P2P_TESTSUITE_DIR = tests/p2p-testsuite.dir
DISTCLEANFILES += $(P2P_TESTSUITE)

$(P2P_TESTSUITE): package.m4 $(P2P_TESTSUITE_AT) $(COMMON_MACROS_AT)
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)' -o $@.tmp \
	    $(srcdir)/p2p/tests/testsuite.at
	$(AM_V_at)mv $@.tmp $@

# DPDK refuses to load a plugin from a path with a world-writable directory
# in it, so tests load the net_dpdkr PMD from a root-owned copy, in a
# directory private to this build tree; tests/p2p-pmd-path names it.
P2P_TEST_PMD_DIR = /usr/local/lib/ovs-p2p/test/$(shell echo '$(abs_builddir)' | md5sum | cut -c1-12)
tests/p2p-pmd-path: $(DPDKR_PMD)
	$(AM_V_GEN)install -d -m 0755 $(P2P_TEST_PMD_DIR) && \
	install -m 0755 $(DPDKR_PMD) $(P2P_TEST_PMD_DIR)/ && \
	echo $(P2P_TEST_PMD_DIR)/librte_net_dpdkr.so > $@
CLEANFILES += tests/p2p-pmd-path

# Test programs of the dpdkr ring code (see tests/dpdkr-ring.at).  They
# include only our ABI headers, no DPDK or OVS library, and are built with
# their own rules: test-dpdkr-ring under AddressSanitizer and
# UndefinedBehaviorSanitizer, dpdkr-hostile plain (it attacks others), and
# the fuzz target with clang's libFuzzer, which the suite requires: a
# missing clang fails the build rather than skipping the fuzz test.
P2P_RING_HDRS = \
	$(srcdir)/p2p/include/dpdkr-abi.h \
	$(srcdir)/p2p/include/dpdkr-ring.h
P2P_RING_CPPFLAGS = -I$(srcdir)/p2p/include
P2P_SAN_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
P2P_CLANG = clang
P2P_RING_BINS = \
	tests/test-dpdkr-ring \
	tests/dpdkr-hostile \
	tests/fuzz/dpdkr_fuzz \
	tests/fuzz/dpdkr_lane_fuzz
EXTRA_DIST += \
	p2p/tests/test-dpdkr-ring.c \
	p2p/tests/dpdkr-hostile.c \
	p2p/tests/fuzz/dpdkr_fuzz.c \
	p2p/tests/fuzz/dpdkr_lane_fuzz.c \
	p2p/tests/fuzz/gen-dpdkr-corpus.py
CLEANFILES += $(P2P_RING_BINS)

tests/test-dpdkr-ring: $(srcdir)/p2p/tests/test-dpdkr-ring.c $(P2P_RING_HDRS)
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(CC) $(P2P_RING_CPPFLAGS) $(P2P_SAN_CFLAGS) -Wall -Wextra \
	    -pthread -o $@ $(srcdir)/p2p/tests/test-dpdkr-ring.c

tests/dpdkr-hostile: $(srcdir)/p2p/tests/dpdkr-hostile.c $(P2P_RING_HDRS)
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(CC) $(P2P_RING_CPPFLAGS) -std=gnu11 -g -O2 -Wall -Wextra \
	    -o $@ $(srcdir)/p2p/tests/dpdkr-hostile.c

tests/fuzz/dpdkr_fuzz: $(srcdir)/p2p/tests/fuzz/dpdkr_fuzz.c $(P2P_RING_HDRS)
tests/fuzz/dpdkr_lane_fuzz: $(srcdir)/p2p/tests/fuzz/dpdkr_lane_fuzz.c \
		$(P2P_RING_HDRS)
tests/fuzz/dpdkr_fuzz tests/fuzz/dpdkr_lane_fuzz:
	@$(MKDIR_P) $(@D)
	@if ! $(P2P_CLANG) --version >/dev/null 2>&1; then \
	    echo "error: '$(P2P_CLANG)' not found: the dpdkr fuzz targets" \
	         "need clang and libFuzzer (apt-get install clang" \
	         "libclang-rt-14-dev), or set P2P_CLANG" >&2; \
	    exit 1; \
	fi
	$(AM_V_CC)$(P2P_CLANG) $(P2P_RING_CPPFLAGS) $(P2P_SAN_CFLAGS) \
	    -fsanitize=fuzzer -Wall -Wextra \
	    -o $@ $(srcdir)/p2p/tests/fuzz/$(@F).c

# The ceiling of a dpdkr ring on this machine, for
# utilities/ovs-p2p-bench-lanes: two threads copying packets through one
# ring with the code of dpdkr-ring.h and nothing else.  Built by 'make' (the
# benchmark runs after 'make'), plain and optimized, as a PMD is.
P2P_RING_CEILING = tests/dpdkr-ring-ceiling
EXTRA_DIST += p2p/tests/dpdkr-ring-ceiling.c
CLEANFILES += $(P2P_RING_CEILING)
ALL_LOCAL += $(P2P_RING_CEILING)

$(P2P_RING_CEILING): $(srcdir)/p2p/tests/dpdkr-ring-ceiling.c $(P2P_RING_HDRS)
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(CC) $(P2P_RING_CPPFLAGS) -std=gnu11 -g -O2 -Wall -Wextra \
	    -pthread -o $@ $(srcdir)/p2p/tests/dpdkr-ring-ceiling.c

# The traffic tool (see tests/p2p-traffic.at): a stock DPDK application
# that uses only the public ethdev API and loads net_dpdkr with -d, as a
# VNF would.  Built against the installed DPDK, not OVS's libraries.
P2P_TRAFFIC = tests/ovs-p2p-traffic
EXTRA_DIST += p2p/tests/ovs-p2p-traffic.c
CLEANFILES += $(P2P_TRAFFIC)

$(P2P_TRAFFIC): $(srcdir)/p2p/tests/ovs-p2p-traffic.c
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(CC) -std=gnu11 -g -O2 -Wall -Wextra \
	    $$(pkg-config --cflags libdpdk) \
	    -o $@ $(srcdir)/p2p/tests/ovs-p2p-traffic.c \
	    $$(pkg-config --libs libdpdk)
# Built by 'make' too, for utilities/ovs-p2p-bench-lanes.
ALL_LOCAL += $(P2P_TRAFFIC)

# The driver's lane code in one process that links the driver (the .so
# that applications load, which has no soname: found through the rpath)
# and plays the switch and the peer application (tests/dpdkr-lane-ctrl.at).
P2P_LANE_TEST = tests/test-dpdkr-lane
EXTRA_DIST += p2p/tests/test-dpdkr-lane.c
CLEANFILES += $(P2P_LANE_TEST)

$(P2P_LANE_TEST): $(srcdir)/p2p/tests/test-dpdkr-lane.c $(P2P_RING_HDRS) \
		$(srcdir)/p2p/drivers/net/dpdkr/rte_pmd_dpdkr.h $(DPDKR_PMD)
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(CC) -std=gnu11 -g -O2 -Wall -Wextra \
	    $$(pkg-config --cflags libdpdk) $(P2P_RING_CPPFLAGS) \
	    -I$(srcdir)/p2p/drivers/net/dpdkr \
	    -o $@ $(srcdir)/p2p/tests/test-dpdkr-lane.c \
	    -L$(abs_builddir)/$(dir $(DPDKR_PMD)) \
	    -Wl,-rpath,$(abs_builddir)/$(dir $(DPDKR_PMD)) \
	    -l:$(notdir $(DPDKR_PMD)) -lrte_bus_vdev \
	    $$(pkg-config --libs libdpdk)

# Everything 'make check' builds for the upstream suite, plus ours.
check-p2p-prereqs: all $(check_PROGRAMS) $(check_DATA) $(check_SCRIPTS) \
		tests/atlocal $(P2P_TESTSUITE) tests/p2p-pmd-path $(P2P_RING_BINS) \
		$(P2P_TRAFFIC) $(P2P_LANE_TEST)
.PHONY: check-p2p-prereqs

# Before a recheck, the first run's failed test directories are kept in
# $(P2P_TESTSUITE_DIR).first: a test that fails only under load leaves its
# evidence there.
check-p2p: check-p2p-prereqs
	set $(SHELL) '$(P2P_TESTSUITE)' -C tests AUTOTEST_PATH=$(AUTOTEST_PATH); \
	"$$@" $(TESTSUITEFLAGS) || \
	(test -z "$$(find $(P2P_TESTSUITE_DIR) -name 'asan.*')" && \
	 test X'$(RECHECK)' = Xyes && \
	 rm -rf $(P2P_TESTSUITE_DIR).first && \
	 cp -a $(P2P_TESTSUITE_DIR) $(P2P_TESTSUITE_DIR).first && \
	 "$$@" --recheck)
.PHONY: check-p2p

CLEAN_LOCAL += clean-p2p-testsuite
clean-p2p-testsuite:
	test ! -f '$(P2P_TESTSUITE)' || \
	    $(SHELL) '$(P2P_TESTSUITE)' -C tests --clean
