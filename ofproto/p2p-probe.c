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

#include "p2p/ofproto/p2p-probe.h"

#include <stdlib.h>
#include <string.h>

#include "p2p/ofproto/p2p-detector-private.h"

#include "classifier.h"
#include "coverage.h"
#include "dpif.h"
#include "flow.h"
#include "netdev-vport.h"
#include "netdev.h"
#include "netlink.h"
#include "odp-util.h"
#include "ofproto/ofproto-dpif-xlate-cache.h"
#include "ofproto/ofproto-dpif-xlate.h"
#include "ofproto/ofproto-dpif.h"
#include "ofproto/ofproto-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofpbuf.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"
#include "packets.h"
#include "util.h"

COVERAGE_DEFINE(p2p_probe);
COVERAGE_DEFINE(p2p_probe_class);

/* How many rules of one table the probe looks through, at most, to name
 * the rule whose match made the classifier examine a field (a miss in a
 * subtable examines the subtable's fields too). */
#define P2P_PROBE_SCAN_MAX 4096

/* Paths. */

/* Whether a bridge still exists, for paths that outlive it in a lane: a
 * path's tables and rules point to the bridge. */
struct p2p_alive {
    struct ovs_refcount ref_cnt;
    atomic_bool alive;
};

struct p2p_alive *
p2p_alive_create(void)
{
    struct p2p_alive *a = xmalloc(sizeof *a);

    ovs_refcount_init(&a->ref_cnt);
    atomic_init(&a->alive, true);
    return a;
}

/* Says that the bridge is gone, and drops the caller's reference. */
void
p2p_alive_kill(struct p2p_alive *a)
{
    atomic_store(&a->alive, false);
    p2p_alive_unref(a);
}

struct p2p_alive *
p2p_alive_ref(struct p2p_alive *a)
{
    ovs_refcount_ref(&a->ref_cnt);
    return a;
}

void
p2p_alive_unref(struct p2p_alive *a)
{
    if (a && ovs_refcount_unref(&a->ref_cnt) == 1) {
        free(a);
    }
}

struct p2p_path {
    struct ovs_refcount ref_cnt;
    struct p2p_alive *alive;    /* The bridge's. */
    struct rule *rule;          /* The table-0 rule, referenced, or... */
    struct xlate_cache *xcache; /* ...a translation's cache, which holds
                                 * references to its rules and groups. */
    struct rule **rules;        /* The rules, in the order visited. */
    size_t n_rules;
};

struct p2p_path *
p2p_path_create_rule(struct rule *rule, struct p2p_alive *alive)
{
    struct p2p_path *path = xzalloc(sizeof *path);

    ovs_refcount_init(&path->ref_cnt);
    path->alive = p2p_alive_ref(alive);
    ofproto_rule_ref(rule);
    path->rule = rule;
    path->rules = xmalloc(sizeof *path->rules);
    path->rules[0] = rule;
    path->n_rules = 1;
    return path;
}

static struct p2p_path *
p2p_path_create_xcache(struct xlate_cache *xcache, struct rule **rules,
                       size_t n_rules, struct p2p_alive *alive)
{
    struct p2p_path *path = xzalloc(sizeof *path);

    ovs_refcount_init(&path->ref_cnt);
    path->alive = p2p_alive_ref(alive);
    path->xcache = xcache;
    path->rules = rules;
    path->n_rules = n_rules;
    return path;
}

struct p2p_path *
p2p_path_ref(const struct p2p_path *path_)
{
    struct p2p_path *path = CONST_CAST(struct p2p_path *, path_);

    if (path) {
        ovs_refcount_ref(&path->ref_cnt);
    }
    return path;
}

void
p2p_path_unref(struct p2p_path *path)
{
    if (path && ovs_refcount_unref(&path->ref_cnt) == 1) {
        if (path->rule) {
            ofproto_rule_unref(path->rule);
        }
        if (path->xcache) {
            xlate_cache_delete(path->xcache);
        }
        p2p_alive_unref(path->alive);
        free(path->rules);
        free(path);
    }
}

/* Credits 'n_packets' and 'n_bytes' to every rule (and table and group) on
 * 'path', as the revalidator credits a datapath flow's statistics. */
