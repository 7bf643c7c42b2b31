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

#include "p2p/ofproto/p2p-detector-private.h"

#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "hash.h"
#include "netdev.h"
#include "ofproto/ofproto-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-port.h"
#include "ovs-thread.h"
#include "svec.h"
#include "unixctl.h"
#include "util.h"

/* The detector's reporting: formatting of verdicts and reasons, and the
 * p2p/show, p2p/check and p2p/events commands. */

/* Formatting. */

static void
p2p_format_port(const struct p2p_bridge *br, ofp_port_t port_no,
                struct ds *s)
{
    const struct p2p_port *port = p2p_port_lookup(br, port_no);
    char buf[OFP_MAX_PORT_NAME_LEN];

    ofputil_port_to_string(port_no, NULL, buf, sizeof buf);
    if (port) {
        ds_put_format(s, "%s(%s)", port->name, buf);
    } else {
        ds_put_cstr(s, buf);
    }
}

static void
p2p_format_rule(const struct rule *rule, struct ds *s)
{
    struct ds match = DS_EMPTY_INITIALIZER;

    minimatch_format(&rule->cr.match, NULL, NULL, &match,
                     OFP_DEFAULT_PRIORITY);
    ds_put_format(s, "rule \"priority=%d%s%s\" (table 0%s)",
                  rule->cr.priority, match.length ? "," : "",
                  ds_cstr(&match),
                  rule->cr.priority > UINT16_MAX ? ", hidden" : "");
    ds_destroy(&match);
}

/* What a reason's message names: P2P_ARG_x for x in P2P_REASONS. */
enum p2p_reason_arg {
    P2P_ARG_NONE,
    P2P_ARG_IN,
    P2P_ARG_IN_NO,
    P2P_ARG_OUT,
    P2P_ARG_BRIDGE,
    P2P_ARG_RULE,
    P2P_ARG_RULE2,
    P2P_ARG_ACTIONS,
    P2P_ARG_RULE_OUT,
    P2P_ARG_RULE_OUT_NO,
    P2P_ARG_DETAIL,
};

struct p2p_reason_message {
    const char *format;         /* With one "%s" per argument. */
    enum p2p_reason_arg args[2];
};

static const struct p2p_reason_message reason_messages[] = {
    [P2P_R_NONE] = { "", { P2P_ARG_NONE, P2P_ARG_NONE } },
#define P2P_REASON(NAME, ARG1, ARG2, FORMAT)                            \
    [P2P_R_##NAME] = { FORMAT, { P2P_ARG_##ARG1, P2P_ARG_##ARG2 } },
    P2P_REASONS
#undef P2P_REASON
};

/* Checks that every message has one "%s" per argument and no other
 * conversion. */
static void
p2p_check_reason_messages(void)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(reason_messages); i++) {
        const struct p2p_reason_message *m = &reason_messages[i];
        const char *p = m->format;
        size_t n = 0;

        while ((p = strchr(p, '%')) != NULL) {
            ovs_assert(p[1] == 's');
            ovs_assert(n < ARRAY_SIZE(m->args));
            ovs_assert(m->args[n] != P2P_ARG_NONE);
            n++;
            p += 2;
        }
        ovs_assert(n == ARRAY_SIZE(m->args) || m->args[n] == P2P_ARG_NONE);
    }
}

/* Appends to 's' what 'arg' names in the message on 'res' for 'port'. */
static void
p2p_format_reason_arg(const struct p2p_bridge *br,
                      const struct p2p_port *port,
                      const struct p2p_result *res, enum p2p_reason_arg arg,
                      struct ds *s)
{
    switch (arg) {
    case P2P_ARG_NONE:
        break;
    case P2P_ARG_IN:
        ds_put_cstr(s, port->name);
        break;
    case P2P_ARG_IN_NO:
        ds_put_format(s, "%"PRIu16, ofp_to_u16(port->port));
        break;
    case P2P_ARG_OUT: {
        const struct p2p_port *peer = p2p_port_lookup(br, res->out);

        ds_put_cstr(s, peer ? peer->name : "?");
        break;
    }
    case P2P_ARG_BRIDGE:
        ds_put_cstr(s, br->name);
        break;
    case P2P_ARG_RULE:
        p2p_format_rule(res->rule, s);
        break;
    case P2P_ARG_RULE2:
        p2p_format_rule(res->rule2, s);
        break;
    case P2P_ARG_ACTIONS: {
        const struct rule_actions *a = rule_get_actions(res->rule);
        struct ofpact_format_params fp = { .s = s };

        ofpacts_format(a->ofpacts, a->ofpacts_len, &fp);
        break;
    }
    case P2P_ARG_RULE_OUT:
        ofputil_format_port(res->rule_out, NULL, s);
        break;
    case P2P_ARG_RULE_OUT_NO:
        ds_put_format(s, "%"PRIu16, ofp_to_u16(res->rule_out));
        break;
    case P2P_ARG_DETAIL:
        ds_put_cstr(s, res->detail);
        break;
    }
}

