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

#include "p2p/ofproto/p2p-detector.h"

#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "flow.h"
#include "hash.h"
#include "heap.h"
#include "netdev.h"
#include "netdev-provider.h"
#include "ofproto/ofproto-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"
#include "unixctl.h"
#include "ofproto/ofproto-dpif.h"
#include "openvswitch/poll-loop.h"
#include "timeval.h"
#include "svec.h"
#include "seq.h"
#include "p2p/ofproto/p2p-detector-private.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(p2p_detector);

/* Controllers can change verdicts as fast as they send flow_mods. */
static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(600, 600);

/* The table-0 rules whose in_port is exactly 'port'. */
struct p2p_inport {
    struct hmap_node node;      /* In p2p_bridge's 'inports'. */
    ofp_port_t port;
    struct heap rules;          /* Contains p2p_rules, by priority. */
};

struct p2p_listener {
    p2p_listener_func *cb;
    void *aux;
};

struct ovs_mutex p2p_mutex;
static struct hmap bridges OVS_GUARDED_BY(p2p_mutex)
    = HMAP_INITIALIZER(&bridges);
static struct p2p_listener *listeners OVS_GUARDED_BY(p2p_mutex);
static p2p_describer_func *describer OVS_GUARDED_BY(p2p_mutex);
static p2p_capable_func *capable OVS_GUARDED_BY(p2p_mutex);
static size_t n_listeners OVS_GUARDED_BY(p2p_mutex);

/* Changed whenever a probe becomes pending, to wake the main thread. */
static struct seq *p2p_seq;
static uint64_t p2p_seq_last;

/* Has p2p_detector_run() run since the last p2p_detector_wait()?  The
 * main loop may skip the run (bridge_run() returns early while ovs-vswitchd
 * has no database or is not the only one), and then the wait must not
 * wake it up for work that only the run does. */
static bool run_since_wait;

/* RCU callbacks that make pending probes ready: marks since the last one
 * wait for callback 'rcu_next', posted by p2p_detector_run() if
 * 'rcu_wanted'; 'rcu_done' is the last one that ran. */
static uint64_t rcu_next OVS_GUARDED_BY(p2p_mutex) = 1;
static bool rcu_wanted OVS_GUARDED_BY(p2p_mutex);
static atomic_uint64_t rcu_done;

/* Commands waiting for pending probes (p2p_defer_reply()). */
struct p2p_deferred {
    struct unixctl_conn *conn;
    struct svec args;
    void (*cb)(struct unixctl_conn *, int argc, const char *argv[],
               void *aux);
    long long int deadline;
};
static struct p2p_deferred *deferred OVS_GUARDED_BY(p2p_mutex);
static size_t n_deferred OVS_GUARDED_BY(p2p_mutex);

/* How long a command waits for pending probes at most, in ms: changes
 * that keep coming (a controller, learned flows) must not keep it from
 * answering. */
#define P2P_DEFER_MAX_MS 1000

/* A port's pipeline is probed at most once per P2P_PROBE_INTERVAL_MS: a
 * controller that keeps changing the tables a link goes through would
 * otherwise have it probed after every main loop iteration.  A direction
 * whose path lost a rule is switched at once, without waiting. */
#define P2P_PROBE_INTERVAL_MS 10

static void p2p_init(void);
static long long int p2p_real_msec(void);
static void p2p_update_port(struct p2p_bridge *, struct p2p_port *);
static void p2p_update_all(struct p2p_bridge *);

const char *
p2p_verdict_to_string(enum p2p_verdict verdict)
{
    switch (verdict) {
    case P2P_SWITCHED:
        return "switched";
    case P2P_ELIGIBLE:
        return "eligible";
    }
    return "<unknown>";
}

/* Configuration. */

void
p2p_config_init(struct p2p_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    shash_init(&cfg->ports);
}

static void
p2p_port_config_free(struct p2p_port_config *pc)
{
    if (pc) {
        free(pc->rx_mirror);
        free(pc->tx_mirror);
        free(pc->out_mirror);
        free(pc);
    }
}

void
p2p_config_destroy(struct p2p_config *cfg)
{
    struct shash_node *node;

    SHASH_FOR_EACH_SAFE (node, &cfg->ports) {
        p2p_port_config_free(node->data);
        shash_delete(&cfg->ports, node);
    }
    shash_destroy(&cfg->ports);
    free(cfg->all_mirror);
    cfg->all_mirror = NULL;
}

/* Returns the configuration of port 'name' in 'cfg', adding an empty one if
 * there is none yet. */
struct p2p_port_config *
p2p_config_port(struct p2p_config *cfg, const char *name)
{
    struct p2p_port_config *pc = shash_find_data(&cfg->ports, name);

    if (!pc) {
        pc = xzalloc(sizeof *pc);
        shash_add(&cfg->ports, name, pc);
    }
    return pc;
}

/* Bridges. */

static struct p2p_bridge *
p2p_bridge_lookup(const struct ofproto *ofproto)
    OVS_REQUIRES(p2p_mutex)
{
    struct p2p_bridge *br;

    HMAP_FOR_EACH_WITH_HASH (br, node, hash_pointer(ofproto, 0), &bridges) {
        if (br->ofproto == ofproto) {
            return br;
        }
    }
    return NULL;
}

struct p2p_port *
p2p_port_lookup(const struct p2p_bridge *br, ofp_port_t port)
{
    struct p2p_port *p;

    HMAP_FOR_EACH_WITH_HASH (p, node, hash_ofp_port(port), &br->ports) {
        if (p->port == port) {
            return p;
        }
    }
    return NULL;
}

static struct p2p_inport *
p2p_inport_lookup(const struct p2p_bridge *br, ofp_port_t port)
{
    struct p2p_inport *ip;

    HMAP_FOR_EACH_WITH_HASH (ip, node, hash_ofp_port(port), &br->inports) {
        if (ip->port == port) {
            return ip;
        }
    }
    return NULL;
}

struct p2p_rule *
p2p_rule_lookup(const struct p2p_bridge *br, const struct rule *rule)
{
    struct p2p_rule *r;

    HMAP_FOR_EACH_WITH_HASH (r, node, hash_pointer(rule, 0), &br->rules) {
        if (r->rule == rule) {
            return r;
        }
    }
    return NULL;
}

/* Returns the in_port that 'rule' matches exactly, or OFPP_NONE if its
 * in_port is wildcarded (or, which OpenFlow does not allow, masked). */