void
p2p_path_credit(struct p2p_path *path, uint64_t n_packets, uint64_t n_bytes)
{
    struct dpif_flow_stats st = {
        .n_packets = n_packets,
        .n_bytes = n_bytes,
        .used = time_msec(),
    };

    bool alive;

    if (!path || !n_packets) {
        return;
    }
    atomic_read(&path->alive->alive, &alive);
    if (!alive) {
        /* The bridge is gone, and with it its tables and rules. */
        return;
    }
    if (path->xcache) {
        xlate_push_stats(path->xcache, &st, false);
    } else if (path->rule->ofproto->ofproto_class == &ofproto_dpif_class) {
        rule_dpif_credit_stats(CONTAINER_OF(path->rule, struct rule_dpif, up),
                               &st, false);
    }
}

/* Returns true if every rule of 'path' is still in its table. */
bool
p2p_path_intact(const struct p2p_path *path)
{
    size_t i;

    for (i = 0; i < path->n_rules; i++) {
        const struct rule *rule = path->rules[i];

        if (rule->state == RULE_REMOVED
            || !cls_rule_visible_in_version(&rule->cr,
                                            rule->ofproto->tables_version)) {
            return false;
        }
    }
    return true;
}

/* Is 'path' the table-0 path of 'rule'? */
bool
p2p_path_is_rule(const struct p2p_path *path, const struct rule *rule)
{
    return path && path->rule == rule;
}

bool
p2p_path_equal(const struct p2p_path *a, const struct p2p_path *b)
{
    return (a == b
            || (a && b && a->n_rules == b->n_rules
                && !memcmp(a->rules, b->rules,
                           a->n_rules * sizeof *a->rules)));
}

/* Probe classes. */

enum p2p_shape {
    P2P_SHAPE_UNTAGGED,
    P2P_SHAPE_CTAG,             /* 802.1Q. */
    P2P_SHAPE_STAG,             /* 802.1ad. */
    P2P_SHAPE_QINQ,             /* 802.1ad + 802.1Q. */
    P2P_N_SHAPES
};

static const char *const shape_names[P2P_N_SHAPES] = {
    "untagged", "802.1Q", "802.1ad", "802.1ad+802.1Q",
};

/* Ethertypes that OVS's flow extraction or translation treats specially,
 * probed whatever the rules match, and one that nothing uses. */
static const uint16_t special_dl_types[] = {
    ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_ARP, ETH_TYPE_RARP,
    ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST, ETH_TYPE_NSH,
    ETH_TYPE_VLAN_8021Q, ETH_TYPE_VLAN_8021AD,
    0x88cc,                     /* LLDP. */
    ETH_TYPE_LACP,              /* Slow protocols. */
    0x8902,                     /* CFM. */
    FLOW_DL_TYPE_NONE,          /* 802.3 with LLC, e.g. STP. */
    0x88b5,                     /* Local experimental: nothing uses it. */
};

enum p2p_frag {
    P2P_FRAG_NO,
    P2P_FRAG_FIRST,
    P2P_FRAG_LATER,
};

struct p2p_class {
    enum p2p_shape shape;
    uint16_t dl_type;
    enum p2p_frag frag;
};

static bool
dl_type_is_ip(uint16_t dl_type)
{
    return dl_type == ETH_TYPE_IP || dl_type == ETH_TYPE_IPV6;
}

static void
p2p_class_format(const struct p2p_class *c, struct ds *s)
{
    static const struct {
        uint16_t dl_type;
        const char *name;
    } names[] = {
        { ETH_TYPE_IP, "ip" }, { ETH_TYPE_IPV6, "ipv6" },
        { ETH_TYPE_ARP, "arp" }, { ETH_TYPE_RARP, "rarp" },
        { ETH_TYPE_MPLS, "mpls" }, { ETH_TYPE_MPLS_MCAST, "mplsm" },
        { ETH_TYPE_NSH, "nsh" }, { 0x88cc, "lldp" },
        { ETH_TYPE_LACP, "slow protocols" }, { 0x8902, "cfm" },
        { FLOW_DL_TYPE_NONE, "802.3" },
    };
    size_t i;

    ds_put_format(s, "%s ", shape_names[c->shape]);
    for (i = 0; i < ARRAY_SIZE(names); i++) {
        if (names[i].dl_type == c->dl_type) {
            ds_put_cstr(s, names[i].name);
            break;
        }
    }
    if (i >= ARRAY_SIZE(names)) {
        ds_put_format(s, "dl_type=0x%04"PRIx16, c->dl_type);
    }
    if (c->frag == P2P_FRAG_FIRST) {
        ds_put_cstr(s, " first fragment");
    } else if (c->frag == P2P_FRAG_LATER) {
        ds_put_cstr(s, " later fragment");
    }
}