/* Appends to 's' the message of 'res''s reason for 'port'. */
static void
p2p_format_reason(const struct p2p_bridge *br, const struct p2p_port *port,
                  const struct p2p_result *res, struct ds *s)
{
    const struct p2p_reason_message *m = &reason_messages[res->reason];
    const char *p = m->format;
    const char *conv;
    size_t i;

    for (i = 0; (conv = strchr(p, '%')) != NULL; i++) {
        ds_put_buffer(s, p, conv - p);
        p2p_format_reason_arg(br, port, res, m->args[i], s);
        p = conv + 2;
    }
    ds_put_cstr(s, p);
}

/* Formats 'res' for 'port' as one line of p2p/show, without indentation or
 * new-line. */
void
p2p_format_result(const struct p2p_bridge *br, const struct p2p_port *port,
                  const struct p2p_result *res, struct ds *s)
    OVS_REQUIRES(p2p_mutex)
{
    p2p_describer_func *describer = p2p_get_describer();

    p2p_format_port(br, port->port, s);
    if (res->out != OFPP_NONE) {
        ds_put_cstr(s, " -> ");
        p2p_format_port(br, res->out, s);
    }
    if (res->verdict == P2P_ELIGIBLE && !res->missing && describer) {
        ds_put_cstr(s, ": ");
        describer(br->ofproto, port->port, res->out, s);
        return;
    }
    ds_put_format(s, ": %s", p2p_verdict_to_string(res->verdict));
    if (res->verdict == P2P_ELIGIBLE) {
        if (res->missing) {
            ds_put_format(s, " (%s%s%s)",
                          (res->missing & P2P_MISSING_IN_LANE
                           ? "port is not dpdkr" : ""),
                          (res->missing == (P2P_MISSING_IN_LANE
                                            | P2P_MISSING_OUT_LANE)
                           ? ", " : ""),
                          (res->missing & P2P_MISSING_OUT_LANE
                           ? "peer is not dpdkr" : ""));
        }
    } else {
        ds_put_cstr(s, ": ");
        p2p_format_reason(br, port, res, s);
    }
    if (describer) {
        describer(br->ofproto, port->port, OFPP_NONE, s);
    }
}

/* Ports and bridges in the order of the output. */

static int
p2p_port_compare(const void *a_, const void *b_)
{
    const struct p2p_port *const *a = a_;
    const struct p2p_port *const *b = b_;
    uint16_t pa = ofp_to_u16((*a)->port), pb = ofp_to_u16((*b)->port);

    return pa < pb ? -1 : pa > pb;
}

/* Returns 'br''s ports, sorted by port number, in a new array of
 * '*n' elements that the caller must free. */
static struct p2p_port **
p2p_sorted_ports(const struct p2p_bridge *br, size_t *n)
{
    struct p2p_port **ports = xmalloc((hmap_count(&br->ports) + 1)
                                      * sizeof *ports);
    struct p2p_port *port;

    *n = 0;
    HMAP_FOR_EACH (port, node, &br->ports) {
        ports[(*n)++] = port;
    }
    qsort(ports, *n, sizeof *ports, p2p_port_compare);
    return ports;
}