ofp_port_t
p2p_rule_in_port(const struct rule *rule)
{
    const struct minimatch *m = &rule->cr.match;
    ofp_port_t mask = MINIFLOW_GET_TYPE(&m->mask->masks, ofp_port_t,
                                        in_port.ofp_port);

    return (mask == u16_to_ofp(UINT16_MAX)
            ? MINIFLOW_GET_TYPE(m->flow, ofp_port_t, in_port.ofp_port)
            : OFPP_NONE);
}

/* Examines the match and the actions of 'rule'. */
static void
p2p_analyze(const struct rule *rule, struct p2p_analysis *a)
{
    const struct rule_actions *actions = rule_get_actions(rule);
    const struct ofpact *ofpact;
    struct match match;
    int n_outputs = 0;

    minimatch_expand(&rule->cr.match, &match);
    match.wc.masks.in_port.ofp_port = 0;
    a->only_in_port = flow_wildcards_is_catchall(&match.wc);

    a->actions = P2P_ACT_OTHER;
    a->out = OFPP_NONE;
    a->pipeline = false;
    OFPACT_FOR_EACH_FLATTENED (ofpact, actions->ofpacts,
                               actions->ofpacts_len) {
        enum ofpact_type t = ofpact->type;

        if (t == OFPACT_RESUBMIT || t == OFPACT_GOTO_TABLE
            || t == OFPACT_GROUP || t == OFPACT_CLONE
            || t == OFPACT_WRITE_ACTIONS) {
            a->pipeline = true;
        }
    }
    OFPACT_FOR_EACH (ofpact, actions->ofpacts, actions->ofpacts_len) {
        if (ofpact->type == OFPACT_NOTE) {
            continue;
        } else if (ofpact->type == OFPACT_OUTPUT && !n_outputs++) {
            a->out = ofpact_get_OUTPUT(ofpact)->port;
        } else {
            return;
        }
    }
    if (n_outputs == 1) {
        a->actions = (ofp_to_u16(a->out) < ofp_to_u16(OFPP_MAX)
                      ? P2P_ACT_OUTPUT : P2P_ACT_RESERVED);
    }
}

static const struct p2p_analysis *
p2p_rule_analysis(struct p2p_rule *r)
{
    if (!r->analyzed) {
        p2p_analyze(r->rule, &r->analysis);
        r->analyzed = true;
    }
    return &r->analysis;
}

static struct p2p_rule *
p2p_heap_rule(const struct heap_node *node)
{
    return CONTAINER_OF(node, struct p2p_rule, heap_node);
}

/* Adds 'rule' to 'br''s index.  Returns the rule's in_port (OFPP_NONE if
 * wildcarded). */
static ofp_port_t
p2p_index_add(struct p2p_bridge *br, const struct rule *rule)
{
    struct p2p_rule *r;

    if (p2p_rule_lookup(br, rule)) {
        return OFPP_NONE;
    }
    r = xzalloc(sizeof *r);
    r->rule = rule;
    r->in_port = p2p_rule_in_port(rule);
    hmap_insert(&br->rules, &r->node, hash_pointer(rule, 0));
    if (r->in_port == OFPP_NONE) {
        heap_insert(&br->wild, &r->heap_node, rule->cr.priority);
    } else {
        struct p2p_inport *ip = p2p_inport_lookup(br, r->in_port);

        if (!ip) {
            ip = xmalloc(sizeof *ip);
            ip->port = r->in_port;
            heap_init(&ip->rules);
            hmap_insert(&br->inports, &ip->node, hash_ofp_port(ip->port));
        }
        heap_insert(&ip->rules, &r->heap_node, rule->cr.priority);
    }
    return r->in_port;
}

/* Removes 'rule' from 'br''s index, if it is there.  Returns the rule's
 * in_port (OFPP_NONE if wildcarded or not indexed). */
static ofp_port_t
p2p_index_remove(struct p2p_bridge *br, const struct rule *rule)
{
    struct p2p_rule *r = p2p_rule_lookup(br, rule);
    ofp_port_t in_port;

    if (!r) {
        return OFPP_NONE;
    }
    in_port = r->in_port;
    hmap_remove(&br->rules, &r->node);
    if (in_port == OFPP_NONE) {
        heap_remove(&br->wild, &r->heap_node);
    } else {
        struct p2p_inport *ip = p2p_inport_lookup(br, in_port);

        heap_remove(&ip->rules, &r->heap_node);
        if (heap_is_empty(&ip->rules)) {
            hmap_remove(&br->inports, &ip->node);
            heap_destroy(&ip->rules);
            free(ip);
        }
    }
    free(r);
    return in_port;
}

/* Counts 'rule''s dl_type, if it matches one, in 'br''s 'dl_types', by
 * 'delta' (1 or -1). */
static void
p2p_count_dl_type(struct p2p_bridge *br, const struct rule *rule, int delta)
{
    const struct minimatch *m = &rule->cr.match;
    ovs_be16 mask = MINIFLOW_GET_BE16(&m->mask->masks, dl_type);
    struct p2p_dl_type *t;
    uint16_t dl_type;

    if (mask != OVS_BE16_MAX) {
        return;
    }
    dl_type = ntohs(MINIFLOW_GET_BE16(m->flow, dl_type));
    HMAP_FOR_EACH_WITH_HASH (t, node, hash_int(dl_type, 0), &br->dl_types) {
        if (t->dl_type == dl_type) {
            break;
        }
    }
    if (delta > 0) {
        if (!t) {
            t = xzalloc(sizeof *t);
            t->dl_type = dl_type;
            hmap_insert(&br->dl_types, &t->node, hash_int(dl_type, 0));
        }
        t->n_rules++;
    } else if (t && !--t->n_rules) {
        hmap_remove(&br->dl_types, &t->node);
        free(t);
    }
}

/* Returns the ethertypes that 'br''s rules match, in a new array of '*n'
 * elements, sorted, that the caller must free. */
uint16_t *
p2p_bridge_dl_types(const struct p2p_bridge *br, size_t *n)
{
    uint16_t *types = xmalloc((hmap_count(&br->dl_types) + 1)
                              * sizeof *types);
    const struct p2p_dl_type *t;
    size_t i, j;

    *n = 0;
    HMAP_FOR_EACH (t, node, &br->dl_types) {
        types[(*n)++] = t->dl_type;
    }
    /* Insertion sort: the probe's classes, and so its explanations, must
     * not depend on the hmap's order. */
    for (i = 1; i < *n; i++) {
        uint16_t x = types[i];

        for (j = i; j > 0 && types[j - 1] > x; j--) {
            types[j] = types[j - 1];
        }
        types[j] = x;
    }
    return types;
}

