/*
 * Copyright (c) 2026 The ovs-p2p authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

#include <config.h>

#include "p2p/vswitchd/p2p-bridge.h"

#include <string.h>

#include "p2p/ofproto/p2p-detector.h"
#include "p2p/ofproto/p2p-lane.h"
#include "p2p/lib/netdev-dpdkr.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "util.h"
#include "vswitch-idl.h"

/* Returns true if 'other_config' does not switch p2p off. */
static bool
p2p_enabled(const struct smap *other_config)
{
    return smap_get_bool(other_config, "p2p-enable", true);
}

/* How a mirror uses a port. */
enum p2p_mirror_role {
    P2P_MIRROR_RX,              /* Selects packets received on it. */
    P2P_MIRROR_TX,              /* Selects packets sent on it. */
    P2P_MIRROR_OUT,             /* Outputs to it. */
};

/* Records in 'cfg', for each interface of 'port', that mirror 'name' uses
 * it in 'role'.  Keeps the first mirror found for each role. */
static void
p2p_mark_port(struct p2p_config *cfg, const struct ovsrec_port *port,
              enum p2p_mirror_role role, const char *name)
{
    size_t i;

    for (i = 0; i < port->n_interfaces; i++) {
        struct p2p_port_config *pc
            = p2p_config_port(cfg, port->interfaces[i]->name);
        char **mirror = (role == P2P_MIRROR_RX ? &pc->rx_mirror
                         : role == P2P_MIRROR_TX ? &pc->tx_mirror
                         : &pc->out_mirror);

        if (!*mirror) {
            *mirror = xstrdup(name);
        }
    }
}

static void
p2p_configure_mirrors(struct p2p_config *cfg,
                      const struct ovsrec_bridge *br_cfg)
{
    size_t i, j;

    for (i = 0; i < br_cfg->n_mirrors; i++) {
        const struct ovsrec_mirror *m = br_cfg->mirrors[i];

        /* A mirror by VLAN may see any port's packets. */
        if ((m->select_all || m->n_select_vlan) && !cfg->all_mirror) {
            cfg->all_mirror = xstrdup(m->name);
        }
        for (j = 0; j < m->n_select_src_port; j++) {
            p2p_mark_port(cfg, m->select_src_port[j],
                          P2P_MIRROR_RX, m->name);
        }
        for (j = 0; j < m->n_select_dst_port; j++) {
            p2p_mark_port(cfg, m->select_dst_port[j],
                          P2P_MIRROR_TX, m->name);
        }
        if (m->output_port) {
            p2p_mark_port(cfg, m->output_port, P2P_MIRROR_OUT, m->name);
        }
    }
}

void
p2p_bridge_configure(struct ofproto *ofproto,
                     const struct ovsrec_open_vswitch *ovs_cfg,
                     const struct ovsrec_bridge *br_cfg,
                     const struct ovsdb_idl *idl)
{
    const struct ovsrec_flow_sample_collector_set *fscs;
    struct p2p_config cfg;
    size_t i, j;
    int flush_us;

    p2p_lane_init();
    flush_us = (ovs_cfg ? smap_get_int(&ovs_cfg->other_config,
                                       "tx-flush-interval", 0) : 0);
    p2p_lane_set_flush_interval(flush_us);
    netdev_dpdkr_set_tx_flush_interval(flush_us);

    p2p_config_init(&cfg);
    cfg.global_disabled = ovs_cfg && !p2p_enabled(&ovs_cfg->other_config);
    cfg.bridge_disabled = !p2p_enabled(&br_cfg->other_config);
    cfg.stp = br_cfg->stp_enable;
    cfg.rstp = br_cfg->rstp_enable;
    cfg.sflow = br_cfg->sflow != NULL;
    cfg.netflow = br_cfg->netflow != NULL;
    cfg.ipfix = br_cfg->ipfix != NULL;
    OVSREC_FLOW_SAMPLE_COLLECTOR_SET_FOR_EACH (fscs, idl) {
        if (fscs->bridge == br_cfg && fscs->ipfix) {
            cfg.ipfix = true;
        }
    }

    for (i = 0; i < br_cfg->n_ports; i++) {
        const struct ovsrec_port *port = br_cfg->ports[i];

        for (j = 0; j < port->n_interfaces; j++) {
            const struct ovsrec_interface *iface = port->interfaces[j];
            struct p2p_port_config *pc = p2p_config_port(&cfg, iface->name);

            pc->disabled = !p2p_enabled(&iface->other_config);
            pc->policing = (iface->ingress_policing_rate > 0
                            || iface->ingress_policing_kpkts_rate > 0);
            pc->qos = port->qos != NULL;

            /* OVS consumes these protocols' packets itself. */
            pc->protocol = (smap_get_bool(&iface->bfd, "enable", false)
                            ? "BFD"
                            : iface->n_cfm_mpid ? "CFM"
                            : smap_get_bool(&iface->lldp, "enable", false)
                            ? "LLDP"
                            : port->lacp && strcmp(port->lacp, "off")
                            ? "LACP"
                            : NULL);
        }
    }
    p2p_configure_mirrors(&cfg, br_cfg);

    p2p_detector_set_config(ofproto, &cfg);
    p2p_config_destroy(&cfg);
    p2p_lane_bridge_configured(ofproto);
}

void
p2p_bridge_run(void)
{
    /* Probe pipelines first: the lane manager acts on their verdicts. */
    p2p_detector_run();
    p2p_lane_run();
}

void
p2p_bridge_exit(bool cleanup)
{
    netdev_dpdkr_exit(cleanup);
}

void
p2p_bridge_wait(void)
{
    p2p_detector_wait();
    p2p_lane_wait();
}