static int
p2p_bridge_compare(const void *a_, const void *b_)
{
    const struct p2p_bridge *const *a = a_;
    const struct p2p_bridge *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

/* Returns the bridges named 'name' (all if 'name' is NULL), sorted by
 * name, in a new array of '*n' elements that the caller must free. */
static struct p2p_bridge **
p2p_sorted_bridges(const char *name, size_t *n)
    OVS_REQUIRES(p2p_mutex)
{
    struct hmap *bridges = p2p_get_bridges();
    struct p2p_bridge **brs = xmalloc((hmap_count(bridges) + 1)
                                      * sizeof *brs);
    struct p2p_bridge *br;

    *n = 0;
    HMAP_FOR_EACH (br, node, bridges) {
        if (!name || !strcmp(name, br->name)) {
            brs[(*n)++] = br;
        }
    }
    qsort(brs, *n, sizeof *brs, p2p_bridge_compare);
    return brs;
}

/* Commands. */

static void
p2p_unixctl_show(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *aux)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct p2p_bridge **brs;
    size_t n_brs, i;

    ovs_mutex_lock(&p2p_mutex);
    if (!aux && p2p_any_pending()) {
        /* Answer once the pipelines are probed. */
        p2p_defer_reply(conn, argc, argv, p2p_unixctl_show);
        ovs_mutex_unlock(&p2p_mutex);
        return;
    }
    brs = p2p_sorted_bridges(argc > 1 ? argv[1] : NULL, &n_brs);
    for (i = 0; i < n_brs; i++) {
        struct p2p_port **ports;
        size_t n_ports, j;

        ds_put_format(&s, "%s:\n", brs[i]->name);
        ports = p2p_sorted_ports(brs[i], &n_ports);
        for (j = 0; j < n_ports; j++) {
            struct p2p_result res;

            p2p_evaluate(brs[i], ports[j], &res);
            ds_put_cstr(&s, "  ");
            p2p_format_result(brs[i], ports[j], &res, &s);
            ds_put_char(&s, '\n');
        }
        free(ports);
    }
    ovs_mutex_unlock(&p2p_mutex);

    if (argc > 1 && !n_brs) {
        unixctl_command_reply_error(conn, "no such bridge");
    } else {
        unixctl_command_reply(conn, ds_cstr(&s));
    }
    free(brs);
    ds_destroy(&s);
}

static bool
p2p_result_equal(const struct p2p_result *a, const struct p2p_result *b)
{
    return (a->verdict == b->verdict && a->reason == b->reason
            && a->out == b->out && a->missing == b->missing
            && a->needs_probe == b->needs_probe
            && !strcmp(a->detail ? a->detail : "",
                       b->detail ? b->detail : "")
            && (a->verdict != P2P_ELIGIBLE
                || (a->path
                    ? p2p_path_equal(a->path, b->path)
                    : !b->path && a->path_rule == b->path_rule)));
}

/* Fresh probes of every port, for p2p/check. */
struct p2p_fresh {
    const struct ofproto *ofproto;
    ofp_port_t port;
    struct p2p_probe probe;
};

static const struct p2p_probe *
p2p_fresh_find(const struct p2p_fresh *fresh, size_t n,
               const struct ofproto *ofproto, ofp_port_t port)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (fresh[i].ofproto == ofproto && fresh[i].port == port) {
            return &fresh[i].probe;
        }
    }
    return NULL;
}

/* Checks 'br''s index, port cache and verdicts against the flow table and
 * the ofproto's ports, appending any mismatch to 's'. */