static void
p2p_index_clear(struct p2p_bridge *br)
{
    struct p2p_dl_type *t;

    struct p2p_inport *ip;
    struct p2p_rule *r;

    HMAP_FOR_EACH_POP (ip, node, &br->inports) {
        heap_destroy(&ip->rules);
        free(ip);
    }
    HMAP_FOR_EACH_POP (r, node, &br->rules) {
        free(r);
    }
    heap_clear(&br->wild);
    HMAP_FOR_EACH_POP (t, node, &br->dl_types) {
        free(t);
    }
}

/* Indexes every rule of table 0 visible in the current version. */
static void
p2p_index_build(struct p2p_bridge *br)
    OVS_REQUIRES(ofproto_mutex)
{
    struct ofproto *ofproto = br->ofproto;
    struct rule *rule;
    int i;

    for (i = 0; i < ofproto->n_tables; i++) {
        CLS_FOR_EACH_TARGET (rule, cr, &ofproto->tables[i].cls, NULL,
                             ofproto->tables_version) {
            if (!i) {
                p2p_index_add(br, rule);
            }
            p2p_count_dl_type(br, rule, 1);
        }
    }
}

/* Returns the highest-priority rule that the wildcarded-in_port heap
 * holds, or NULL. */
static const struct rule *
p2p_wild_top(const struct p2p_bridge *br)
{
    return (heap_is_empty(&br->wild) ? NULL
            : p2p_heap_rule(heap_max(&br->wild))->rule);
}

/* Decisions. */

/* Decides on 'port' of 'br' from its rules: 'top' is the highest-priority
 * rule whose in_port is exactly the port (NULL if none) and 'ta' its
 * analysis, 'tie' another such rule at the same priority (or NULL), 'wtop'
 * the highest-priority rule with wildcarded in_port (or NULL).  Then checks
 * the ports and the configuration.  The checks are in the order of
 * P2P_REASONS. */
static void
p2p_decide(const struct p2p_bridge *br, const struct p2p_port *port,
           const struct rule *top, const struct p2p_analysis *ta,
           const struct rule *tie, const struct rule *wtop,
           const struct p2p_probe *probe, struct p2p_result *res)
{
    const struct p2p_config *cfg = &br->cfg;
    const struct p2p_port_config *ipc, *opc;
    const struct p2p_port *peer;

    memset(res, 0, sizeof *res);
    res->verdict = P2P_SWITCHED;
    res->out = OFPP_NONE;
    res->rule_out = OFPP_NONE;

    if (cfg->global_disabled) {
        res->reason = P2P_R_GLOBAL_OFF;
        return;
    } else if (cfg->bridge_disabled) {
        res->reason = P2P_R_BRIDGE_OFF;
        return;
    } else if (port->port == OFPP_LOCAL) {
        res->reason = P2P_R_LOCAL;
        return;
    }

    /* The rules: table 0 first. */
    if (!top && !wtop) {
        res->reason = P2P_R_NO_RULE;
        return;
    } else if (wtop && top && wtop->cr.priority == top->cr.priority) {
        /* Which of two overlapping rules wins is undefined. */
        res->reason = P2P_R_WILD;
        res->rule = wtop;
        return;
    } else if (wtop && (!top || wtop->cr.priority > top->cr.priority)) {
        res->reason = P2P_R_WILD;
        res->rule = wtop;
    } else if (tie) {
        /* Which of two overlapping rules wins is undefined. */
        res->reason = P2P_R_TIE;
        res->rule = top;
        res->rule2 = tie;
        return;
    } else if (!ta->only_in_port) {
        res->reason = P2P_R_MATCH_MORE;
        res->rule = top;
    } else if (ta->actions == P2P_ACT_OTHER) {
        res->reason = P2P_R_ACTIONS;
        res->rule = top;
        if (!ta->pipeline) {
            /* Every packet gets these actions, and no other table. */
            return;
        }
    }

    if (res->reason != P2P_R_NONE) {
        /* Table 0 alone does not decide: the pipeline probe does. */
        if (!p2p_probe_supported(br->ofproto)) {
            return;
        }
        res->needs_probe = true;
        res->rule = res->rule2 = NULL;
        if (!probe) {
            res->reason = P2P_R_PENDING;
            return;
        } else if (!probe->ok) {
            res->reason = P2P_R_PIPELINE;
            res->detail = probe->why;
            return;
        }
        peer = p2p_port_lookup(br, probe->out);
        if (!peer) {
            res->reason = P2P_R_PENDING;
            return;
        }
        res->reason = P2P_R_NONE;
        res->path = probe->path;
    } else {
        res->rule = top;
        res->rule_out = ta->out;
        if (ta->actions == P2P_ACT_RESERVED) {
            res->reason = P2P_R_RESERVED;
            return;
        } else if (ta->out == port->port) {
            res->reason = P2P_R_SELF;
            return;
        }
        peer = p2p_port_lookup(br, ta->out);
        if (!peer) {
            res->reason = P2P_R_NO_PEER;
            return;
        }
        res->rule = NULL;
        res->path_rule = top;
    }
    res->out = peer->port;

    /* The ports. */
    ipc = shash_find_data(&cfg->ports, port->name);
    opc = shash_find_data(&cfg->ports, peer->name);
    if (ipc && ipc->disabled) {
        res->reason = P2P_R_IN_OFF;
    } else if (opc && opc->disabled) {
        res->reason = P2P_R_OUT_OFF;
    } else if (port->config & OFPUTIL_PC_NO_RECV) {
        res->reason = P2P_R_NO_RECV;
    } else if (port->config & OFPUTIL_PC_PORT_DOWN) {
        res->reason = P2P_R_IN_DOWN;
    } else if (peer->config & OFPUTIL_PC_NO_FWD) {
        res->reason = P2P_R_NO_FWD;
    } else if (peer->config & OFPUTIL_PC_PORT_DOWN) {
        res->reason = P2P_R_OUT_DOWN;

    /* The bridge. */
    } else if (cfg->stp) {
        res->reason = P2P_R_STP;
    } else if (cfg->rstp) {
        res->reason = P2P_R_RSTP;
    } else if (cfg->sflow) {
        res->reason = P2P_R_SFLOW;
    } else if (cfg->netflow) {
        res->reason = P2P_R_NETFLOW;
    } else if (cfg->ipfix) {
        res->reason = P2P_R_IPFIX;
    } else if (cfg->all_mirror) {
        res->reason = P2P_R_MIRROR_ALL;
        res->detail = cfg->all_mirror;
    } else if (ipc && ipc->rx_mirror) {
        res->reason = P2P_R_MIRROR_RX;
        res->detail = ipc->rx_mirror;
    } else if (opc && opc->tx_mirror) {
        res->reason = P2P_R_MIRROR_TX;
        res->detail = opc->tx_mirror;
    } else if (ipc && ipc->out_mirror) {
        res->reason = P2P_R_MIRROR_OUT_IN;
        res->detail = ipc->out_mirror;
    } else if (opc && opc->out_mirror) {
        res->reason = P2P_R_MIRROR_OUT_OUT;
        res->detail = opc->out_mirror;
    } else if (ipc && ipc->policing) {
        res->reason = P2P_R_POLICING;
    } else if (opc && opc->qos) {
        res->reason = P2P_R_QOS;
    } else if (ipc && ipc->protocol) {
        res->reason = P2P_R_PROTO_IN;
        res->detail = ipc->protocol;
    } else if (opc && opc->protocol) {
        res->reason = P2P_R_PROTO_OUT;
        res->detail = opc->protocol;
    } else {
        res->verdict = P2P_ELIGIBLE;
        res->reason = P2P_R_NONE;
        res->missing = ((port->lane_capable ? 0 : P2P_MISSING_IN_LANE)
                        | (peer->lane_capable ? 0 : P2P_MISSING_OUT_LANE));
    }
}

