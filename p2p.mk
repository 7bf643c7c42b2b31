# ovs-p2p's part of Open vSwitch's build.
#
# patches/0001 makes OVS's Makefile.am include this file as p2p/automake.mk;
# the outer build links each of our directories into the OVS tree as p2p/DIR,
# so paths here are relative to the OVS source tree and every rule, flag and
# variable of OVS's build is at hand.  One fragment per directory, as in OVS.

include p2p/lib/automake.mk
include p2p/ofproto/automake.mk
include p2p/vswitchd/automake.mk
include p2p/utilities/automake.mk
include p2p/drivers/automake.mk
include p2p/tests/automake.mk
include p2p/Documentation/automake.mk
