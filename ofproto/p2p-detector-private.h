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

#ifndef P2P_DETECTOR_PRIVATE_H
#define P2P_DETECTOR_PRIVATE_H 1

/* The p2p-link detector's internals, shared by its two halves:
 * ofproto/p2p-detector.c (the index of table-0 rules, decisions, verdicts,
 * listeners and hooks) and ofproto/p2p-report.c (formatting, p2p/show,
 * p2p/check and the events recorder, p2p/events).  Only ofproto/p2p-*.c
 * may include this file; everything else uses p2p-detector.h. */

#include "p2p/ofproto/p2p-detector.h"
#include "p2p/ofproto/p2p-probe.h"

#include "bitmap.h"
#include "heap.h"
#include "ofproto/ofproto-provider.h"
#include "openvswitch/hmap.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/types.h"
#include "ovs-thread.h"

struct ds;
struct unixctl_conn;

/* Why a direction is switched, and how p2p/show says it.  Each
 *
 *     P2P_REASON(NAME, ARG1, ARG2, FORMAT)
 *
 * is enum value P2P_R_NAME, whose message is FORMAT with its first "%s"
 * replaced by what ARG1 names and its second by what ARG2 names (FORMAT
 * has no other conversions):
 *
 *     NONE         nothing (FORMAT has fewer "%s")
 *     IN           the input port's name
 *     IN_NO        the input port's number
 *     OUT          the output port's name ('out', "?" if there is none)
 *     BRIDGE       the bridge's name
 *     RULE         the rule ('rule'), as: rule "priority=..." (table 0)
 *     RULE2        the second rule ('rule2'), likewise
 *     ACTIONS      the rule's actions
 *     RULE_OUT     the port the rule outputs to ('rule_out'), by name
 *     RULE_OUT_NO  the port the rule outputs to, by number
 *     DETAIL       the 'detail' string (a mirror's or a protocol's name, or
 *                  the pipeline probe's explanation)
 *
 * The order of the checks in p2p_decide() is the order of this list. */
#define P2P_REASONS                                                       \
    P2P_REASON(GLOBAL_OFF, NONE, NONE,                                    \
               "disabled by Open_vSwitch other_config:p2p-enable")        \
    P2P_REASON(BRIDGE_OFF, BRIDGE, NONE,                                  \
               "disabled by bridge %s other_config:p2p-enable")           \
    P2P_REASON(LOCAL, NONE, NONE,                                         \
               "the bridge's local port is never bypassed")               \
    /* The rules. */                                                      \
    P2P_REASON(NO_RULE, IN_NO, NONE,                                      \
               "no rule in table 0 matches in_port=%s")                   \
    P2P_REASON(WILD, RULE, NONE, "%s may match packets from any port")    \
    P2P_REASON(TIE, RULE, RULE2, "%s and %s have the same priority")      \
    P2P_REASON(MATCH_MORE, RULE, NONE, "%s matches more than in_port")    \
    P2P_REASON(ACTIONS, RULE, ACTIONS,                                    \
               "%s does more than output to one port: actions=%s")        \
    P2P_REASON(RESERVED, RULE, RULE_OUT, "%s outputs to reserved port %s") \
    P2P_REASON(SELF, RULE, NONE, "%s outputs to its own in_port")         \
    P2P_REASON(NO_PEER, RULE, RULE_OUT_NO,                                \
               "%s outputs to port %s, which does not exist")             \
    /* Table 0 alone does not decide: the pipeline probe does. */        \
    P2P_REASON(PENDING, NONE, NONE, "the pipeline is being examined")     \
    P2P_REASON(PIPELINE, DETAIL, NONE, "%s")                              \
    /* From here on, the direction has a candidate output port. */        \
    P2P_REASON(IN_OFF, IN, NONE, "%s has other_config:p2p-enable=false")  \
    P2P_REASON(OUT_OFF, OUT, NONE, "%s has other_config:p2p-enable=false") \
    P2P_REASON(NO_RECV, IN, NONE, "%s is configured no-receive")          \
    P2P_REASON(IN_DOWN, IN, NONE, "%s is configured down")                \
    P2P_REASON(NO_FWD, OUT, NONE, "%s is configured no-forward")          \
    P2P_REASON(OUT_DOWN, OUT, NONE, "%s is configured down")              \
    /* The bridge. */                                                     \
    P2P_REASON(STP, BRIDGE, NONE, "STP is enabled on %s")                 \
    P2P_REASON(RSTP, BRIDGE, NONE, "RSTP is enabled on %s")               \
    P2P_REASON(SFLOW, BRIDGE, NONE, "sFlow is enabled on %s")             \
    P2P_REASON(NETFLOW, BRIDGE, NONE, "NetFlow is enabled on %s")         \
    P2P_REASON(IPFIX, BRIDGE, NONE, "IPFIX is enabled on %s")             \
    P2P_REASON(MIRROR_ALL, DETAIL, NONE, "mirror %s selects all packets") \
    P2P_REASON(MIRROR_RX, DETAIL, IN,                                     \
               "mirror %s selects packets received on %s")                \
    P2P_REASON(MIRROR_TX, DETAIL, OUT,                                    \
               "mirror %s selects packets sent on %s")                    \
    P2P_REASON(MIRROR_OUT_IN, IN, DETAIL,                                 \
               "%s is the output port of mirror %s")                      \
    P2P_REASON(MIRROR_OUT_OUT, OUT, DETAIL,                               \
               "%s is the output port of mirror %s")                      \
    P2P_REASON(POLICING, IN, NONE, "%s has ingress policing")             \
    P2P_REASON(QOS, OUT, NONE, "%s has QoS")                              \
    P2P_REASON(PROTO_IN, IN, DETAIL, "%s runs %s")                        \
    P2P_REASON(PROTO_OUT, OUT, DETAIL, "%s runs %s")

