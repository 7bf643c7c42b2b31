# ovs-p2p sources in lib/ (included from p2p.mk).

# The DPDK driver-SDK headers that Debian's libdpdk-dev lacks, from Debian's
# dpdk source: the outer build links its dpdk-sdk/ into the tree as
# p2p/dpdk-sdk/ (and passes this path on make's command line too); the
# package builds (build-aux/make-deb, make-rpm) copy them there.
P2P_DPDK_SDK_INCLUDE = $(top_srcdir)/p2p/dpdk-sdk/include

# The lane API (netdev-dpdkr.h) exists in every build, so that ofproto/ and
# vswitchd/ need no conditional: without DPDK, no port is capable of lanes.
lib_libopenvswitch_la_SOURCES += \
	p2p/lib/netdev-dpdkr.h

if DPDK_NETDEV
# The dpdkr port: its netdev class, lanes, and the net_dpdkr poll-mode
# driver it drives in the server role, compiled with DPDK's driver flags.
lib_libopenvswitch_la_SOURCES += \
	p2p/include/dpdkr-region.h \
	p2p/lib/dpdkr-lane.c \
	p2p/lib/netdev-dpdkr.c \
	p2p/lib/netdev-dpdkr-private.h

noinst_LTLIBRARIES += lib/libdpdkr-pmd.la
lib_libdpdkr_pmd_la_SOURCES = \
	p2p/drivers/net/dpdkr/rte_eth_dpdkr.c \
	p2p/drivers/net/dpdkr/rte_pmd_dpdkr.h \
	p2p/include/dpdkr-abi.h \
	p2p/include/dpdkr-region.h \
	p2p/include/dpdkr-ring.h
lib_libdpdkr_pmd_la_CPPFLAGS = $(AM_CPPFLAGS) -DALLOW_INTERNAL_API \
	-I$(P2P_DPDK_SDK_INCLUDE) -I$(top_srcdir)/p2p/include
lib_libdpdkr_pmd_la_CFLAGS = $(AM_CFLAGS) -Wno-cast-align \
	-Wno-bad-function-cast
lib_libopenvswitch_la_LIBADD += lib/libdpdkr-pmd.la -lrte_bus_vdev
else
lib_libopenvswitch_la_SOURCES += p2p/lib/dpdkr-lane-stub.c
endif

# ovs-vswitchd(8) includes this fragment (patches/0011).
MAN_FRAGMENTS += p2p/lib/dpdkr-unixctl.man
