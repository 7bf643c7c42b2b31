# ovs-p2p sources in ofproto/ (included from p2p.mk).

ofproto_libofproto_la_SOURCES += \
	p2p/ofproto/p2p-detector.c \
	p2p/ofproto/p2p-detector.h \
	p2p/ofproto/p2p-detector-private.h \
	p2p/ofproto/p2p-lane.c \
	p2p/ofproto/p2p-lane.h \
	p2p/ofproto/p2p-probe.c \
	p2p/ofproto/p2p-probe.h \
	p2p/ofproto/p2p-report.c

# ovs-vswitchd(8) includes this fragment (patches/0011).
MAN_FRAGMENTS += p2p/ofproto/p2p-unixctl.man