/* Builds in 'flow' the representative of class 'c' entering 'in_port'. */
static void
p2p_class_flow(const struct p2p_class *c, ofp_port_t in_port,
               struct flow *flow)
{
    static const struct eth_addr src = ETH_ADDR_C(02, 00, 00, 00, 00, 01);
    static const struct eth_addr dst = ETH_ADDR_C(02, 00, 00, 00, 00, 02);

    memset(flow, 0, sizeof *flow);
    flow->in_port.ofp_port = in_port;
    flow->packet_type = htonl(PT_ETH);
    flow->dl_src = src;
    flow->dl_dst = dst;
    flow->dl_type = htons(c->dl_type);
    switch (c->shape) {
    case P2P_SHAPE_CTAG:
        flow->vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
        flow->vlans[0].tci = htons(VLAN_CFI | 0x123);
        break;
    case P2P_SHAPE_STAG:
        flow->vlans[0].tpid = htons(ETH_TYPE_VLAN_8021AD);
        flow->vlans[0].tci = htons(VLAN_CFI | 0x123);
        break;
    case P2P_SHAPE_QINQ:
        flow->vlans[0].tpid = htons(ETH_TYPE_VLAN_8021AD);
        flow->vlans[0].tci = htons(VLAN_CFI | 0x123);
        flow->vlans[1].tpid = htons(ETH_TYPE_VLAN_8021Q);
        flow->vlans[1].tci = htons(VLAN_CFI | 0x456);
        break;
    case P2P_SHAPE_UNTAGGED:
    case P2P_N_SHAPES:
    default:
        break;
    }
    if (eth_type_mpls(flow->dl_type)) {
        flow->mpls_lse[0] = htonl((16 << MPLS_LABEL_SHIFT) | MPLS_BOS_MASK
                                  | 64);
    } else if (dl_type_is_ip(c->dl_type)) {
        flow->nw_ttl = 64;
        flow->nw_frag = (c->frag == P2P_FRAG_FIRST ? FLOW_NW_FRAG_ANY
                         : c->frag == P2P_FRAG_LATER
                         ? FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER
                         : 0);
        if (c->dl_type == ETH_TYPE_IP) {
            flow->nw_src = htonl(0x0a000001);
            flow->nw_dst = htonl(0x0a000002);
        } else {
            flow->ipv6_src.s6_addr[0] = 0xfd;
            flow->ipv6_dst.s6_addr[0] = 0xfd;
            flow->ipv6_dst.s6_addr[15] = 2;
        }
    }
}

/* Clears in 'wc' what every packet of class 'c' from a non-tunnel port has
 * in common: what OVS always examines, what the class fixes, and metadata
 * that is 0 for every packet that enters the bridge.  What remains is what
 * the pipeline tells packets of the class apart by. */
static void
p2p_clear_allowed(struct flow_wildcards *wc)
{
    struct flow *m = &wc->masks;
    size_t i;

    m->in_port.ofp_port = 0;
    m->packet_type = 0;
    m->recirc_id = 0;
    m->dl_type = 0;
    m->nw_frag = 0;
    memset(&m->tunnel, 0, sizeof m->tunnel);
    m->skb_priority = 0;
    m->pkt_mark = 0;
    m->dp_hash = 0;
    m->ct_state = 0;
    m->ct_zone = 0;
    m->ct_mark = 0;
    memset(&m->ct_label, 0, sizeof m->ct_label);
    m->ct_nw_proto = 0;
    m->ct_nw_src = 0;
    m->ct_nw_dst = 0;
    memset(&m->ct_ipv6_src, 0, sizeof m->ct_ipv6_src);
    memset(&m->ct_ipv6_dst, 0, sizeof m->ct_ipv6_dst);
    m->ct_tp_src = 0;
    m->ct_tp_dst = 0;
    m->metadata = 0;
    memset(m->regs, 0, sizeof m->regs);
    m->actset_output = 0;
    m->conj_id = 0;
    for (i = 0; i < FLOW_MAX_VLAN_HEADERS; i++) {
        m->vlans[i].tpid = 0;
        m->vlans[i].tci &= ~htons(VLAN_CFI);
    }
}

/* Explanations. */

