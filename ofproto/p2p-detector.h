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

#ifndef P2P_DETECTOR_H
#define P2P_DETECTOR_H 1

/* Point-to-point link detector.
 * =============================
 *
 * For every port A of every bridge, the detector keeps a verdict on the
 * direction "everything that enters on A": either the committed OpenFlow
 * rules and the bridge's configuration make A a pure point-to-point link
 * towards one port B (the direction A->B is "eligible"), or OVS must keep
 * switching A's packets ("switched", with the first reason why).
 *
 * A->B is eligible only if all of these hold:
 *
 *   - Every packet received on A leaves, unmodified, on one port B of the
 *     same bridge, B not A, and nothing else happens to it.  Table 0
 *     alone decides this when one rule R matches exactly "in_port=A", no
 *     rule whose in_port is wildcarded (hidden rules included) has R's
 *     priority or a higher one, and R's actions stay in table 0: then
 *     A->B holds if R's actions are one output to B (no-op actions such as
 *     "note" are ignored).  Otherwise the pipeline probe (p2p-probe.h)
 *     decides, with OVS's own translation of every class of packets.
 *
 *   - A is not configured no-receive or down, B not no-forward or down.
 *
 *   - Nothing else needs A's packets: no mirror selects A's ingress, B's
 *     egress or everything, neither A nor B is a mirror output port, no
 *     sFlow, NetFlow, IPFIX, STP or RSTP on the bridge, no ingress policing
 *     on A, no QoS on B, and OVS runs no BFD, CFM, LLDP or LACP on A or
 *     B.
 *
 *   - Neither the global, the bridge nor A's or B's interface
 *     "other_config:p2p-enable" is false.
 *
 * The detector is incremental: it learns of committed rule changes, port
 * changes and configuration changes through the hooks below, which the
 * patches in patches/ call from ofproto.c, connmgr.c and bridge.c, and it
 * re-examines only the ports those changes touch, once the commit that
 * made them is complete.  Table-0 rules are indexed by exact in_port (a
 * max-heap on priority per port), plus one max-heap of the rules whose
 * in_port is wildcarded, so the work per change depends on the rules
 * of the affected port, not on the size of the table.
 *
 * Thread safety: all functions are thread-safe.  The detector has its own
 * (recursive) mutex, taken after 'ofproto_mutex' when both are needed.
 * Rule hooks run with 'ofproto_mutex' held, possibly in a revalidator
 * thread (learned flows). */

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/shash.h"
#include "openvswitch/types.h"

struct ofport;
struct ofproto;
struct rule;

/* Verdict on one direction. */
enum p2p_verdict {
    P2P_SWITCHED,               /* OVS must switch the port's packets. */
    P2P_ELIGIBLE,               /* A point-to-point link to 'out_port'. */
};

const char *p2p_verdict_to_string(enum p2p_verdict);

/* What an eligible direction still lacks before a lane can bypass OVS, as a
 * bitmap.  These never make a direction switched. */
enum p2p_missing {
    P2P_MISSING_IN_LANE = 1 << 0,   /* The input port cannot take a lane
                                     * (is not 'dpdkr'). */
    P2P_MISSING_OUT_LANE = 1 << 1,  /* Nor the output port. */
};

/* Listeners.
 * ==========
 *
 * A listener is told of every change of a direction's eligibility: when
 * 'in_port' -> 'out_port' becomes eligible (P2P_ELIGIBLE, with the current
 * 'missing' bitmap), when the 'missing' bitmap of an eligible direction
 * changes (P2P_ELIGIBLE again), and when it stops being eligible
 * (P2P_SWITCHED, 'missing' is 0), for example because its rule changed, a
 * port went away or the bridge is being destroyed.  A direction that moves
 * from B to C is reported as A->B switched, then A->C eligible.
 *
 * Callbacks run with the detector's mutex held, and possibly with
 * 'ofproto_mutex' held and in a thread other than the main thread.  They
 * may call p2p_detector_query() but must not block or call into the flow
 * tables. */