/* The probe result that decides 'port', if it is valid. */
static const struct p2p_probe *
p2p_port_probe(const struct p2p_port *port)
{
    return port->probe_valid && !port->probe_pending ? &port->probe : NULL;
}

/* Examines 'port' from 'br''s index and the port's last probe. */
void
p2p_evaluate(const struct p2p_bridge *br, const struct p2p_port *port,
             struct p2p_result *res)
{
    const struct rule *top = NULL, *tie = NULL;
    const struct p2p_analysis *ta = NULL;
    struct p2p_inport *ip;

    ip = br->active ? p2p_inport_lookup(br, port->port) : NULL;
    if (ip) {
        const struct heap *h = &ip->rules;
        struct p2p_rule *r = p2p_heap_rule(heap_max(h));
        size_t i;

        top = r->rule;
        ta = p2p_rule_analysis(r);

        /* In a max-heap, the runner-up is a child of the root. */
        for (i = 2; i <= 3 && i <= heap_count(h); i++) {
            if (h->array[i]->priority == h->array[1]->priority) {
                tie = p2p_heap_rule(h->array[i])->rule;
                break;
            }
        }
    }
    p2p_decide(br, port, top, ta, tie, br->active ? p2p_wild_top(br) : NULL,
               p2p_port_probe(port), res);
}

/* Examines 'port' by scanning the whole of table 0, ignoring the index,
 * and with 'probe' (a fresh probe, or NULL) for the rest of the
 * pipeline. */
void
p2p_evaluate_from_scratch(const struct p2p_bridge *br,
                          const struct p2p_port *port,
                          const struct p2p_probe *probe,
                          struct p2p_result *res)
    OVS_REQUIRES(ofproto_mutex)
{
    const struct rule *top = NULL, *tie = NULL, *wtop = NULL;
    struct ofproto *ofproto = br->ofproto;
    struct p2p_analysis ta;
    struct rule *rule;

    CLS_FOR_EACH_TARGET (rule, cr, &ofproto->tables[0].cls, NULL,
                         ofproto->tables_version) {
        ofp_port_t in_port = p2p_rule_in_port(rule);
        int prio = rule->cr.priority;

        if (in_port == OFPP_NONE) {
            if (!wtop || prio > wtop->cr.priority) {
                wtop = rule;
            }
        } else if (in_port == port->port) {
            if (!top || prio > top->cr.priority) {
                top = rule;
                tie = NULL;
            } else if (prio == top->cr.priority) {
                tie = rule;
            }
        }
    }
    if (top) {
        p2p_analyze(top, &ta);
    }
    p2p_decide(br, port, top, top ? &ta : NULL, tie, wtop, probe, res);
}

/* Verdicts. */

static void
p2p_notify(struct p2p_bridge *br, ofp_port_t in_port, ofp_port_t out_port,
           enum p2p_verdict verdict, unsigned int missing)
    OVS_REQUIRES(p2p_mutex)
{
    size_t i;

    for (i = 0; i < n_listeners; i++) {
        listeners[i].cb(br->ofproto, in_port, out_port, verdict, missing,
                        listeners[i].aux);
    }
}

/* Records 'res' as 'port''s verdict, telling the listeners and the log if
 * it changed. */
static void
p2p_set_verdict(struct p2p_bridge *br, struct p2p_port *port,
                const struct p2p_result *res)
    OVS_REQUIRES(p2p_mutex)
{
    ofp_port_t out = res->verdict == P2P_ELIGIBLE ? res->out : OFPP_NONE;

    /* The path, which the lane side reads through p2p_detector_ref_path()
     * and which may change without changing the verdict. */
    if (res->verdict != P2P_ELIGIBLE) {
        p2p_path_unref(port->path);
        port->path = NULL;
    } else if (res->path) {
        if (!p2p_path_equal(port->path, res->path)) {
            p2p_path_unref(port->path);
            port->path = p2p_path_ref(res->path);
        }
    } else if (res->path_rule
               && !p2p_path_is_rule(port->path, res->path_rule)) {
        p2p_path_unref(port->path);
        port->path = p2p_path_create_rule(
            CONST_CAST(struct rule *, res->path_rule), br->alive);
    }

    if (port->verdict == res->verdict && port->out == out
        && port->missing == res->missing) {
        return;
    }

    if (port->verdict == P2P_ELIGIBLE && port->out != out) {
        p2p_notify(br, port->port, port->out, P2P_SWITCHED, 0);
    }
    if (res->verdict == P2P_ELIGIBLE) {
        p2p_notify(br, port->port, out, P2P_ELIGIBLE, res->missing);
    }
    if (!VLOG_DROP_INFO(&rl)) {
        struct ds s = DS_EMPTY_INITIALIZER;

        p2p_format_result(br, port, res, &s);
        VLOG_INFO("%s: %s", br->name, ds_cstr(&s));
        ds_destroy(&s);
    }
    port->verdict = res->verdict;
    port->out = out;
    port->missing = res->missing;
}