static void
p2p_format_pipeline_rule(const struct rule *rule, struct ds *s)
{
    struct ds match = DS_EMPTY_INITIALIZER;

    minimatch_format(&rule->cr.match, NULL, NULL, &match,
                     OFP_DEFAULT_PRIORITY);
    ds_put_format(s, "table %"PRIu8" rule \"", rule->table_id);
    if (rule->flow_cookie) {
        ds_put_format(s, "cookie=%#"PRIx64",", ntohll(rule->flow_cookie));
    }
    ds_put_format(s, "priority=%d%s%s\"%s", rule->cr.priority,
                  match.length ? "," : "", ds_cstr(&match),
                  rule->cr.priority > UINT16_MAX ? " (hidden)" : "");
    ds_destroy(&match);
}

static bool
p2p_rule_matches_field(const struct rule *rule, const struct mf_field *mf)
{
    struct flow_wildcards wc;

    minimask_expand(rule->cr.match.mask, &wc);
    return !mf_is_all_wild(mf, &wc);
}

/* Says which rule made the translation examine 'mf': a rule it took, or
 * else the highest-priority rule of a table it looked up that matches
 * 'mf' and could match packets from 'in_port' (the classifier examines
 * the fields of every subtable it visits, also when the packet does not
 * match: such a rule is one that packets differing in 'mf' would hit).
 * Returns true if it found a rule. */
static bool
p2p_explain_field(struct rule **rules, size_t n_rules,
                  const unsigned long *tables, struct ofproto *ofproto,
                  const struct mf_field *mf, ofp_port_t in_port,
                  struct ds *s)
{
    const struct rule *best = NULL;
    size_t i;
    int t;

    for (i = 0; i < n_rules; i++) {
        if (p2p_rule_matches_field(rules[i], mf)) {
            best = rules[i];
            break;
        }
    }
    BITMAP_FOR_EACH_1 (t, 256, tables) {
        const struct rule *rule;
        size_t n = 0;

        if (best || t >= ofproto->n_tables) {
            break;
        }
        CLS_FOR_EACH_TARGET (rule, cr, &ofproto->tables[t].cls, NULL,
                             ofproto->tables_version) {
            ofp_port_t rule_in = p2p_rule_in_port(rule);

            if ((rule_in == OFPP_NONE || rule_in == in_port)
                && p2p_rule_matches_field(rule, mf)
                && (!best || rule->cr.priority > best->cr.priority)) {
                best = rule;
            }
            if (++n >= P2P_PROBE_SCAN_MAX) {
                break;
            }
        }
    }
    if (best) {
        p2p_format_pipeline_rule(best, s);
        ds_put_format(s, " matches %s", mf->name);
    } else {
        ds_put_format(s, "the pipeline examines %s", mf->name);
    }
    ds_put_format(s, " (packets that differ in %s may go elsewhere)",
                  mf->name);
    return best != NULL;
}

/* Is 'a' an action that only moves a packet through the pipeline or
 * outputs it, without changing it or anything else? */
static bool
p2p_ofpact_is_plumbing(const struct ofpact *a)
{
    enum ofpact_type t = a->type;

    if (t == OFPACT_OUTPUT) {
        return ofp_to_u16(ofpact_get_OUTPUT(a)->port) < ofp_to_u16(OFPP_MAX);
    } else if (t == OFPACT_SET_FIELD) {
        return mf_is_pipeline_field(ofpact_get_SET_FIELD(a)->field);
    } else if (t == OFPACT_REG_MOVE) {
        return mf_is_pipeline_field(ofpact_get_REG_MOVE(a)->dst.field);
    } else {
        return (t == OFPACT_NOTE || t == OFPACT_RESUBMIT
                || t == OFPACT_GOTO_TABLE || t == OFPACT_WRITE_METADATA
                || t == OFPACT_CONJUNCTION || t == OFPACT_CLEAR_ACTIONS
                || t == OFPACT_WRITE_ACTIONS || t == OFPACT_GROUP
                || t == OFPACT_STACK_PUSH || t == OFPACT_STACK_POP);
    }
}

/* Names the first rule among 'rules' with an action that is not plumbing,
 * and the action, after 'what'. */
