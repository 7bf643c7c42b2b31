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
	p2p/tests/dpdkr.at
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

# Everything 'make check' builds for the upstream suite, plus ours.
check-p2p-prereqs: all $(check_PROGRAMS) $(check_DATA) $(check_SCRIPTS) \
		tests/atlocal $(P2P_TESTSUITE) tests/p2p-pmd-path
.PHONY: check-p2p-prereqs

check-p2p: check-p2p-prereqs
	set $(SHELL) '$(P2P_TESTSUITE)' -C tests AUTOTEST_PATH=$(AUTOTEST_PATH); \
	"$$@" $(TESTSUITEFLAGS) || \
	(test -z "$$(find $(P2P_TESTSUITE_DIR) -name 'asan.*')" && \
	 test X'$(RECHECK)' = Xyes && "$$@" --recheck)
.PHONY: check-p2p

CLEAN_LOCAL += clean-p2p-testsuite
clean-p2p-testsuite:
	test ! -f '$(P2P_TESTSUITE)' || \
	    $(SHELL) '$(P2P_TESTSUITE)' -C tests --clean