/* Marks 'port''s probe pending: p2p_detector_run() probes it after the
 * next type_run(). */
static void
p2p_mark_probe(struct p2p_bridge *br, struct p2p_port *port)
    OVS_REQUIRES(p2p_mutex)
{
    port->probe_pending = true;
    port->probe_mark = br->xlate_seq;
    port->probe_rcu = rcu_next;
    rcu_wanted = true;
    port->probe_gen++;
    VLOG_DBG("%s: %s probe pending (gen %"PRIu64", seq %"PRIu64")",
             br->name, port->name, port->probe_gen, br->xlate_seq);
    seq_change(p2p_seq);
}

/* Re-examines 'port' after a change. */
static void
p2p_update_port(struct p2p_bridge *br, struct p2p_port *port)
    OVS_REQUIRES(p2p_mutex)
{
    struct p2p_result res;

    p2p_evaluate(br, port, &res);
    if (!res.needs_probe) {
        /* Table 0 decides. */
        if (port->probe_needed) {
            port->probe_needed = port->probe_pending = false;
            port->probe_valid = false;
            p2p_probe_destroy(&port->probe);
        }
    } else {
        port->probe_needed = true;
        p2p_mark_probe(br, port);
        if (port->verdict == P2P_ELIGIBLE && port->path
            && p2p_path_intact(port->path)) {
            /* Until the probe says otherwise, the rules it went through
             * are all there: stay. */
            return;
        }
        p2p_evaluate(br, port, &res);
    }
    p2p_set_verdict(br, port, &res);
}

static void
p2p_update_all(struct p2p_bridge *br)
    OVS_REQUIRES(p2p_mutex)
{
    struct p2p_port *port;

    HMAP_FOR_EACH (port, node, &br->ports) {
        p2p_update_port(br, port);
    }
}

/* Marks 'in_port' (or every port, if it is OFPP_NONE) of 'br' to be
 * re-examined by p2p_flush(). */
static void
p2p_mark_dirty(struct p2p_bridge *br, ofp_port_t in_port)
    OVS_REQUIRES(p2p_mutex)
{
    if (in_port == OFPP_NONE) {
        br->dirty_all = true;
    } else if (!br->dirty_all) {
        struct p2p_port *port = p2p_port_lookup(br, in_port);

        if (port && !port->dirty) {
            port->dirty = true;
            if (br->n_dirty >= br->allocated_dirty) {
                br->dirty = x2nrealloc(br->dirty, &br->allocated_dirty,
                                       sizeof *br->dirty);
            }
            br->dirty[br->n_dirty++] = in_port;
        }
    }
}

bool
p2p_is_dirty(const struct p2p_bridge *br)
{
    return (br->dirty_all || br->n_dirty || br->dirty_groups
            || !bitmap_is_all_zeros(br->dirty_tables, 256));
}

/* Marks the ports whose probes looked up a table or went through a group
 * that changed. */
static void
p2p_mark_dirty_pipelines(struct p2p_bridge *br)
    OVS_REQUIRES(p2p_mutex)
{
    bool tables = !bitmap_is_all_zeros(br->dirty_tables, 256);
    struct p2p_port *port;

    if ((tables || br->dirty_groups) && !br->dirty_all) {
        HMAP_FOR_EACH (port, node, &br->ports) {
            const struct p2p_probe *p = &port->probe;
            size_t i;

            if (!port->probe_needed) {
                continue;
            } else if (!port->probe_valid || (br->dirty_groups && p->groups)) {
                p2p_mark_dirty(br, port->port);
                continue;
            }
            for (i = 0; tables && i < BITMAP_N_LONGS(256); i++) {
                if (p->tables[i] & br->dirty_tables[i]) {
                    p2p_mark_dirty(br, port->port);
                    break;
                }
            }
        }
    }
    memset(br->dirty_tables, 0, sizeof br->dirty_tables);
    br->dirty_groups = false;
}

/* Re-examines the ports that changes since the last call have marked, now
 * that those changes are committed as a whole. */
static void
p2p_flush(struct p2p_bridge *br)
    OVS_REQUIRES(p2p_mutex)
{
    struct p2p_port *port;
    size_t i;

    p2p_mark_dirty_pipelines(br);
    if (br->dirty_all) {
        HMAP_FOR_EACH (port, node, &br->ports) {
            port->dirty = false;
        }
        p2p_update_all(br);
    } else {
        for (i = 0; i < br->n_dirty; i++) {
            port = p2p_port_lookup(br, br->dirty[i]);
            if (port && port->dirty) {
                port->dirty = false;
                p2p_update_port(br, port);
            }
        }
    }
    br->dirty_all = false;
    br->n_dirty = 0;
}

/* For p2p-report.c. */

/* Returns the hmap of every p2p_bridge. */
struct hmap *
p2p_get_bridges(void)
    OVS_REQUIRES(p2p_mutex)
{
    return &bridges;
}

/* Returns the lane side's describer, or NULL if there is none. */
p2p_describer_func *
p2p_get_describer(void)
    OVS_REQUIRES(p2p_mutex)
{
    return describer;
}

static void
p2p_port_free(struct p2p_port *port)
{
    p2p_probe_destroy(&port->probe);
    p2p_path_unref(port->path);
    free(port->name);
    free(port);
}

/* Hooks. */

void
p2p_detector_bridge_created(struct ofproto *ofproto)
{
    struct p2p_bridge *br;

    p2p_init();

    br = xzalloc(sizeof *br);
    br->ofproto = ofproto;
    br->name = xstrdup(ofproto->name);
    p2p_config_init(&br->cfg);
    br->active = true;
    hmap_init(&br->rules);
    hmap_init(&br->inports);
    heap_init(&br->wild);
    hmap_init(&br->ports);
    hmap_init(&br->dl_types);
    br->alive = p2p_alive_create();

    ovs_mutex_lock(&p2p_mutex);
    hmap_insert(&bridges, &br->node, hash_pointer(ofproto, 0));
    ovs_mutex_unlock(&p2p_mutex);
}

