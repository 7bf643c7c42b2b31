# ovs-p2p sources in utilities/ (included from p2p.mk).

EXTRA_DIST += \
	p2p/utilities/ovs-p2p-agent \
	p2p/utilities/ovs_p2p_agent/__init__.py \
	p2p/utilities/ovs_p2p_agent/agent.py \
	p2p/utilities/ovs_p2p_agent/qmp.py \
	p2p/utilities/ovs-p2p-bench-chain \
	p2p/utilities/ovs-p2p-bench-detector \
	p2p/utilities/ovs-p2p-bench-dpdkr \
	p2p/utilities/ovs-p2p-bench-lanes \
	p2p/utilities/ovs-p2p-bench-vm \
	p2p/utilities/ovs-p2p-demo \
	p2p/utilities/ovs-p2p-guest \
	p2p/utilities/ovs_p2p_bench/__init__.py \
	p2p/utilities/ovs_p2p_bench/chain.py \
	p2p/utilities/ovs_p2p_bench/common.py \
	p2p/utilities/ovs_p2p_bench/dpdkr.py \
	p2p/utilities/ovs_p2p_bench/lanes.py \
	p2p/utilities/ovs_p2p_bench/plots.py \
	p2p/utilities/ovs_p2p_bench/vm.py \
	p2p/utilities/ovs-p2p-agent.service \
	p2p/utilities/ovs-p2p-agent.default

# What an operator runs, installed: the agent that plugs lanes into virtual
# machines, and the guest launcher.  Their Python packages go to
# $(datadir)/ovs-p2p/python, where the scripts look when no package sits
# next to them (as in the source tree).
bin_SCRIPTS += \
	p2p/utilities/ovs-p2p-agent \
	p2p/utilities/ovs-p2p-guest \
	p2p/utilities/ovs-p2p-demo
p2p_pythondir = $(datadir)/ovs-p2p/python
p2p_agentdir = $(p2p_pythondir)/ovs_p2p_agent
p2p_agent_DATA = \
	p2p/utilities/ovs_p2p_agent/__init__.py \
	p2p/utilities/ovs_p2p_agent/agent.py \
	p2p/utilities/ovs_p2p_agent/qmp.py
p2p_benchdir = $(p2p_pythondir)/ovs_p2p_bench
p2p_bench_DATA = \
	p2p/utilities/ovs_p2p_bench/__init__.py \
	p2p/utilities/ovs_p2p_bench/common.py

# Manual pages of the tools an operator runs, expanded by OVS's ".in:" rule
# (as utilities/ovs-vsctl.8 is) into the build tree's p2p/utilities/, which
# has no objects to make automake create it.  The benchmarks have no page:
# they are run from the source tree, and Documentation/*-benchmark.rst and
# their --help document them.
P2P_UTILITIES_MANS = \
	p2p/utilities/ovs-p2p-agent.8 \
	p2p/utilities/ovs-p2p-guest.8
MAN_ROOTS += $(P2P_UTILITIES_MANS:=.in)
man_MANS += $(P2P_UTILITIES_MANS)
CLEANFILES += $(P2P_UTILITIES_MANS) p2p/utilities/.man-dirstamp
$(P2P_UTILITIES_MANS): p2p/utilities/.man-dirstamp
p2p/utilities/.man-dirstamp:
	$(AM_V_at)$(MKDIR_P) $(@D) && : > $@
