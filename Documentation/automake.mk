# ovs-p2p documentation (included from p2p.mk).
EXTRA_DIST += \
	p2p/Documentation/index.rst \
	p2p/Documentation/howto-service-chains.rst \
	p2p/Documentation/dpdkr.rst \
	p2p/Documentation/dpdkr-fuzzing.rst \
	p2p/Documentation/dpdkr-benchmark.rst \
	p2p/Documentation/dpdkr-lanes-benchmark.rst \
	p2p/Documentation/p2p-detector.rst \
	p2p/Documentation/dpdkr-lanes.rst \
	p2p/Documentation/dpdkr-vm.rst \
	p2p/Documentation/p2p-controllers.rst