void
p2p_detector_bridge_destroyed(struct ofproto *ofproto)
{
    struct p2p_bridge *br;
    struct p2p_port *port;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (br) {
        hmap_remove(&bridges, &br->node);
        HMAP_FOR_EACH_POP (port, node, &br->ports) {
            if (port->verdict == P2P_ELIGIBLE) {
                p2p_notify(br, port->port, port->out, P2P_SWITCHED, 0);
            }
            p2p_port_free(port);
        }
        hmap_destroy(&br->ports);
        p2p_index_clear(br);
        hmap_destroy(&br->dl_types);
        p2p_alive_kill(br->alive);
        hmap_destroy(&br->rules);
        hmap_destroy(&br->inports);
        heap_destroy(&br->wild);
        p2p_config_destroy(&br->cfg);
        free(br->dirty);
        free(br->name);
        free(br);
    }
    ovs_mutex_unlock(&p2p_mutex);
}

void
p2p_detector_rule_replaced(struct ofproto *ofproto, const struct rule *old,
                           const struct rule *new)
    OVS_REQUIRES(ofproto_mutex)
{
    const struct rule *wtop;
    struct p2p_bridge *br;
    ofp_port_t a, b;

    p2p_init();

    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (!br || !br->active) {
        goto out;
    }

    /* Pipelines: the ethertypes to probe, and the tables whose probes must
     * run again. */
    /* Any rule of a table, even one that cannot match a port's packets,
     * can change what a lookup there examines (a rule joins or leaves a
     * classifier subtable, changes its priority), so it dirties every
     * probe that looked the table up. */
    if (old) {
        p2p_count_dl_type(br, old, -1);
        bitmap_set1(br->dirty_tables, old->table_id);
    }
    if (new) {
        p2p_count_dl_type(br, new, 1);
        bitmap_set1(br->dirty_tables, new->table_id);
    }
    if ((!old || old->table_id) && (!new || new->table_id)) {
        goto out;
    }

    /* Only the rule's in_port is affected, or every port if the winner
     * among the rules with wildcarded in_port changed. */
    wtop = p2p_wild_top(br);
    a = old && !old->table_id ? p2p_index_remove(br, old) : OFPP_NONE;
    b = new && !new->table_id ? p2p_index_add(br, new) : OFPP_NONE;
    if (wtop != p2p_wild_top(br)) {
        p2p_mark_dirty(br, OFPP_NONE);
    } else {
        if (a != OFPP_NONE) {
            p2p_mark_dirty(br, a);
        }
        if (b != OFPP_NONE) {
            p2p_mark_dirty(br, b);
        }
    }
out:
    ovs_mutex_unlock(&p2p_mutex);
}

void
p2p_detector_rule_removed(struct ofproto *ofproto, const struct rule *rule)
    OVS_REQUIRES(ofproto_mutex)
{
    p2p_detector_rule_replaced(ofproto, rule, NULL);
}

/* Updates the cached view of 'ofport' in 'br', adding it if needed, and
 * marks every port dirty, since 'ofport' may be any port's peer. */
static void
p2p_refresh_port(struct p2p_bridge *br, const struct ofport *ofport)
    OVS_REQUIRES(p2p_mutex)
{
    struct p2p_port *port = p2p_port_lookup(br, ofport->ofp_port);
    const char *name = netdev_get_name(ofport->netdev);

    if (!port) {
        port = xzalloc(sizeof *port);
        port->port = ofport->ofp_port;
        port->verdict = P2P_SWITCHED;
        port->out = OFPP_NONE;
        hmap_insert(&br->ports, &port->node, hash_ofp_port(port->port));
    }
    if (!port->name || strcmp(port->name, name)) {
        free(port->name);
        port->name = xstrdup(name);
    }
    port->lane_capable = capable && capable(ofport->netdev);
    port->config = ofport->pp.config;
    p2p_mark_dirty(br, OFPP_NONE);
}

void
p2p_detector_port_changed(struct ofproto *ofproto, const struct ofport *ofport)
{
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (br) {
        p2p_refresh_port(br, ofport);
        p2p_flush(br);
    }
    ovs_mutex_unlock(&p2p_mutex);
}

void
p2p_detector_port_mod(struct ofproto *ofproto, const struct ofport *ofport)
{
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (br) {
        p2p_refresh_port(br, ofport);
    }
    ovs_mutex_unlock(&p2p_mutex);
}

void
p2p_detector_commit(struct ofproto *ofproto)
{
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (br && p2p_is_dirty(br)) {
        p2p_flush(br);
    }
    ovs_mutex_unlock(&p2p_mutex);
}

void
p2p_detector_port_removed(struct ofproto *ofproto, ofp_port_t port_no)
{
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (br) {
        struct p2p_port *port = p2p_port_lookup(br, port_no);

        if (port) {
            if (port->verdict == P2P_ELIGIBLE) {
                p2p_notify(br, port->port, port->out, P2P_SWITCHED, 0);
                VLOG_INFO_RL(&rl, "%s: %s removed, no longer eligible",
                             br->name, port->name);
            }
            hmap_remove(&br->ports, &port->node);
            p2p_port_free(port);
            p2p_mark_dirty(br, OFPP_NONE);
            p2p_flush(br);
        }
    }
    ovs_mutex_unlock(&p2p_mutex);
}

void
p2p_detector_set_config(struct ofproto *ofproto, struct p2p_config *cfg)
{
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&ofproto_mutex);
    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (br) {
        bool active = !cfg->global_disabled && !cfg->bridge_disabled;

        p2p_config_destroy(&br->cfg);
        br->cfg = *cfg;
        shash_init(&br->cfg.ports);
        shash_swap(&br->cfg.ports, &cfg->ports);
        cfg->all_mirror = NULL;

        if (active != br->active) {
            if (active) {
                p2p_index_build(br);
            } else {
                p2p_index_clear(br);
            }
            br->active = active;
        }
        p2p_mark_dirty(br, OFPP_NONE);
        p2p_flush(br);
    }
    ovs_mutex_unlock(&p2p_mutex);
    ovs_mutex_unlock(&ofproto_mutex);
}

/* Listeners and queries. */

void
p2p_detector_register_listener(p2p_listener_func *cb, void *aux)
{
    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    listeners = xrealloc(listeners, (n_listeners + 1) * sizeof *listeners);
    listeners[n_listeners].cb = cb;
    listeners[n_listeners].aux = aux;
    n_listeners++;
    ovs_mutex_unlock(&p2p_mutex);
}