static void
p2p_explain_action(struct rule **rules, size_t n_rules, int miss_table,
                   const char *what, struct ds *s)
{
    size_t i;

    for (i = 0; i < n_rules; i++) {
        const struct rule_actions *actions = rule_get_actions(rules[i]);
        const struct ofpact *a;

        if (rules[i]->table_id == TBL_INTERNAL) {
            continue;
        }

        OFPACT_FOR_EACH_FLATTENED (a, actions->ofpacts,
                                   actions->ofpacts_len) {
            if (!p2p_ofpact_is_plumbing(a)) {
                struct ofpact_format_params fp = { .s = s };

                p2p_format_pipeline_rule(rules[i], s);
                ds_put_format(s, " %s: ", what);
                ofpacts_format(a, OFPACT_ALIGN(a->len), &fp);
                return;
            }
        }
    }
    if (miss_table >= 0
        && (!n_rules || rules[n_rules - 1]->table_id == TBL_INTERNAL)) {
        /* What a miss does can depend on the controllers connected at
         * the time (OpenFlow 1.0 sends misses to them). */
        ds_put_format(s, "no rule in table %d matches the packets (a table "
                      "miss)", miss_table);
    } else if (n_rules && rules[n_rules - 1]->table_id != TBL_INTERNAL) {
        p2p_format_pipeline_rule(rules[n_rules - 1], s);
        ds_put_format(s, " %s", what);
    } else {
        ds_put_format(s, "the pipeline %s", what);
    }
}

/* Names the first rule among 'rules' with an action of 'type' (NORMAL is
 * an output to OFPP_NORMAL). */
static void
p2p_explain_ofpact(struct rule **rules, size_t n_rules,
                   enum ofpact_type type, const char *what, struct ds *s)
{
    size_t i;

    for (i = 0; i < n_rules; i++) {
        const struct rule_actions *actions = rule_get_actions(rules[i]);
        const struct ofpact *a;

        OFPACT_FOR_EACH_FLATTENED (a, actions->ofpacts,
                                   actions->ofpacts_len) {
            if (a->type == type
                || (type == OFPACT_OUTPUT && a->type == OFPACT_OUTPUT
                    && ofpact_get_OUTPUT(a)->port == OFPP_NORMAL)) {
                p2p_format_pipeline_rule(rules[i], s);
                ds_put_format(s, " %s", what);
                return;
            }
        }
    }
    ds_put_format(s, "the pipeline %s", what);
}

/* Translation. */

/* What one class's translation gave. */
struct p2p_class_result {
    bool ok;
    odp_port_t out;
    struct xlate_cache *xcache;
    struct rule **rules;
    size_t n_rules;
    struct ds why;
};

static const char *
p2p_xc_what(enum xc_type type, enum ofpact_type *ofpact)
{
    *ofpact = OFPACT_OUTPUT;
    switch (type) {
    case XC_NORMAL:
        return "uses the NORMAL action (MAC learning switch)";
    case XC_LEARN:
        *ofpact = OFPACT_LEARN;
        return "learns flows from the packets";
    case XC_FIN_TIMEOUT:
        *ofpact = OFPACT_FIN_TIMEOUT;
        return "changes timeouts on TCP FIN or RST";
    case XC_BOND:
        return "outputs to a bond";
    case XC_NETFLOW:
        return "feeds NetFlow";
    case XC_MIRROR:
        return "is mirrored";
    case XC_NETDEV:
        return "outputs through a patch port or a tunnel";
    case XC_TNL_NEIGH:
    case XC_TUNNEL_HEADER:
        return "tunnels the packets";
    case XC_TABLE:
    case XC_RULE:
    case XC_GROUP:
    default:
        return NULL;
    }
}

/* Describes datapath action 'type' for p2p/show. */
static const char *
p2p_odp_what(enum ovs_action_attr type)
{
    switch (type) {
    case OVS_ACTION_ATTR_OUTPUT:
    case OVS_ACTION_ATTR_LB_OUTPUT:
        return "outputs to more than one port";
    case OVS_ACTION_ATTR_USERSPACE:
        return "sends packets to the controller or to ovs-vswitchd";
    case OVS_ACTION_ATTR_SET:
    case OVS_ACTION_ATTR_SET_MASKED:
        return "modifies the packets";
    case OVS_ACTION_ATTR_PUSH_VLAN:
    case OVS_ACTION_ATTR_POP_VLAN:
    case OVS_ACTION_ATTR_PUSH_MPLS:
    case OVS_ACTION_ATTR_POP_MPLS:
    case OVS_ACTION_ATTR_ADD_MPLS:
    case OVS_ACTION_ATTR_PUSH_ETH:
    case OVS_ACTION_ATTR_POP_ETH:
    case OVS_ACTION_ATTR_PUSH_NSH:
    case OVS_ACTION_ATTR_POP_NSH:
        return "pushes or pops a header";
    case OVS_ACTION_ATTR_SAMPLE:
        return "samples the packets";
    case OVS_ACTION_ATTR_RECIRC:
        return "recirculates the packets";
    case OVS_ACTION_ATTR_HASH:
        return "hashes the packets to choose among paths";
    case OVS_ACTION_ATTR_CT:
    case OVS_ACTION_ATTR_CT_CLEAR:
        return "sends the packets through connection tracking";
    case OVS_ACTION_ATTR_TRUNC:
        return "truncates the packets";
    case OVS_ACTION_ATTR_METER:
        return "meters the packets";
    case OVS_ACTION_ATTR_CLONE:
        return "clones the packets";
    case OVS_ACTION_ATTR_CHECK_PKT_LEN:
        return "treats packets differently by length";
    case OVS_ACTION_ATTR_TUNNEL_PUSH:
    case OVS_ACTION_ATTR_TUNNEL_POP:
        return "tunnels the packets";
    case OVS_ACTION_ATTR_DROP:
        return "drops the packets";
    case OVS_ACTION_ATTR_UNSPEC:
    case __OVS_ACTION_ATTR_MAX:
    default:
        return "does something to the packets";
    }
}