static void
p2p_check_bridge(struct p2p_bridge *br, const struct p2p_fresh *fresh,
                 size_t n_fresh, struct ds *s)
    OVS_REQUIRES(ofproto_mutex) OVS_REQUIRES(p2p_mutex)
{
    struct ofproto *ofproto = br->ofproto;
    struct p2p_port **ports;
    struct ofport *ofport;
    size_t n_rules = 0;
    size_t n_ports, i;
    struct rule *rule;

    /* Work left over from a commit means a missing commit hook. */
    if (p2p_is_dirty(br)) {
        ds_put_format(s, "%s: changes not re-examined since the last "
                      "commit\n", br->name);
    }

    /* Index. */
    if (br->active) {
        CLS_FOR_EACH_TARGET (rule, cr, &ofproto->tables[0].cls, NULL,
                             ofproto->tables_version) {
            struct p2p_rule *r = p2p_rule_lookup(br, rule);

            n_rules++;
            if (!r) {
                ds_put_format(s, "%s: rule not indexed: ", br->name);
                p2p_format_rule(rule, s);
                ds_put_char(s, '\n');
            } else if (r->in_port != p2p_rule_in_port(rule)) {
                ds_put_format(s, "%s: wrong in_port for ", br->name);
                p2p_format_rule(rule, s);
                ds_put_char(s, '\n');
            }
        }
        if (n_rules != hmap_count(&br->rules)) {
            ds_put_format(s, "%s: %"PRIuSIZE" rules in table 0, %"PRIuSIZE
                          " indexed\n", br->name, n_rules,
                          hmap_count(&br->rules));
        }
    } else if (hmap_count(&br->rules)) {
        ds_put_format(s, "%s: inactive but %"PRIuSIZE" rules indexed\n",
                      br->name, hmap_count(&br->rules));
    }

    /* Ports. */
    HMAP_FOR_EACH (ofport, hmap_node, &ofproto->ports) {
        struct p2p_port *port = p2p_port_lookup(br, ofport->ofp_port);

        if (!port) {
            ds_put_format(s, "%s: port %s missing\n", br->name,
                          netdev_get_name(ofport->netdev));
        } else if (strcmp(port->name, netdev_get_name(ofport->netdev))
                   || port->config != ofport->pp.config) {
            ds_put_format(s, "%s: port %s out of date\n", br->name,
                          port->name);
        }
    }
    if (hmap_count(&ofproto->ports) != hmap_count(&br->ports)) {
        ds_put_format(s, "%s: %"PRIuSIZE" ports, %"PRIuSIZE" known\n",
                      br->name, hmap_count(&ofproto->ports),
                      hmap_count(&br->ports));
    }

    /* Verdicts. */
    ports = p2p_sorted_ports(br, &n_ports);
    for (i = 0; i < n_ports; i++) {
        struct p2p_port *port = ports[i];
        struct p2p_result inc, full;

        p2p_evaluate(br, port, &inc);
        p2p_evaluate_from_scratch(br, port,
                                  p2p_fresh_find(fresh, n_fresh,
                                                 br->ofproto, port->port),
                                  &full);
        if (!p2p_result_equal(&inc, &full)) {
            ds_put_format(s, "%s: index says \"", br->name);
            p2p_format_result(br, port, &inc, s);
            ds_put_cstr(s, "\", table says \"");
            p2p_format_result(br, port, &full, s);
            ds_put_cstr(s, "\"\n");
        }
        if (port->verdict != full.verdict
            || port->out != (full.verdict == P2P_ELIGIBLE
                             ? full.out : OFPP_NONE)
            || port->missing != full.missing) {
            ds_put_format(s, "%s: stale verdict %s for ", br->name,
                          p2p_verdict_to_string(port->verdict));
            p2p_format_result(br, port, &full, s);
            ds_put_char(s, '\n');
        }
    }
    free(ports);
}

/* p2p/check [BRIDGE [PORT]]: probes every port afresh, recomputes every
 * verdict from scratch and compares with the detector's incremental state.
 * With PORT, replies with the probe's table of packet classes for PORT. */