void
p2p_detector_unregister_listener(p2p_listener_func *cb, void *aux)
{
    size_t i;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    for (i = 0; i < n_listeners; i++) {
        if (listeners[i].cb == cb && listeners[i].aux == aux) {
            listeners[i] = listeners[--n_listeners];
            break;
        }
    }
    ovs_mutex_unlock(&p2p_mutex);
}

bool
p2p_detector_query(const struct ofproto *ofproto, ofp_port_t in_port,
                   ofp_port_t *out_port, unsigned int *missing)
{
    const struct p2p_port *port = NULL;
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (br) {
        port = p2p_port_lookup(br, in_port);
    }
    if (port && port->verdict == P2P_ELIGIBLE) {
        *out_port = port->out;
        if (missing) {
            *missing = port->missing;
        }
    } else {
        port = NULL;
        *out_port = OFPP_NONE;
        if (missing) {
            *missing = 0;
        }
    }
    ovs_mutex_unlock(&p2p_mutex);
    return port != NULL;
}

void
p2p_detector_set_describer(p2p_describer_func *describer_,
                           p2p_capable_func *capable_)
{
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    describer = describer_;
    capable = capable_;
    /* Ports seen before the lane side registered. */
    HMAP_FOR_EACH (br, node, &bridges) {
        struct p2p_port *port;

        HMAP_FOR_EACH (port, node, &br->ports) {
            struct netdev *netdev = (port->name
                                     ? netdev_from_name(port->name) : NULL);

            port->lane_capable = netdev && capable && capable(netdev);
            netdev_close(netdev);
        }
        p2p_mark_dirty(br, OFPP_NONE);
        p2p_flush(br);
    }
    ovs_mutex_unlock(&p2p_mutex);
}

struct p2p_path *
p2p_detector_ref_path(const struct ofproto *ofproto, ofp_port_t in_port)
{
    const struct p2p_port *port = NULL;
    struct p2p_path *path = NULL;
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (br) {
        port = p2p_port_lookup(br, in_port);
    }
    if (port && port->verdict == P2P_ELIGIBLE) {
        path = p2p_path_ref(port->path);
    }
    ovs_mutex_unlock(&p2p_mutex);
    return path;
}

/* Pipelines. */

void
p2p_detector_groups_changed(struct ofproto *ofproto)
{
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (br) {
        br->dirty_groups = true;
    }
    ovs_mutex_unlock(&p2p_mutex);
}

void
p2p_detector_tables_changed(struct ofproto *ofproto)
{
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    br = p2p_bridge_lookup(ofproto);
    if (br) {
        struct p2p_port *port;

        HMAP_FOR_EACH (port, node, &br->ports) {
            if (port->probe_needed) {
                p2p_mark_probe(br, port);
            }
        }
    }
    ovs_mutex_unlock(&p2p_mutex);
}

/* Notes, for every bridge of datapath 'type', what a revalidation for
 * 'reason' must re-probe. */
static void
p2p_note_revalidate(const char *type, int reason)
    OVS_REQUIRES(p2p_mutex)
{
    struct p2p_bridge *br;

    if (!reason || reason == REV_FLOW_TABLE) {
        return;
    }
    HMAP_FOR_EACH (br, node, &bridges) {
        if (!strcmp(br->ofproto->type, type)) {
            if (reason == REV_MAC_LEARNING || reason == REV_MCAST_SNOOPING) {
                br->rev_most = true;
            } else {
                br->rev_all = true;
            }
        }
    }
}

void
p2p_detector_need_revalidate(const char *type, int reason)
{
    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    p2p_note_revalidate(type, reason);
    ovs_mutex_unlock(&p2p_mutex);
}

void
p2p_detector_revalidated(const char *type, int reason)
{
    struct p2p_bridge *br;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    p2p_note_revalidate(type, reason);
    HMAP_FOR_EACH (br, node, &bridges) {
        struct p2p_port *port;

        if (strcmp(br->ofproto->type, type)) {
            continue;
        }
        if (br->rev_all || br->rev_most) {
            HMAP_FOR_EACH (port, node, &br->ports) {
                if (port->probe_needed
                    && (br->rev_all || !port->probe_valid
                        || !port->probe.normal)) {
                    p2p_mark_probe(br, port);
                }
            }
            br->rev_all = br->rev_most = false;
        }
        /* What was marked until now is ready to probe. */
        br->xlate_seq++;
    }
    ovs_mutex_unlock(&p2p_mutex);
}

/* Returns how long, in ms, until the next pending probe that waits only
 * for type_run() and its interval can run (0: now), or -1 if none. */
static long long int
p2p_probes_waiting(void)
    OVS_REQUIRES(p2p_mutex)
{
    long long int now = p2p_real_msec();
    long long int next = -1;
    struct p2p_bridge *br;
    uint64_t done;

    atomic_read(&rcu_done, &done);
    HMAP_FOR_EACH (br, node, &bridges) {
        struct p2p_port *port;

        HMAP_FOR_EACH (port, node, &br->ports) {
            if (port->probe_pending && port->probe_rcu <= done) {
                long long int wait = MAX(port->probe_last
                                         + P2P_PROBE_INTERVAL_MS - now, 0);

                if (next < 0 || wait < next) {
                    next = wait;
                }
            }
        }
    }
    return next;
}

/* Is any change not yet examined, or any probe pending? */
bool
p2p_any_pending(void)
    OVS_REQUIRES(p2p_mutex)
{
    struct p2p_bridge *br;

    HMAP_FOR_EACH (br, node, &bridges) {
        struct p2p_port *port;

        if (p2p_is_dirty(br)) {
            return true;
        }
        HMAP_FOR_EACH (port, node, &br->ports) {
            if (port->probe_pending) {
                return true;
            }
        }
    }
    return false;
}

/* Milliseconds of the real monotonic clock.  Deadlines of waiting commands
 * use it rather than time_msec(), which tests stop and warp: a warp must
 * not make a command answer before the probes it waits for. */