/* Translates the representative of class 'c' entering 'in_port' and
 * judges it, into 'r'. */
static void
p2p_probe_class(struct ofproto_dpif *ofproto, ofp_port_t in_port,
                const struct p2p_class *c, unsigned long *tables,
                bool *groups, bool *normal, struct p2p_class_result *r)
{
    uint64_t stub[1024 / 8];
    struct flow_wildcards wc;
    struct ofpbuf odp_actions;
    struct xlate_out xout;
    struct xlate_in xin;
    struct xc_entry *entry;
    struct ofpbuf entries;
    enum xlate_error error;
    const char *xc_what = NULL;
    enum ofpact_type xc_ofpact = OFPACT_OUTPUT;
    int miss_table = -1;
    size_t allocated = 0;
    struct flow flow;
    struct ds act = DS_EMPTY_INITIALIZER;
    const struct nlattr *a;
    size_t left;
    int n_out = 0;
    size_t i;

    COVERAGE_INC(p2p_probe_class);
    memset(r, 0, sizeof *r);
    ds_init(&r->why);
    r->out = ODPP_NONE;

    p2p_class_flow(c, in_port, &flow);
    flow_wildcards_init_catchall(&wc);
    ofpbuf_use_stub(&odp_actions, stub, sizeof stub);
    xlate_in_init(&xin, ofproto, ofproto_dpif_get_tables_version(ofproto),
                  &flow, in_port, NULL, 0, NULL, &wc, &odp_actions);
    r->xcache = xlate_cache_new();
    xin.xcache = r->xcache;
    xin.no_recirc_ids = true;   /* Patch 0015: IDs are visible elsewhere. */
    error = xlate_actions(&xin, &xout);

    /* The rules and tables it went through, and anything else it left in
     * the cache. */
    entries = r->xcache->entries;
    XC_ENTRY_FOR_EACH (entry, &entries) {
        switch (entry->type) {
        case XC_TABLE:
            bitmap_set1(tables, entry->table.id);
            if (!entry->table.match) {
                miss_table = entry->table.id;
            }
            break;
        case XC_RULE:
            if (r->n_rules >= allocated) {
                r->rules = x2nrealloc(r->rules, &allocated,
                                      sizeof *r->rules);
            }
            r->rules[r->n_rules++] = &entry->rule->up;
            break;
        case XC_GROUP:
            *groups = true;
            break;
        case XC_BOND:
        case XC_NETDEV:
        case XC_NETFLOW:
        case XC_MIRROR:
        case XC_LEARN:
        case XC_NORMAL:
        case XC_FIN_TIMEOUT:
        case XC_TNL_NEIGH:
        case XC_TUNNEL_HEADER:
        default:
            if (!xc_what) {
                xc_what = p2p_xc_what(entry->type, &xc_ofpact);
                if (entry->type == XC_NORMAL) {
                    *normal = true;
                }
            }
            break;
        }
    }

    if (error != XLATE_OK) {
        ds_put_format(&r->why, "the translation fails (%s)",
                      xlate_strerror(error));
        goto out;
    }
    if (xc_what) {
        p2p_explain_ofpact(r->rules, r->n_rules, xc_ofpact, xc_what,
                           &r->why);
        goto out;
    }

    /* The datapath actions. */
    NL_ATTR_FOR_EACH (a, left, odp_actions.data, odp_actions.size) {
        enum ovs_action_attr type = nl_attr_type(a);

        if (type == OVS_ACTION_ATTR_OUTPUT && !n_out++) {
            r->out = nl_attr_get_odp_port(a);
        } else if (!act.length) {
            p2p_explain_action(r->rules, r->n_rules, miss_table,
                               p2p_odp_what(type), &act);
        }
    }
    if (!n_out && !act.length) {
        p2p_explain_action(r->rules, r->n_rules, miss_table,
                           "drops the packets", &act);
    }

    /* The fields it examined.  A field that no rule matches is one that
     * an action examines (to modify it, to hash it): then the action is
     * the better explanation. */
    p2p_clear_allowed(&wc);
    if (!flow_wildcards_is_catchall(&wc)) {
        struct ds fld = DS_EMPTY_INITIALIZER;
        bool by_rule = false;

        for (i = 0; i < MFF_N_IDS; i++) {
            const struct mf_field *mf = mf_from_id(i);

            if (!mf_is_all_wild(mf, &wc)) {
                by_rule = p2p_explain_field(r->rules, r->n_rules, tables,
                                            &ofproto->up, mf, in_port,
                                            &fld);
                break;
            }
        }
        if (i >= MFF_N_IDS) {
            ds_put_cstr(&fld, "the pipeline examines packet fields");
        }
        ds_put_cstr(&r->why, ds_cstr(by_rule || !act.length ? &fld : &act));
        ds_destroy(&fld);
        goto out;
    } else if (act.length) {
        ds_put_cstr(&r->why, ds_cstr(&act));
        goto out;
    } else if (xout.slow) {
        ds_put_format(&r->why, "the packets need the slow path (%s)",
                      slow_path_reason_to_explanation(xout.slow));
        goto out;
    } else if (xout.avoid_caching) {
        ds_put_cstr(&r->why, "the translation cannot be cached");
        goto out;
    }
    r->ok = true;

out:
    ds_destroy(&act);
    xlate_out_uninit(&xout);
    ofpbuf_uninit(&odp_actions);
}