static void
p2p_unixctl_check(struct unixctl_conn *conn, int argc, const char *argv[],
                  void *aux)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ds classes = DS_EMPTY_INITIALIZER;
    struct p2p_fresh *fresh = NULL;
    size_t n_fresh = 0;
    struct p2p_bridge **brs, *br;
    bool found_port = argc < 3;
    size_t n_brs, i, j;

    ovs_mutex_lock(&p2p_mutex);
    if (!aux && p2p_any_pending()) {
        p2p_defer_reply(conn, argc, argv, p2p_unixctl_check);
        ovs_mutex_unlock(&p2p_mutex);
        return;
    }

    /* Fresh probes, which must run without locks. */
    brs = p2p_sorted_bridges(argc > 1 ? argv[1] : NULL, &n_brs);
    for (i = 0; i < n_brs; i++) {
        struct p2p_port **ports;
        size_t n_ports;

        if (!p2p_probe_supported(brs[i]->ofproto)) {
            continue;
        }
        ports = p2p_sorted_ports(brs[i], &n_ports);
        fresh = xrealloc(fresh, (n_fresh + n_ports) * sizeof *fresh);
        for (j = 0; j < n_ports; j++) {
            fresh[n_fresh].ofproto = brs[i]->ofproto;
            fresh[n_fresh].port = ports[j]->port;
            n_fresh++;
        }
        free(ports);
    }
    ovs_mutex_unlock(&p2p_mutex);
    for (i = 0; i < n_fresh; i++) {
        struct ofproto *ofproto = CONST_CAST(struct ofproto *,
                                             fresh[i].ofproto);
        struct ofport *ofport = ofproto_get_port(ofproto, fresh[i].port);
        bool table = false;
        uint16_t *types;
        size_t n_types;

        if (argc > 2 && ofport) {
            char buf[OFP_MAX_PORT_NAME_LEN];

            ofputil_port_to_string(fresh[i].port, NULL, buf, sizeof buf);
            if (!strcmp(argv[2], netdev_get_name(ofport->netdev))
                || !strcmp(argv[2], buf)) {
                table = found_port = true;
                ds_put_format(&classes, "%s:\n",
                              netdev_get_name(ofport->netdev));
            }
        }
        ovs_mutex_lock(&p2p_mutex);
        types = NULL;
        n_types = 0;
        HMAP_FOR_EACH_WITH_HASH (br, node, hash_pointer(ofproto, 0),
                                 p2p_get_bridges()) {
            if (br->ofproto == ofproto) {
                types = p2p_bridge_dl_types(br, &n_types);
                break;
            }
        }
        ovs_mutex_unlock(&p2p_mutex);
        p2p_probe_run(ofproto, fresh[i].port, types, n_types,
                      table ? &classes : NULL, &fresh[i].probe);
        free(types);
    }
    free(brs);

    ovs_mutex_lock(&ofproto_mutex);
    ovs_mutex_lock(&p2p_mutex);
    brs = p2p_sorted_bridges(argc > 1 ? argv[1] : NULL, &n_brs);
    for (i = 0; i < n_brs; i++) {
        p2p_check_bridge(brs[i], fresh, n_fresh, &s);
    }
    ovs_mutex_unlock(&p2p_mutex);
    ovs_mutex_unlock(&ofproto_mutex);

    if (argc > 1 && !n_brs) {
        unixctl_command_reply_error(conn, "no such bridge");
    } else if (!found_port) {
        unixctl_command_reply_error(conn, "no such port");
    } else if (s.length) {
        unixctl_command_reply_error(conn, ds_cstr(&s));
    } else {
        unixctl_command_reply(conn, classes.length ? ds_cstr(&classes)
                              : NULL);
    }
    for (i = 0; i < n_fresh; i++) {
        p2p_probe_destroy(&fresh[i].probe);
    }
    free(fresh);
    free(brs);
    ds_destroy(&s);
    ds_destroy(&classes);
}

/* The events recorded for p2p/events, by a listener registered like any
 * other, so that tests see exactly what listeners see. */
#define P2P_MAX_EVENTS 1000
static struct svec events OVS_GUARDED_BY(p2p_mutex)
    = SVEC_EMPTY_INITIALIZER;

static void
p2p_record_event(struct ofproto *ofproto, ofp_port_t in_port,
                 ofp_port_t out_port, enum p2p_verdict verdict,
                 unsigned int missing, void *aux OVS_UNUSED)
{
    /* Listeners run with 'p2p_mutex' held. */
    char *event = xasprintf("%s: %"PRIu16" -> %"PRIu16" %s missing=%#x",
                            ofproto->name, ofp_to_u16(in_port),
                            ofp_to_u16(out_port),
                            p2p_verdict_to_string(verdict), missing);

    if (events.n >= P2P_MAX_EVENTS) {
        free(events.names[0]);
        memmove(&events.names[0], &events.names[1],
                (events.n - 1) * sizeof *events.names);
        events.n--;
    }
    svec_add_nocopy(&events, event);
}

static void
p2p_unixctl_events(struct unixctl_conn *conn, int argc,
                   const char *argv[], void *aux)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    size_t i;

    ovs_mutex_lock(&p2p_mutex);
    if (!aux && p2p_any_pending()) {
        p2p_defer_reply(conn, argc, argv, p2p_unixctl_events);
        ovs_mutex_unlock(&p2p_mutex);
        ds_destroy(&s);
        return;
    }
    for (i = 0; i < events.n; i++) {
        ds_put_format(&s, "%s\n", events.names[i]);
    }
    svec_clear(&events);
    ovs_mutex_unlock(&p2p_mutex);

    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* Registers p2p/show, p2p/check and p2p/events, and the events recorder
 * as a listener.  Called once, by the detector's initialization. */
void
p2p_report_init(void)
{
    p2p_check_reason_messages();
    unixctl_command_register("p2p/show", "[BRIDGE]", 0, 1,
                             p2p_unixctl_show, NULL);
    unixctl_command_register("p2p/check", "[BRIDGE [PORT]]", 0, 2,
                             p2p_unixctl_check, NULL);
    unixctl_command_register("p2p/events", "", 0, 0,
                             p2p_unixctl_events, NULL);
    p2p_detector_register_listener(p2p_record_event, NULL);
}