static long long int
p2p_real_msec(void)
{
    struct timespec ts;

    xclock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Runs 'cb' with 'argc' and 'argv' for 'conn' once no probe is pending,
 * or after P2P_DEFER_MAX_MS. */
void
p2p_defer_reply(struct unixctl_conn *conn, int argc, const char *argv[],
                void (*cb)(struct unixctl_conn *, int argc,
                           const char *argv[], void *aux))
    OVS_REQUIRES(p2p_mutex)
{
    struct p2p_deferred *d;
    int i;

    deferred = xrealloc(deferred, (n_deferred + 1) * sizeof *deferred);
    d = &deferred[n_deferred++];
    d->conn = conn;
    svec_init(&d->args);
    for (i = 0; i < argc; i++) {
        svec_add(&d->args, argv[i]);
    }
    d->cb = cb;
    d->deadline = p2p_real_msec() + P2P_DEFER_MAX_MS;
    seq_change(p2p_seq);
}

static void
p2p_rcu_cb(void *id_)
{
    uint64_t id = (uintptr_t) id_;
    uint64_t done;

    atomic_read(&rcu_done, &done);
    if (id > done) {
        atomic_store(&rcu_done, id);
    }
    seq_change(p2p_seq);
}

/* Can 'port''s pending probe run now? */
static bool
p2p_probe_ready(const struct p2p_bridge *br, const struct p2p_port *port)
    OVS_REQUIRES(p2p_mutex)
{
    uint64_t done;

    atomic_read(&rcu_done, &done);
    return (port->probe_pending && port->probe_mark < br->xlate_seq
            && port->probe_rcu <= done
            && p2p_real_msec() >= port->probe_last + P2P_PROBE_INTERVAL_MS);
}

/* A probe to run: port 'port' of 'ofproto', marked 'gen'. */
struct p2p_todo {
    struct ofproto *ofproto;
    ofp_port_t port;
    uint64_t gen;
    uint16_t *dl_types;
    size_t n_dl_types;
    struct p2p_alive *alive;
};

void
p2p_detector_run(void)
{
    struct p2p_todo *todo = NULL;
    size_t n = 0, allocated = 0;
    struct p2p_bridge *br;
    struct p2p_deferred *ready = NULL;
    size_t n_ready = 0;
    long long int now;
    size_t i;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    p2p_seq_last = seq_read(p2p_seq);
    run_since_wait = true;
    if (rcu_wanted) {
        /* After this iteration's commits have postponed the removal of the
         * rules they deleted. */
        ovsrcu_postpone__(p2p_rcu_cb, (void *) (uintptr_t) rcu_next);
        rcu_next++;
        rcu_wanted = false;
    }
    HMAP_FOR_EACH (br, node, &bridges) {
        struct p2p_port *port;

        HMAP_FOR_EACH (port, node, &br->ports) {
            if (p2p_probe_ready(br, port)) {
                size_t n_types;
                uint16_t *types = p2p_bridge_dl_types(br, &n_types);

                port->probe_last = p2p_real_msec();
                if (n >= allocated) {
                    todo = x2nrealloc(todo, &allocated, sizeof *todo);
                }
                todo[n++] = (struct p2p_todo) {
                    br->ofproto, port->port, port->probe_gen, types, n_types,
                    p2p_alive_ref(br->alive),
                };
            }
        }
    }
    ovs_mutex_unlock(&p2p_mutex);

    /* Probe without locks: a probe through "learn" takes
     * 'ofproto_mutex'. */
    for (i = 0; i < n; i++) {
        struct p2p_probe probe;

        p2p_probe_run(todo[i].ofproto, todo[i].port, todo[i].dl_types,
                      todo[i].n_dl_types, todo[i].alive, NULL, &probe);
        free(todo[i].dl_types);
        p2p_alive_unref(todo[i].alive);

        ovs_mutex_lock(&p2p_mutex);
        br = p2p_bridge_lookup(todo[i].ofproto);
        if (br) {
            struct p2p_port *port = p2p_port_lookup(br, todo[i].port);

            if (port && port->probe_pending
                && port->probe_gen == todo[i].gen) {
                struct p2p_result res;

                VLOG_DBG("%s: %s probed (gen %"PRIu64", seq %"PRIu64"): %s",
                         br->name, port->name, port->probe_gen,
                         br->xlate_seq, probe.why ? probe.why : "ok");
                p2p_probe_destroy(&port->probe);
                port->probe = probe;
                port->probe_valid = true;
                port->probe_pending = false;
                p2p_evaluate(br, port, &res);
                p2p_set_verdict(br, port, &res);
                memset(&probe, 0, sizeof probe);
            }
        }
        ovs_mutex_unlock(&p2p_mutex);
        p2p_probe_destroy(&probe);
    }
    free(todo);

    /* Commands that waited for the probes. */
    ovs_mutex_lock(&p2p_mutex);
    if (n_deferred) {
        bool pending = p2p_any_pending();

        now = p2p_real_msec();
        i = 0;
        while (i < n_deferred) {
            if (!pending || now >= deferred[i].deadline) {
                ready = xrealloc(ready, (n_ready + 1) * sizeof *ready);
                ready[n_ready++] = deferred[i];
                deferred[i] = deferred[--n_deferred];
            } else {
                i++;
            }
        }
    }
    ovs_mutex_unlock(&p2p_mutex);
    for (i = 0; i < n_ready; i++) {
        struct p2p_deferred *d = &ready[i];

        /* A non-null 'aux' says that the command waited already. */
        d->cb(d->conn, d->args.n, (const char **) d->args.names, &n_deferred);
        svec_destroy(&d->args);
    }
    free(ready);
}

void
p2p_detector_wait(void)
{
    long long int next;
    size_t i;

    p2p_init();
    ovs_mutex_lock(&p2p_mutex);
    if (!run_since_wait) {
        seq_wait(p2p_seq, seq_read(p2p_seq));
        ovs_mutex_unlock(&p2p_mutex);
        return;
    }
    run_since_wait = false;
    seq_wait(p2p_seq, p2p_seq_last);
    next = p2p_probes_waiting();
    if (rcu_wanted || !next) {
        /* The next p2p_detector_run() posts the RCU callback, or the next
         * type_run() makes the probes ready.  An RCU callback changes
         * 'p2p_seq'. */
        poll_immediate_wake();
    } else if (next > 0) {
        poll_timer_wait(next);
    }
    for (i = 0; i < n_deferred; i++) {
        poll_timer_wait(MAX(deferred[i].deadline - p2p_real_msec(), 0));
    }
    ovs_mutex_unlock(&p2p_mutex);
}

static void
p2p_init(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;

    if (ovsthread_once_start(&once)) {
        ovs_mutex_init_recursive(&p2p_mutex);
        p2p_seq = seq_create();
        ovsthread_once_done(&once);
        p2p_report_init();
    }
}
