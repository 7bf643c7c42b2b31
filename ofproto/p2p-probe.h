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

#ifndef P2P_PROBE_H
#define P2P_PROBE_H 1

/* The pipeline probe: proves, with OVS's own translation, that every
 * packet entering a port leaves unmodified on one other port, however many
 * tables, registers, metadata and groups the pipeline uses.
 * ======================================================================
 *
 * For one representative flow, xlate_actions() returns the datapath
 * actions and the wildcards of every field the translation looked at; by
 * the invariant that megaflows rely on, every packet that agrees with the
 * flow on the un-wildcarded fields gets the same actions.  The probe
 * translates, with no packet, one flow for each class of a finite set that
 * covers every packet the port can receive:
 *
 *   VLAN shape (untagged, 802.1Q, 802.1ad, 802.1ad + 802.1Q)
 *     x ethertype (each one any rule matches, each one OVS treats
 *       specially, and one that nothing uses)
 *     x IP fragment state (not a fragment, first, later; IPv4 and IPv6).
 *
 * Ethertype and IP protocol are never maskable, so "every constant plus
 * one unused value" covers them entirely.  A direction A->B is proven
 * point-to-point only if every class gives:
 *
 *   - no translation error, no slow path, no "avoid caching";
 *   - an xlate cache with table, rule and group entries only (no NORMAL,
 *     learn, fin_timeout, mirror, NetFlow, bond or tunnel side effect);
 *   - wildcards with nothing beyond what OVS always examines (in_port,
 *     packet_type, recirc_id, dl_type, nw_frag) and what the class fixes
 *     (VLAN TPIDs and presence), and connection-tracking and mark metadata
 *     only at the value 0 every fresh packet has;
 *   - datapath actions that are exactly one output to B, B != A, B a port
 *     of the same bridge;
 *   - the same rules as every other class, so that counters can be
 *     credited to them without knowing a packet's class.
 *
 * Otherwise the probe says why, in pipeline terms: the first class that
 * failed, and the table and rule that matched on a field, modified the
 * packet, sent it to the controller, and so on.
 *
 * The probe must run on the main thread, without 'ofproto_mutex' (a probe
 * through a "learn" action builds a flow_mod), after the datapath's
 * type_run() has committed the translation configuration. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bitmap.h"
#include "openvswitch/types.h"

struct ds;
struct ofproto;
struct p2p_path;

/* The result of probing one port. */
struct p2p_probe {
    bool ok;                    /* Point-to-point for every class? */
    ofp_port_t out;             /* If 'ok', the output port. */
    struct p2p_path *path;      /* If 'ok', the rules to credit. */
    char *why;                  /* If !ok, why not (malloc'd). */
    bool normal;                /* !ok because of the NORMAL action. */
    bool groups;                /* Some class went through a group. */
    unsigned long tables[BITMAP_N_LONGS(256)]; /* Tables any class
                                                * looked up. */
    unsigned int n_classes;     /* Classes translated. */
};

struct p2p_alive;
struct p2p_alive *p2p_alive_create(void);
struct p2p_alive *p2p_alive_ref(struct p2p_alive *);
void p2p_alive_kill(struct p2p_alive *);
void p2p_alive_unref(struct p2p_alive *);

void p2p_probe_run(struct ofproto *, ofp_port_t in_port,
                   const uint16_t *dl_types, size_t n_dl_types,
                   struct p2p_alive *, struct ds *classes,
                   struct p2p_probe *);
void p2p_probe_destroy(struct p2p_probe *);
bool p2p_probe_supported(const struct ofproto *);

#endif /* p2p-probe.h */