static void
p2p_class_result_destroy(struct p2p_class_result *r)
{
    if (r->xcache) {
        xlate_cache_delete(r->xcache);
    }
    free(r->rules);
    ds_destroy(&r->why);
}

/* Returns the OpenFlow port of 'ofproto' whose datapath port is 'odp', or
 * OFPP_NONE, and in '*other' (if the port is on another bridge, reached
 * through a patch port) the name of that bridge. */
static ofp_port_t
p2p_odp_to_ofp(struct ofproto_dpif *ofproto, odp_port_t odp,
               const char **other)
{
    char namebuf[NETDEV_VPORT_NAME_BUFSIZE];
    struct dpif_port dpif_port;
    struct ofport *ofport;
    const char *name;

    *other = NULL;
    if (dpif_port_query_by_number(ofproto->backer->dpif, odp, &dpif_port)) {
        return OFPP_NONE;
    }
    HMAP_FOR_EACH (ofport, hmap_node, &ofproto->up.ports) {
        name = netdev_vport_get_dpif_port(ofport->netdev, namebuf,
                                          sizeof namebuf);
        if (!strcmp(name, dpif_port.name)) {
            ofp_port_t ofp = ofport->ofp_port;

            dpif_port_destroy(&dpif_port);
            return ofp;
        }
    }
    *other = "another bridge";
    dpif_port_destroy(&dpif_port);
    return OFPP_NONE;
}

bool
p2p_probe_supported(const struct ofproto *ofproto)
{
    return ofproto->ofproto_class == &ofproto_dpif_class;
}

/* Probes every class of packets entering 'in_port' of 'ofproto_'.
 * 'dl_types' are the ethertypes that rules match, in addition to those
 * OVS always probes.  Stops at the first class that fails unless
 * 'classes' is nonnull, in which case it translates every class and
 * appends one line per class to 'classes'.  'alive' says whether the
 * bridge still exists, for the path's users. */
void
p2p_probe_run(struct ofproto *ofproto_, ofp_port_t in_port,
              const uint16_t *dl_types, size_t n_dl_types,
              struct p2p_alive *alive, struct ds *classes,
              struct p2p_probe *p)
{
    struct ofproto_dpif *ofproto = CONTAINER_OF(ofproto_, struct ofproto_dpif,
                                                up);
    struct p2p_class_result first;
    uint16_t *types;
    size_t n_types = 0;
    bool have_first = false;
    int shape;
    size_t i, j;