enum p2p_reason {
    P2P_R_NONE,                 /* Eligible. */
#define P2P_REASON(NAME, ARG1, ARG2, FORMAT) P2P_R_##NAME,
    P2P_REASONS
#undef P2P_REASON
};

/* What a rule's actions amount to. */
enum p2p_actions {
    P2P_ACT_OUTPUT,             /* One output to a real port. */
    P2P_ACT_OTHER,              /* Anything else. */
    P2P_ACT_RESERVED,           /* One output to a reserved port. */
};

/* A table-0 rule, as the detector sees it. */
struct p2p_analysis {
    bool only_in_port;          /* Matches exactly in_port, nothing else. */
    bool pipeline;              /* Actions go on to other tables or to
                                 * groups (resubmit, goto_table, group,
                                 * clone, write_actions). */
    enum p2p_actions actions;
    ofp_port_t out;             /* Output port, for OUTPUT and RESERVED. */
};

/* A table-0 rule in the index. */
struct p2p_rule {
    struct hmap_node node;      /* In p2p_bridge's 'rules', by 'rule'. */
    struct heap_node heap_node; /* In a p2p_inport's 'rules' or 'wild'. */
    const struct rule *rule;
    ofp_port_t in_port;         /* OFPP_NONE if in_port is wildcarded. */
    bool analyzed;              /* Is 'analysis' valid? */
    struct p2p_analysis analysis;
};

/* A port of the bridge and the last verdict on its direction. */
struct p2p_port {
    struct hmap_node node;      /* In p2p_bridge's 'ports'. */
    ofp_port_t port;
    char *name;                 /* Interface (netdev) name. */
    bool lane_capable;          /* Can its netdev take part in a lane? */
    enum ofputil_port_config config;

    enum p2p_verdict verdict;
    ofp_port_t out;             /* Peer if eligible, else OFPP_NONE. */
    unsigned int missing;       /* P2P_MISSING_*, if eligible. */
    struct p2p_path *path;      /* If eligible, the rules to credit. */
    bool dirty;                 /* In p2p_bridge's 'dirty'? */

    /* The pipeline probe, for a port that table 0 alone does not decide
     * ('probe_needed').  A change marks the probe pending, with the
     * bridge's 'xlate_seq' at the time: p2p_detector_run() probes once a
     * later type_run() has committed the translation configuration, and
     * an RCU grace period has passed (until then, the classifier still
     * holds the rules that the change removed, invisible, and a lookup
     * that reaches them examines their fields). */
    bool probe_needed;
    bool probe_pending;
    bool probe_valid;           /* Is 'probe' the last probe's result? */
    uint64_t probe_mark;        /* 'xlate_seq' when marked pending. */
    uint64_t probe_rcu;         /* RCU callback that must have run. */
    long long int probe_last;   /* When it last ran (real clock, ms). */
    uint64_t probe_gen;         /* Incremented on every mark. */
    struct p2p_probe probe;
};