typedef void p2p_listener_func(struct ofproto *, ofp_port_t in_port,
                               ofp_port_t out_port, enum p2p_verdict,
                               unsigned int missing, void *aux);

void p2p_detector_register_listener(p2p_listener_func *, void *aux);
void p2p_detector_unregister_listener(p2p_listener_func *, void *aux);

/* Returns true and stores in '*out_port' the peer and in '*missing' (if
 * nonnull) the missing bitmap if 'in_port' on 'ofproto' is currently
 * eligible; otherwise returns false and stores OFPP_NONE and 0. */
bool p2p_detector_query(const struct ofproto *, ofp_port_t in_port,
                        ofp_port_t *out_port, unsigned int *missing);

/* Paths.
 * ======
 *
 * The rules an eligible direction's packets go through: the table-0 rule
 * R, or for a pipeline the rules (and tables and groups) its probe went
 * through.  A lane that bypasses OVS credits what it carried to its
 * direction's path, so that every rule counts the packets it would have
 * counted. */
struct p2p_path;

/* Returns the path of 'in_port', with a reference the caller must release
 * with p2p_path_unref(), or NULL if 'in_port' is not eligible. */
struct p2p_path *p2p_detector_ref_path(const struct ofproto *,
                                       ofp_port_t in_port);
struct p2p_alive;
struct p2p_path *p2p_path_create_rule(struct rule *, struct p2p_alive *);
struct p2p_path *p2p_path_ref(const struct p2p_path *);
void p2p_path_unref(struct p2p_path *);
void p2p_path_credit(struct p2p_path *, uint64_t n_packets, uint64_t n_bytes);
bool p2p_path_intact(const struct p2p_path *);
bool p2p_path_equal(const struct p2p_path *, const struct p2p_path *);
bool p2p_path_is_rule(const struct p2p_path *, const struct rule *);

/* The lane side (the lane manager) tells the detector which ports can be
 * bypassed at all ('capable': a port is "missing" for a lane otherwise;
 * without a lane side, none can), and describes directions for p2p/show.
 *
 * A describer writes the state of an eligible direction that lacks nothing
 * (both ports capable) for "p2p/show", after "A -> B: ", instead of
 * "eligible": the lane manager says whether the direction is direct.  For
 * every other port it is called with 'out_port' OFPP_NONE after the
 * verdict and may append to it (the lane manager says when the port's lane
 * is still being taken down).  Both are called with the detector's mutex
 * held. */
struct ds;
struct netdev;
typedef void p2p_describer_func(const struct ofproto *, ofp_port_t in_port,
                                ofp_port_t out_port, struct ds *);
typedef bool p2p_capable_func(const struct netdev *);
void p2p_detector_set_describer(p2p_describer_func *, p2p_capable_func *);

/* Configuration.
 * ==============
 *
 * The part of a bridge's configuration that concerns the detector, built
 * by vswitchd from the database and handed over whole on every
 * reconfiguration.  Port names are interface (netdev) names.  Strings name
 * the configuration that blocks a port; NULL means nothing does. */
struct p2p_port_config {
    bool disabled;              /* Interface other_config:p2p-enable=false. */
    char *rx_mirror;            /* A mirror that selects packets received. */
    char *tx_mirror;            /* A mirror that selects packets sent. */
    char *out_mirror;           /* A mirror that outputs to this port. */
    bool policing;              /* Ingress policing configured. */
    bool qos;                   /* QoS configured on the port. */
    const char *protocol;       /* A protocol that OVS runs on the port and
                                 * whose packets it consumes ("BFD", "CFM",
                                 * "LLDP", "LACP"), or NULL.  Static. */
};

struct p2p_config {
    bool global_disabled;       /* Open_vSwitch other_config:p2p-enable. */
    bool bridge_disabled;       /* Bridge other_config:p2p-enable. */
    bool stp, rstp, sflow, netflow, ipfix;
    char *all_mirror;           /* A mirror that selects every packet. */
    struct shash ports;         /* Interface name -> p2p_port_config. */
};

