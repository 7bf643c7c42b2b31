# ovs-p2p sources in utilities/ (included from p2p.mk).

EXTRA_DIST += \
	p2p/utilities/ovs-p2p-agent \
	p2p/utilities/ovs_p2p_agent/__init__.py \
	p2p/utilities/ovs_p2p_agent/agent.py \
	p2p/utilities/ovs_p2p_agent/qmp.py \
	p2p/utilities/ovs-p2p-bench-detector \
	p2p/utilities/ovs-p2p-bench-dpdkr \
	p2p/utilities/ovs-p2p-bench-lanes \
	p2p/utilities/ovs-p2p-bench-vm \
	p2p/utilities/ovs-p2p-demo \
	p2p/utilities/ovs-p2p-guest \
	p2p/utilities/ovs_p2p_bench/__init__.py \
	p2p/utilities/ovs_p2p_bench/common.py \
	p2p/utilities/ovs_p2p_bench/dpdkr.py \
	p2p/utilities/ovs_p2p_bench/lanes.py \
	p2p/utilities/ovs_p2p_bench/vm.py
