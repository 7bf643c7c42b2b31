# ovs-p2p guest-side drivers (included from p2p.mk).
#
# net_dpdkr as a plugin for unmodified DPDK applications, which load it with
# "-d $(pkglibdir)/librte_net_dpdkr.so".  The same source is compiled into
# ovs-vswitchd for the server role (see p2p/lib/automake.mk).  It is not
# installed into DPDK's automatic plugin directory on purpose: every DPDK
# program, ovs-vswitchd included, would then load it, and ovs-vswitchd has
# its own copy.

# Its manual page, net_dpdkr(7), expanded by OVS's ".in:" rule.
MAN_ROOTS += p2p/drivers/net/dpdkr/net_dpdkr.7.in

if DPDK_NETDEV
man_MANS += p2p/drivers/net/dpdkr/net_dpdkr.7
CLEANFILES += p2p/drivers/net/dpdkr/net_dpdkr.7 \
	p2p/drivers/net/dpdkr/.man-dirstamp
p2p/drivers/net/dpdkr/net_dpdkr.7: p2p/drivers/net/dpdkr/.man-dirstamp
p2p/drivers/net/dpdkr/.man-dirstamp:
	$(AM_V_at)$(MKDIR_P) $(@D) && : > $@

DPDKR_PMD = drivers/net/dpdkr/librte_net_dpdkr.so
DPDKR_PMD_SOURCES = \
	p2p/drivers/net/dpdkr/rte_eth_dpdkr.c \
	p2p/drivers/net/dpdkr/rte_pmd_dpdkr.h \
	p2p/include/dpdkr-abi.h \
	p2p/include/dpdkr-region.h \
	p2p/include/dpdkr-ring.h
EXTRA_DIST += $(DPDKR_PMD_SOURCES)
ALL_LOCAL += $(DPDKR_PMD)
CLEANFILES += $(DPDKR_PMD)

$(DPDKR_PMD): $(DPDKR_PMD_SOURCES)
	$(AM_V_at)$(MKDIR_P) $(@D)
	$(AM_V_CC)$(CC) -shared -fPIC -O2 -g -Wall -Wextra -Werror \
	    -Wno-unused-parameter \
	    `$(PKG_CONFIG) --cflags libdpdk` -DALLOW_INTERNAL_API \
	    -I$(P2P_DPDK_SDK_INCLUDE) -I$(top_srcdir)/p2p/include \
	    -o $@ $(top_srcdir)/p2p/drivers/net/dpdkr/rte_eth_dpdkr.c \
	    `$(PKG_CONFIG) --libs libdpdk` -lrte_bus_vdev

INSTALL_DATA_LOCAL += install-dpdkr-pmd
UNINSTALL_LOCAL += uninstall-dpdkr-pmd
install-dpdkr-pmd: $(DPDKR_PMD)
	$(MKDIR_P) $(DESTDIR)$(pkglibdir)
	$(INSTALL_PROGRAM) $(DPDKR_PMD) $(DESTDIR)$(pkglibdir)/
uninstall-dpdkr-pmd:
	rm -f $(DESTDIR)$(pkglibdir)/librte_net_dpdkr.so
endif