void p2p_config_init(struct p2p_config *);
void p2p_config_destroy(struct p2p_config *);
struct p2p_port_config *p2p_config_port(struct p2p_config *,
                                        const char *name);

/* Replaces 'ofproto''s configuration by 'cfg', whose contents the detector
 * takes over ('cfg' itself is left empty, ready for p2p_config_destroy()).
 * Re-examines every port of the bridge.  With the global or the bridge off
 * switch, the detector drops its index of the bridge's rules and does no
 * work on rule changes until it is switched on again, when it re-reads
 * table 0 once. */
void p2p_detector_set_config(struct ofproto *, struct p2p_config *cfg);

/* Hooks (called by patched ofproto.c and connmgr.c).
 * ==================================================
 *
 * p2p_detector_bridge_created() must be called once the ofproto can be
 * named and before its first port is added; p2p_detector_bridge_destroyed()
 * after its last rule and port are gone.
 *
 * Rule hooks are called from the "finish" step of a commit, with
 * 'ofproto_mutex' held: a rule 'new' replaced 'old' (either may be NULL;
 * 'old' may also be an evicted rule), or a rule was deleted (by a flow_mod,
 * expiry, eviction, a group or meter deletion or a flush).  They only
 * update the index and note which ports to re-examine: a commit may finish
 * many changes one by one and intermediate states must not reach
 * listeners.  p2p_detector_commit() must be called once a commit has been
 * finished as a whole (connmgr's ofmonitor_flush() is the common end of all
 * of them, and handle_port_mod() for a port-mod outside a bundle); it
 * re-examines the noted ports and reports changed verdicts.
 *
 * p2p_detector_port_mod() is the same for a port's OpenFlow configuration
 * bits, which a port-mod may change within a bundle commit.
 *
 * p2p_detector_port_changed() (a port was added, or update_port() refreshed
 * it) and p2p_detector_port_removed() (a port is about to be destroyed)
 * come from outside OpenFlow commits and take effect at once. */
void p2p_detector_bridge_created(struct ofproto *);
void p2p_detector_bridge_destroyed(struct ofproto *);
void p2p_detector_rule_replaced(struct ofproto *, const struct rule *old,
                                const struct rule *new);
void p2p_detector_rule_removed(struct ofproto *, const struct rule *);
void p2p_detector_port_mod(struct ofproto *, const struct ofport *);
void p2p_detector_commit(struct ofproto *);
void p2p_detector_port_changed(struct ofproto *, const struct ofport *);
void p2p_detector_port_removed(struct ofproto *, ofp_port_t);
void p2p_detector_groups_changed(struct ofproto *);
void p2p_detector_tables_changed(struct ofproto *);

/* Pipelines (called by patched ofproto-dpif.c and bridge.c).
 * ==========================================================
 *
 * A direction that table 0 alone does not decide (its packets go on to
 * other tables, or table 0 looks at more than in_port) is decided by a
 * probe of the whole pipeline (p2p-probe.h), which runs on the main thread
 * in p2p_detector_run() once the datapath has committed the translation
 * configuration that the change needs.  Until then, a direction that was
 * eligible stays eligible if every rule of its path is still there, and
 * any other stays switched.
 *
 * p2p_detector_need_revalidate() is told of a reason for revalidation
 * ('reason' is an enum revalidate_reason, or 0) that datapath 'type' is
 * about to overwrite with a flow table change; p2p_detector_revalidated()
 * of the end of a type_run() of datapath 'type', with the reason for the
 * revalidation it did (or 0).  A flow table change re-probes only the
 * directions whose probes looked up a changed table; any other reason
 * re-probes every direction, except that MAC learning and multicast
 * snooping changes leave alone the directions that the NORMAL action
 * keeps switched anyway. */
void p2p_detector_need_revalidate(const char *type, int reason);
void p2p_detector_revalidated(const char *type, int reason);
void p2p_detector_run(void);
void p2p_detector_wait(void);

#endif /* p2p-detector.h */