    COVERAGE_INC(p2p_probe);
    memset(p, 0, sizeof *p);
    p->out = OFPP_NONE;
    memset(&first, 0, sizeof first);

    /* The ethertypes: OVS's special ones, then the rules' own. */
    types = xmalloc((ARRAY_SIZE(special_dl_types) + n_dl_types)
                    * sizeof *types);
    for (i = 0; i < ARRAY_SIZE(special_dl_types) + n_dl_types; i++) {
        uint16_t t = (i < ARRAY_SIZE(special_dl_types)
                      ? special_dl_types[i]
                      : dl_types[i - ARRAY_SIZE(special_dl_types)]);

        for (j = 0; j < n_types; j++) {
            if (types[j] == t) {
                break;
            }
        }
        if (j == n_types) {
            types[n_types++] = t;
        }
    }

    for (shape = 0; shape < P2P_N_SHAPES; shape++) {
        for (i = 0; i < n_types; i++) {
            int n_frags = dl_type_is_ip(types[i]) ? 3 : 1;
            int frag;

            for (frag = 0; frag < n_frags; frag++) {
                struct p2p_class c = { shape, types[i], frag };
                struct p2p_class_result r;
                struct ds why = DS_EMPTY_INITIALIZER;

                p->n_classes++;
                p2p_probe_class(ofproto, in_port, &c, p->tables,
                                &p->groups, &p->normal, &r);
                if (r.ok) {
                    const char *other;
                    ofp_port_t out = p2p_odp_to_ofp(ofproto, r.out, &other);

                    if (out == OFPP_NONE) {
                        ds_put_cstr(&why, (other
                                           ? "the packets leave through a "
                                             "patch port to another bridge "
                                             "(lanes do not cross bridges)"
                                           : "the packets leave on a "
                                             "datapath port of no bridge"));
                    } else if (out == OFPP_LOCAL) {
                        ds_put_cstr(&why, "the packets go to the bridge's "
                                    "local port, which is never bypassed");
                    } else if (out == in_port) {
                        ds_put_cstr(&why, "the packets go back out of "
                                    "their own in_port");
                    } else if (have_first && out != p->out) {
                        ds_put_format(&why, "packets of different kinds "
                                      "leave on different ports");
                    } else if (have_first
                               && (r.n_rules != first.n_rules
                                   || memcmp(r.rules, first.rules,
                                             r.n_rules * sizeof *r.rules))) {
                        ds_put_cstr(&why, "packets of different kinds take "
                                    "different rules, whose counters the "
                                    "lane could not keep apart");
                    } else {
                        p->out = out;
                    }
                } else {
                    ds_put_cstr(&why, ds_cstr(&r.why));
                }

                if (classes) {
                    ds_put_cstr(classes, "  ");
                    p2p_class_format(&c, classes);
                    if (why.length) {
                        ds_put_format(classes, ": %s\n", ds_cstr(&why));
                    } else {
                        ds_put_format(classes, ": output %"PRIu32" via "
                                      "%"PRIuSIZE" rules\n",
                                      odp_to_u32(r.out), r.n_rules);
                    }
                }
                if (why.length) {
                    if (!p->why) {
                        struct ds s = DS_EMPTY_INITIALIZER;

                        ds_put_format(&s, "%s, for ", ds_cstr(&why));
                        p2p_class_format(&c, &s);
                        ds_put_cstr(&s, " packets");
                        p->why = ds_steal_cstr(&s);
                    }
                    p2p_class_result_destroy(&r);
                    ds_destroy(&why);
                    if (!classes) {
                        goto done;
                    }
                    continue;
                }
                ds_destroy(&why);
                if (!have_first) {
                    first = r;
                    have_first = true;
                } else {
                    p2p_class_result_destroy(&r);
                }
            }
        }
    }

done:
    if (!p->why && have_first) {
        p->ok = true;
        p->path = p2p_path_create_xcache(first.xcache, first.rules,
                                         first.n_rules, alive);
        first.xcache = NULL;
        first.rules = NULL;
    } else {
        p->out = OFPP_NONE;
        if (!p->why) {
            p->why = xstrdup("nothing to probe");
        }
    }
    if (have_first) {
        p2p_class_result_destroy(&first);
    }
    free(types);
}

void
p2p_probe_destroy(struct p2p_probe *p)
{
    if (p) {
        p2p_path_unref(p->path);
        p->path = NULL;
        free(p->why);
        p->why = NULL;
    }
}
