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

#ifndef P2P_BRIDGE_H
#define P2P_BRIDGE_H 1

#include <stdbool.h>

struct ofproto;
struct ovsdb_idl;
struct ovsrec_bridge;
struct ovsrec_open_vswitch;

/* Tells the p2p-link detector the configuration of bridge 'br_cfg', whose
 * ofproto is 'ofproto', that concerns it: the off switches, mirrors, sFlow,
 * NetFlow, IPFIX, STP, RSTP, QoS and ingress policing.  'ovs_cfg' may be
 * NULL (then the global off switch is taken as on).  Called by bridge.c at
 * the end of every reconfiguration of a bridge. */
void p2p_bridge_configure(struct ofproto *ofproto,
                          const struct ovsrec_open_vswitch *ovs_cfg,
                          const struct ovsrec_bridge *br_cfg,
                          const struct ovsdb_idl *idl);

/* Runs the lane manager; called from bridge_run() and bridge_wait(). */
void p2p_bridge_run(void);
void p2p_bridge_wait(void);

/* Called when ovs-vswitchd exits, before it destroys its bridges, with
 * 'cleanup' if it removes its datapaths ('ovs-appctl exit --cleanup'):
 * otherwise dpdkr regions and lanes stay for the next ovs-vswitchd. */
void p2p_bridge_exit(bool cleanup);

#endif /* p2p-bridge.h */