/* Everything the detector knows of one bridge. */
struct p2p_bridge {
    struct hmap_node node;      /* In 'bridges', by 'ofproto' pointer. */
    struct ofproto *ofproto;
    char *name;
    struct p2p_config cfg;
    bool active;                /* Rules indexed (no off switch)? */

    struct hmap rules;          /* All indexed p2p_rules. */
    struct hmap inports;        /* p2p_inports, by port. */
    struct heap wild;           /* p2p_rules with wildcarded in_port. */
    struct hmap ports;          /* p2p_ports, by port. */

    /* Ports to re-examine at the end of the current commit: those in
     * 'dirty' (whose 'dirty' member is true) or all if 'dirty_all'. */
    ofp_port_t *dirty;
    size_t n_dirty, allocated_dirty;
    bool dirty_all;

    /* Pipelines.  Tables (other than 0) and groups changed in the current
     * commit: the ports whose probes looked them up must be probed again.
     * The ethertypes that rules of any table match, with the number of
     * rules for each.  The number of type_run()s seen, and what they must
     * re-probe beyond the changes noted: everything ('rev_all'), or all
     * but ports that NORMAL keeps switched ('rev_most'). */
    unsigned long dirty_tables[BITMAP_N_LONGS(256)];
    bool dirty_groups;
    struct hmap dl_types;       /* p2p_dl_type. */
    uint64_t xlate_seq;
    bool rev_all, rev_most;
    struct p2p_alive *alive;    /* For the paths of its ports. */
};

/* An ethertype that rules match. */
struct p2p_dl_type {
    struct hmap_node node;      /* In p2p_bridge's 'dl_types'. */
    uint16_t dl_type;
    size_t n_rules;
};

/* The result of examining one port. */
struct p2p_result {
    enum p2p_verdict verdict;
    enum p2p_reason reason;
    ofp_port_t out;             /* Candidate output port, or OFPP_NONE. */
    ofp_port_t rule_out;        /* Port the top rule outputs to. */
    const struct rule *rule;    /* Rule that 'reason' names, if any. */
    const struct rule *rule2;   /* Second rule (P2P_R_TIE). */
    const char *detail;         /* Mirror name or probe's explanation. */
    unsigned int missing;
    bool needs_probe;           /* Table 0 alone does not decide. */
    const struct rule *path_rule; /* Eligible by table 0: rule R. */
    struct p2p_path *path;      /* Eligible by a probe: its path. */
};

/* The detector's (recursive) mutex, which guards all of the above. */
extern struct ovs_mutex p2p_mutex;

/* p2p-detector.c. */
struct hmap *p2p_get_bridges(void) OVS_REQUIRES(p2p_mutex);
p2p_describer_func *p2p_get_describer(void) OVS_REQUIRES(p2p_mutex);
struct p2p_port *p2p_port_lookup(const struct p2p_bridge *, ofp_port_t);
struct p2p_rule *p2p_rule_lookup(const struct p2p_bridge *,
                                 const struct rule *);
ofp_port_t p2p_rule_in_port(const struct rule *);
void p2p_evaluate(const struct p2p_bridge *, const struct p2p_port *,
                  struct p2p_result *);
void p2p_evaluate_from_scratch(const struct p2p_bridge *,
                               const struct p2p_port *,
                               const struct p2p_probe *, struct p2p_result *)
    OVS_REQUIRES(ofproto_mutex);
bool p2p_is_dirty(const struct p2p_bridge *);
bool p2p_any_pending(void) OVS_REQUIRES(p2p_mutex);
uint16_t *p2p_bridge_dl_types(const struct p2p_bridge *, size_t *n);
void p2p_defer_reply(struct unixctl_conn *, int argc, const char *argv[],
                     void (*)(struct unixctl_conn *, int argc,
                              const char *argv[], void *aux));

/* p2p-report.c. */
void p2p_report_init(void);
void p2p_format_result(const struct p2p_bridge *, const struct p2p_port *,
                       const struct p2p_result *, struct ds *)
    OVS_REQUIRES(p2p_mutex);

#endif /* p2p-detector-private.h */
