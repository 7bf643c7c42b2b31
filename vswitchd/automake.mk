# ovs-p2p sources in vswitchd/ (included from p2p.mk).

vswitchd_ovs_vswitchd_SOURCES += \
	p2p/vswitchd/p2p-bridge.c \
	p2p/vswitchd/p2p-bridge.h
