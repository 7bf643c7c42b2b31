# ovs-p2p sources in utilities/ (included from p2p.mk).

EXTRA_DIST += \
	p2p/utilities/ovs-p2p-bench-detector \
	p2p/utilities/ovs-p2p-bench-dpdkr \
	p2p/utilities/ovs-p2p-bench-lanes
