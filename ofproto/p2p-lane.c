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

/* The lane manager's policy: when a direction goes direct and back, step
 * by step, with a deadline for every step.  How a lane is made and how an
 * application is asked and answers is the netdev layer's business
 * (p2p/lib/netdev-dpdkr.h). */

#include <config.h>

#include "p2p/ofproto/p2p-lane.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "p2p/lib/netdev-dpdkr.h"
#include "p2p/ofproto/p2p-detector.h"

#include "coverage.h"
#include "hash.h"
#include "netdev.h"
#include "ofproto/ofproto-dpif.h"
#include "ofproto/ofproto-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "packets.h"
#include "seq.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(p2p_lane);

COVERAGE_DEFINE(p2p_lane_direct);
COVERAGE_DEFINE(p2p_lane_forced_revert);
COVERAGE_DEFINE(p2p_lane_silent_sender);

/* How long the manager waits for an application or for OVS's own data path
 * at each step of a hand-over before it takes the direction back to the
 * switched path on its own. */
#define P2P_LANE_TIMEOUT_MS 1000

/* How much longer to wait for an application that does not answer but is
 * inside a burst: a transmit burst may still send into the lane, a receive
 * burst may still read the lane and then its port ring. */
#define P2P_LANE_STUCK_MS 9000

/* How long the manager waits for an agent to plug a lane into the virtual
 * machines of its ends: QEMU's hot-plug takes well under a second with
 * KVM, seconds under emulation (TCG). */
#define P2P_LANE_PLUG_TIMEOUT_MS 30000

/* How much longer an application in a virtual machine may take to answer
 * a request to use a lane: its driver first looks for the new device, from
 * an alarm, among its PCI devices. */
#define P2P_LANE_GUEST_MS 4000

/* After a hand-over failed because of an application (it refused the lane,
 * gave an impossible answer, did not answer, sent nothing), the direction
 * waits before it tries again, twice as long after every failure, from
 * P2P_LANE_BACKOFF_MIN_MS to P2P_LANE_BACKOFF_MAX_MS, until a hand-over
 * completes cleanly. */
#define P2P_LANE_BACKOFF_MIN_MS 1000
#define P2P_LANE_BACKOFF_MAX_MS 64000

/* How often counters of direct lanes are credited to OVS's statistics. */
#define P2P_LANE_CREDIT_MS 100

/* How the main thread waits for a step in progress: a running application
 * answers within microseconds, and OVS's PMD drains a ring as fast, so it
 * checks again at once for P2P_LANE_SPIN_MS, then every
 * P2P_LANE_FAST_POLL_MS until P2P_LANE_FAST_MS, then every
 * P2P_LANE_SLOW_POLL_MS until the step's deadline. */
#define P2P_LANE_SPIN_MS 10
#define P2P_LANE_FAST_POLL_MS 1
#define P2P_LANE_FAST_MS 100
#define P2P_LANE_SLOW_POLL_MS 10

/* While a step is in its first P2P_LANE_SPIN_MS, p2p_lane_run() drives it
 * for at most P2P_LANE_STEP_US at a time, checking every
 * P2P_LANE_STEP_POLL_US and sleeping in between. */
#define P2P_LANE_STEP_US 2000
#define P2P_LANE_STEP_POLL_US 20

/* Ring of a lane that carries lo->hi (the other carries hi->lo). */
#define P2P_LANE_RING_LO_HI 0

/* Log lines that an application's misbehaviour can cause. */
static struct vlog_rate_limit peer_rl = VLOG_RATE_LIMIT_INIT(10, 10);

/* A lane, shared by the directions A->B and B->A of a port pair. */
struct p2p_lane {
    struct hmap_node node;      /* In 'lanes'. */
    char *bridge;
    ofp_port_t lo, hi;          /* Ports, lo < hi. */
    struct netdev_dpdkr_lane *lane;
    int users;                  /* Directions that use it. */
};

/* States of a direction, and what moves it on.  Every state but IDLE and
 * DIRECT has a deadline (P2P_LANE_TIMEOUT_MS, longer while an application
 * is inside a burst, at most P2P_LANE_STUCK_MS more; P2P_LANE_PLUG_TIMEOUT_MS
 * for PLUG, and P2P_LANE_GUEST_MS more for ASK_TX after a plug into a
 * virtual machine).  "Revert" is
 * dir_start_revert(), "force" dir_force_revert(), "finish" dir_finish();
 * failures marked (b) make the direction back off before it tries again.
 *
 *   IDLE          wanted, lane open                              PLUG
 *                 cannot open the lane (b)                       IDLE
 *   PLUG          the lane reaches A and B (at once for
 *                 processes on the host), DIRECT asked of A      ASK_TX
 *                 the agent cannot plug it into a VM, or does
 *                 not in P2P_LANE_PLUG_TIMEOUT_MS (b)            finish
 *                 no longer wanted                               finish
 *   ASK_TX        A answers DIRECT                               DRAIN
 *                 A refuses (b)                                  finish
 *                 A's answer is impossible (b)                   force
 *                 no answer, A outside a transmit burst: it
 *                 sends nothing (b, waits for its traffic)       revert
 *                 no answer, A stuck inside a burst (b)          revert
 *                 no longer wanted                               revert
 *   DRAIN         OVS processed A's old path, B asked DIRECT     ASK_RX
 *                 deadline, or B cannot be asked                 revert
 *   ASK_RX        B answers DIRECT                               DIRECT
 *                 B refuses (b)                                  revert
 *                 no longer wanted                               revert
 *   DIRECT        no longer wanted                               revert
 *   REVERT_TX     A answers SWITCHED, OVS must drain             REVERT_DRAIN
 *                 A answers SWITCHED, nothing to drain           REVERT_RX
 *                 A's answer is impossible, A gone, silent
 *                 outside a burst, or stuck (b but for gone)     force
 *   REVERT_DRAIN  OVS processed what A sent to it                REVERT_RX
 *                 A gone, deadline                               force
 *   REVERT_RX     B answers, B gone, B silent outside a receive
 *                 burst or stuck                                 finish
 *
 * REVERT_RX is skipped (finish at once) when B was never asked to read the
 * lane and the lane holds nothing for it. */
enum p2p_dir_state {
    DIR_IDLE,                   /* Switched, nothing in progress. */
    DIR_PLUG,                   /* Waiting for the lane to reach A and B. */
    DIR_ASK_TX,                 /* Asked A to send into the lane. */
    DIR_DRAIN,                  /* A sends into the lane; OVS finishes the
                                 * old path before B is told. */
    DIR_ASK_RX,                 /* Asked B to read the lane. */
    DIR_DIRECT,                 /* B reads the lane. */
    DIR_REVERT_TX,              /* Asked A to send to OVS again. */
    DIR_REVERT_DRAIN,           /* OVS finishes what A sent before. */
    DIR_REVERT_RX,              /* Asked B to finish the lane. */
};

static const char *const dir_state_names[] = {
    [DIR_IDLE] = "switched",
    [DIR_PLUG] = "waiting for the agent to plug the lane into the virtual "
                 "machines",
    [DIR_ASK_TX] = "asking the input application to use the lane",
    [DIR_DRAIN] = "draining the switched path",
    [DIR_ASK_RX] = "asking the output application to read the lane",
    [DIR_DIRECT] = "direct",
    [DIR_REVERT_TX] = "asking the input application to leave the lane",
    [DIR_REVERT_DRAIN] = "draining before reverting",
    [DIR_REVERT_RX] = "asking the output application to finish the lane",
};

/* One direction A->B of a bridge. */
struct p2p_dir {
    struct hmap_node node;      /* In 'dirs', by bridge name and 'in'. */
    char *bridge;
    ofp_port_t in;              /* A. */
    ofp_port_t out;             /* B, while not idle. */
    ofp_port_t want_out;        /* Eligible peer, or OFPP_NONE. */
    bool forced;                /* p2p/force-switched. */

    enum p2p_dir_state state;
    long long int entered;      /* When it entered 'state'. */
    long long int deadline;     /* Of the current step. */
    long long int drained_at;   /* When OVS's receive path hit the limit. */
    uint32_t gen_tx, gen_rx;    /* Of our requests to A and to B. */
    long long int tx_asked_us;  /* When we last asked A (time_usec()). */
    uint32_t hold_limit;        /* A's C2S index where OVS stops. */
    bool holding;
    bool rx_asked;              /* B was asked to read the lane. */
    bool in_vm;                 /* An agent plugged the lane into A or B. */
    uint32_t lane_seq;          /* A's lane head when it left the lane. */
    struct p2p_lane *lane;
    int ring;                   /* Ring of 'lane' this direction uses. */
    char *note;                 /* Why not direct, for p2p/show. */

    /* Back-off after failures caused by an application. */
    const char *failed;         /* Why this session failed, or NULL. */
    char *fail_detail;          /* More about it, or NULL (for p2p/show). */
    bool silent;                /* ...because A sent nothing. */
    bool tx_moved;              /* A answered DIRECT in this session. */
    bool tx_unanswered;         /* A went direct without answering: it sent
                                 * nothing (see dir_run_ask_tx()). */
    bool yield;                 /* ...and another input port wants a lane
                                 * into B: make way. */
    const char *fail_note;      /* Why the last session failed. */
    long long int retry_after;
    int backoff_ms;             /* Next back-off, 0 after a success. */
    bool wait_traffic;          /* Until A sends something. */
    uint32_t traffic_mark;      /* A's port ring index when it began. */

    /* Counters of the current session, as last read from the lane, and
     * totals of all sessions, as credited. */
    struct netdev_dpdkr_lane_counters last;
    uint64_t tot_packets, tot_bytes, tot_drops;
    long long int since;        /* When it became direct (wall ms). */
    long long int next_credit;
    struct p2p_path *path;      /* The rules to credit, referenced. */
    struct netdev_dpdkr_lane_stats pend_in, pend_out; /* Not yet credited
                                                       * to A and B. */
    uint64_t n_direct;          /* Times it became direct. */
    long long int changed_us;   /* When the detector last changed its
                                 * verdict (time_usec()), or 0. */
    bool changed_logged;        /* That time is in the debug log. */
    bool adopted;               /* Taken over from the ovs-vswitchd that
                                 * ran before (lane_adopt_dir()). */
};

static struct ovs_mutex lane_mutex = OVS_MUTEX_INITIALIZER;
static struct hmap dirs OVS_GUARDED_BY(lane_mutex) = HMAP_INITIALIZER(&dirs);
static struct hmap lanes OVS_GUARDED_BY(lane_mutex)
    = HMAP_INITIALIZER(&lanes);
static int flush_interval_us OVS_GUARDED_BY(lane_mutex);

/* Ports whose regions were adopted from the ovs-vswitchd that ran before,
 * not yet taken over (see lane_adopt_bridge()). */
struct adopt_port {
    struct ovs_list node;       /* In 'adopt_pending'. */
    char *bridge;
    ofp_port_t port;
};
static struct ovs_list adopt_pending OVS_GUARDED_BY(lane_mutex)
    = OVS_LIST_INITIALIZER(&adopt_pending);
static struct seq *lane_seq_obj;
static uint64_t lane_seq_last;

static uint32_t
dir_hash(const char *bridge, ofp_port_t in)
{
    return hash_string(bridge, ofp_to_u16(in));
}

static struct p2p_dir *
dir_find(const char *bridge, ofp_port_t in)
    OVS_REQUIRES(lane_mutex)
{
    struct p2p_dir *d;

    HMAP_FOR_EACH_WITH_HASH (d, node, dir_hash(bridge, in), &dirs) {
        if (d->in == in && !strcmp(d->bridge, bridge)) {
            return d;
        }
    }
    return NULL;
}

static struct p2p_dir *
dir_get(const char *bridge, ofp_port_t in)
    OVS_REQUIRES(lane_mutex)
{
    struct p2p_dir *d = dir_find(bridge, in);

    if (!d) {
        d = xzalloc(sizeof *d);
        d->bridge = xstrdup(bridge);
        d->in = in;
        d->out = d->want_out = OFPP_NONE;
        hmap_insert(&dirs, &d->node, dir_hash(bridge, in));
    }
    return d;
}

static void
dir_set_note(struct p2p_dir *d, const char *note)
{
    if (!d->note || !note || strcmp(d->note, note)) {
        free(d->note);
        d->note = nullable_xstrdup(note);
    }
}

/* Ports. */

/* What the manager needs of a port, looked up afresh at every step: ports
 * and bridges come and go between main loop iterations.  'netdev' is NULL
 * if the port does not exist or cannot take part in a lane. */
struct p2p_lport {
    struct ofport *ofport;
    const struct netdev *netdev;
    bool running;               /* An application is attached, started. */
};

static bool
lport_get(struct ofproto *ofproto, ofp_port_t p, struct p2p_lport *lp)
{
    memset(lp, 0, sizeof *lp);
    lp->ofport = (ofproto && p != OFPP_NONE
                  ? ofproto_get_port(ofproto, p) : NULL);
    if (!lp->ofport || !netdev_dpdkr_lane_capable(lp->ofport->netdev)
        || netdev_dpdkr_client_running(lp->ofport->netdev, &lp->running)) {
        lp->netdev = NULL;
        lp->running = false;
        return false;
    }
    lp->netdev = lp->ofport->netdev;
    return true;
}

/* Lanes. */

static struct p2p_lane *
lane_find(const char *bridge, ofp_port_t lo, ofp_port_t hi)
    OVS_REQUIRES(lane_mutex)
{
    struct p2p_lane *l;

    HMAP_FOR_EACH_WITH_HASH (l, node, dir_hash(bridge, lo), &lanes) {
        if (l->lo == lo && l->hi == hi && !strcmp(l->bridge, bridge)) {
            return l;
        }
    }
    return NULL;
}

/* Returns the lane of ports 'a' and 'b', opening it if needed, or NULL
 * with a message in '*errp' (to free). */
static struct p2p_lane *
lane_get(const char *bridge, const struct p2p_lport *a,
         const struct p2p_lport *b, char **errp)
    OVS_REQUIRES(lane_mutex)
{
    const struct p2p_lport *lo = a, *hi = b;
    struct netdev_dpdkr_lane *nl;
    struct p2p_lane *l;

    if (a->ofport->ofp_port > b->ofport->ofp_port) {
        lo = b;
        hi = a;
    }
    l = lane_find(bridge, lo->ofport->ofp_port, hi->ofport->ofp_port);
    if (l) {
        return l;
    }
    nl = netdev_dpdkr_lane_open(lo->netdev, hi->netdev, errp);
    if (!nl) {
        return NULL;
    }
    l = xzalloc(sizeof *l);
    l->bridge = xstrdup(bridge);
    l->lo = lo->ofport->ofp_port;
    l->hi = hi->ofport->ofp_port;
    l->lane = nl;
    hmap_insert(&lanes, &l->node, dir_hash(bridge, l->lo));
    return l;
}

static void
lane_put(struct p2p_lane *l)
    OVS_REQUIRES(lane_mutex)
{
    if (l && !--l->users) {
        hmap_remove(&lanes, &l->node);
        netdev_dpdkr_lane_close(l->lane);
        free(l->bridge);
        free(l);
    }
}

static const char *
dir_lane_name(const struct p2p_dir *d)
{
    return d->lane ? netdev_dpdkr_lane_name(d->lane->lane) : "";
}

/* Counters. */

/* Credits what 'd''s lane carried since the last time to its path, and
 * notes it for A's and B's port statistics. */
static void
dir_credit(struct p2p_dir *d)
    OVS_REQUIRES(lane_mutex)
{
    struct netdev_dpdkr_lane_counters c;

    if (!d->lane) {
        return;
    }
    netdev_dpdkr_lane_read(d->lane->lane, d->ring, &d->last, &c);
    if (!c.packets && !c.drops) {
        return;
    }
    d->tot_packets += c.packets;
    d->tot_bytes += c.bytes;
    d->tot_drops += c.drops;

    /* Ports are credited from the main thread (dir_credit_ports()). */
    d->pend_in.rx_packets += c.packets + c.drops;
    d->pend_in.rx_bytes += c.bytes + c.drop_bytes;
    d->pend_out.tx_packets += c.packets;
    d->pend_out.tx_bytes += c.bytes;
    d->pend_out.tx_dropped += c.drops;
    p2p_path_credit(d->path, c.packets + c.drops, c.bytes + c.drop_bytes);
}

/* Credits to A's and B's port statistics what 'd''s lane carried.  Main
 * thread only. */
static void
dir_credit_ports(struct p2p_dir *d, struct ofproto *ofproto)
    OVS_REQUIRES(lane_mutex)
{
    static const struct netdev_dpdkr_lane_stats zero;
    struct ofport *a = ofproto ? ofproto_get_port(ofproto, d->in) : NULL;
    struct ofport *b = (ofproto && d->out != OFPP_NONE
                        ? ofproto_get_port(ofproto, d->out) : NULL);

    if (a && memcmp(&d->pend_in, &zero, sizeof zero)) {
        netdev_dpdkr_lane_credit(a->netdev, &d->pend_in);
    }
    if (b && memcmp(&d->pend_out, &zero, sizeof zero)) {
        netdev_dpdkr_lane_credit(b->netdev, &d->pend_out);
    }
    if (a && d->lane) {
        /* For the next ovs-vswitchd: where to credit from. */
        netdev_dpdkr_lane_set_mark(a->netdev,
                                   netdev_dpdkr_lane_epoch(d->lane->lane),
                                   &d->last);
    }
    d->pend_in = zero;
    d->pend_out = zero;
}

/* Hand-over steps. */

/* Asks the application on 'p' for 'req' (its lane and ring are 'd''s),
 * storing the request's generation in '*gen'. */
static bool
dir_request(struct p2p_dir *d, const struct p2p_lport *p,
            struct netdev_dpdkr_request req, uint32_t *gen)
    OVS_REQUIRES(lane_mutex)
{
    req.lane = d->lane ? d->lane->lane : NULL;
    req.ring = d->ring;
    if (req.side == NETDEV_DPDKR_TX) {
        d->tx_asked_us = time_usec();
    }
    return p->netdev && !netdev_dpdkr_request(p->netdev, &req, gen);
}

/* Asks A to send to OVS again. */
static bool
dir_request_tx_switched(struct p2p_dir *d, const struct p2p_lport *a)
    OVS_REQUIRES(lane_mutex)
{
    struct netdev_dpdkr_request req = {
        .side = NETDEV_DPDKR_TX,
        .path = NETDEV_DPDKR_SWITCHED,
    };

    if (!dir_request(d, a, req, &d->gen_tx)) {
        d->gen_tx = 0;
        return false;
    }
    return true;
}

/* Returns true once OVS has received, and processed, everything A sent
 * before it left the switched path (up to 'hold_limit'), allowing for
 * packets waiting in OVS's output batches. */
static bool
dir_drained(struct p2p_dir *d, const struct p2p_lport *a)
    OVS_REQUIRES(lane_mutex)
{
    long long int now = time_msec();

    if (!a->netdev) {
        return true;
    }
    if (!netdev_dpdkr_rx_at_limit(a->netdev)) {
        return false;
    }
    if (!d->drained_at) {
        d->drained_at = now;
    }
    return now >= d->drained_at + DIV_ROUND_UP(flush_interval_us, 1000);
}

static void
dir_hold(struct p2p_dir *d, const struct p2p_lport *a, bool hold,
         uint32_t limit)
    OVS_REQUIRES(lane_mutex)
{
    d->holding = hold;
    d->hold_limit = limit;
    d->drained_at = 0;
    if (a->netdev) {
        netdev_dpdkr_rx_hold(a->netdev, hold, limit);
    }
}

static void
dir_bypass(const struct p2p_lport *a, bool bypassed)
{
    if (a->netdev) {
        netdev_dpdkr_set_rx_bypassed(a->netdev, bypassed);
    }
}

/* Returns, for a log line about a hand-over of 'd', how long ago the
 * detector changed its verdict on 'd' (the rules changed), if that is what
 * started the hand-over, or "" (to free either way). */
static char *
dir_format_since(const struct p2p_dir *d)
{
    long long int us = d->changed_us ? time_usec() - d->changed_us : -1;

    return (us >= 0 && us < 60LL * 1000 * 1000
            ? xasprintf(", %lld.%03lld ms after the rules changed",
                        us / 1000, us % 1000)
            : xstrdup(""));
}

/* Logs at debug level that the input application of 'd' answered
 * 'what' ('ans'), and when after the rules changed if they started the
 * hand-over: when OVS saw the answer and, if the application's own time
 * of the switch (ABI 1.6) lies between OVS's request and now, that too.
 * A time outside those bounds (a virtual machine's clock, an old driver's
 * zero, a lie) is left out. */
static void
dir_log_answer(const struct p2p_dir *d, const char *what,
               const struct netdev_dpdkr_answer *ans)
{
    if (VLOG_IS_DBG_ENABLED()) {
        long long int sw = ans->switched_us;
        char *since = dir_format_since(d);
        char *own = NULL;

        if (d->changed_us && d->tx_asked_us
            && sw >= MAX(d->tx_asked_us, d->changed_us)
            && sw <= time_usec()) {
            sw -= d->changed_us;
            own = xasprintf("; it switched %lld.%03lld ms after the rules "
                            "changed", sw / 1000, sw % 1000);
        }
        VLOG_DBG("%s: port %"PRIu16" -> %"PRIu16": the input application "
                 "%s%s%s", d->bridge, ofp_to_u16(d->in), ofp_to_u16(d->out),
                 what, since, own ? own : "");
        free(own);
        free(since);
    }
}

static void
dir_enter(struct p2p_dir *d, enum p2p_dir_state state)
{
    if (d->changed_us && VLOG_IS_DBG_ENABLED()) {
        /* Where a hand-over that the rules started spends its time: each
         * step, and when it began (ovs-p2p-bench-lanes adds them up). */
        long long int us = time_usec() - d->changed_us;

        if (!d->changed_logged) {
            /* On the clock of time_usec() (CLOCK_MONOTONIC), for whoever
             * changed the rules to time the hand-over from its side. */
            VLOG_DBG("%s: port %"PRIu16": the rules changed at "
                     "%lld.%06lld s (monotonic clock)", d->bridge,
                     ofp_to_u16(d->in), d->changed_us / 1000000,
                     d->changed_us % 1000000);
            d->changed_logged = true;
        }

        VLOG_DBG("%s: port %"PRIu16" -> %"PRIu16": step: %s, %lld.%03lld ms "
                 "after the rules changed", d->bridge, ofp_to_u16(d->in),
                 ofp_to_u16(d->out), dir_state_names[state], us / 1000,
                 us % 1000);
    }
    d->state = state;
    d->entered = time_msec();
    d->deadline = d->entered + P2P_LANE_TIMEOUT_MS;
}

/* Notes that this session fails because of an application, for reason
 * 'why' (a constant string): the direction backs off before it tries
 * again. */
static void
dir_fail(struct p2p_dir *d, const char *why)
{
    if (!d->failed) {
        d->failed = why;
    }
}

/* Ends a session: the direction backs off if it failed. */
static void
dir_end_session(struct p2p_dir *d, const struct p2p_lport *a)
    OVS_REQUIRES(lane_mutex)
{
    long long int now = time_msec();

    lane_put(d->lane);
    d->lane = NULL;
    d->adopted = false;
    if (a->netdev) {
        netdev_dpdkr_lane_set_mark(a->netdev, 0, NULL);
    }
    if (d->failed) {
        d->backoff_ms = (d->backoff_ms
                         ? MIN(d->backoff_ms * 2, P2P_LANE_BACKOFF_MAX_MS)
                         : P2P_LANE_BACKOFF_MIN_MS);
        d->retry_after = now + d->backoff_ms;
        d->fail_note = d->failed;
    } else {
        d->backoff_ms = 0;
        d->retry_after = 0;
        d->fail_note = NULL;
        free(d->fail_detail);
        d->fail_detail = NULL;
    }
    if (d->silent && a->netdev) {
        /* Try again once A sends something (and the back-off is over). */
        d->wait_traffic = true;
        d->traffic_mark = netdev_dpdkr_rx_index(a->netdev);
        netdev_dpdkr_notify_rx(a->netdev, lane_seq_obj);
        if (netdev_dpdkr_rx_index(a->netdev) != d->traffic_mark) {
            /* A packet came before the notification was set up. */
            seq_change(lane_seq_obj);
        }
    }
    d->failed = NULL;
    d->silent = d->rx_asked = d->tx_moved = d->in_vm = false;
    d->tx_unanswered = d->yield = false;
    d->out = OFPP_NONE;
    d->state = DIR_IDLE;
}

/* Starts taking 'd' back to the switched path. */
static void
dir_start_revert(struct p2p_dir *d, const struct p2p_lport *a,
                 const char *why)
    OVS_REQUIRES(lane_mutex)
{
    VLOG_INFO("%s: port %"PRIu16" -> %"PRIu16": leaving the lane (%s)",
              d->bridge, ofp_to_u16(d->in), ofp_to_u16(d->out), why);
    dir_request_tx_switched(d, a);
    dir_enter(d, DIR_REVERT_TX);
}

/* Returns dir_format_since() for the log line that ends a hand-over of
 * 'd', and forgets when the rules changed. */
static char *
dir_since_change(struct p2p_dir *d)
    OVS_REQUIRES(lane_mutex)
{
    char *since = dir_format_since(d);

    d->changed_us = 0;
    return since;
}

/* Completes a revert: OVS polls A again. */
static void
dir_finish(struct p2p_dir *d, struct ofproto *ofproto,
           const struct p2p_lport *a)
    OVS_REQUIRES(lane_mutex)
{
    dir_credit(d);
    dir_credit_ports(d, ofproto);
    dir_hold(d, a, false, 0);
    dir_bypass(a, false);
    if (d->path) {
        p2p_path_unref(d->path);
        d->path = NULL;
    }
    if (d->tx_moved) {
        char *since = dir_since_change(d);

        VLOG_INFO("%s: port %"PRIu16" -> %"PRIu16": switched%s", d->bridge,
                  ofp_to_u16(d->in), ofp_to_u16(d->out), since);
        free(since);
    } else {
        VLOG_DBG("%s: port %"PRIu16" -> %"PRIu16": stays switched",
                 d->bridge, ofp_to_u16(d->in), ofp_to_u16(d->out));
    }
    dir_end_session(d, a);
}

/* Tells B to finish the old paths and go on switched, then waits; or
 * finishes at once if B has nothing to finish. */
static void
dir_ask_rx_revert(struct p2p_dir *d, struct ofproto *ofproto,
                  const struct p2p_lport *a, const struct p2p_lport *b)
    OVS_REQUIRES(lane_mutex)
{
    struct netdev_dpdkr_request req = {
        .side = NETDEV_DPDKR_RX,
        .path = NETDEV_DPDKR_SWITCHED,
        .old_path_seq = b->netdev ? netdev_dpdkr_tx_head(b->netdev) : 0,
        .lane_seq = d->lane_seq,
    };

    if (!d->rx_asked
        && (!d->lane || netdev_dpdkr_lane_empty(d->lane->lane, d->ring))) {
        /* B never read the lane, and A put nothing on it. */
        dir_finish(d, ofproto, a);
        return;
    }
    if (!dir_request(d, b, req, &d->gen_rx)) {
        d->gen_rx = 0;
    }
    dir_enter(d, DIR_REVERT_RX);
}

/* Forces the revert on without A's cooperation: A does not answer, or
 * answers nonsense. */
static void
dir_force_revert(struct p2p_dir *d, struct ofproto *ofproto,
                 const struct p2p_lport *a, const struct p2p_lport *b,
                 const char *why)
    OVS_REQUIRES(lane_mutex)
{
    COVERAGE_INC(p2p_lane_forced_revert);
    if (d->state == DIR_ASK_TX) {
        /* Its last request was DIRECT: take that back. */
        dir_request_tx_switched(d, a);
    }
    /* An application that sends nothing never answers, so this is not
     * necessarily a problem. */
    VLOG_INFO_RL(&peer_rl, "%s: port %"PRIu16" -> %"PRIu16": %s; taking the "
                 "direction back to the switched path without it",
                 d->bridge, ofp_to_u16(d->in), ofp_to_u16(d->out), why);
    /* Whatever A has put on the lane is for B to finish. */
    d->lane_seq = d->lane ? netdev_dpdkr_lane_head(d->lane->lane, d->ring)
                          : 0;
    dir_hold(d, a, false, 0);
    dir_bypass(a, false);
    dir_ask_rx_revert(d, ofproto, a, b);
}

/* Decides whether 'd' should be direct now; if not, stores why in
 * '*why'. */
static bool
dir_wanted(struct p2p_dir *d, const struct p2p_lport *a, bool a_ok,
           const struct p2p_lport *b, bool b_ok, const char **why)
    OVS_REQUIRES(lane_mutex)
{
    *why = NULL;
    if (d->want_out == OFPP_NONE) {
        *why = "not eligible";
    } else if (d->forced) {
        *why = "forced switched by p2p/force-switched";
    } else if (!a_ok || !b_ok) {
        *why = "port is not ready";
    } else if (!a->running) {
        *why = "no application attached to the input port";
    } else if (!b->running) {
        *why = "no application attached to the output port";
    }
    return !*why;
}

/* Returns the direction other than 'd' that has a lane into port 'out' of
 * 'd''s bridge, if any: an application's receive side reads one lane. */
static struct p2p_dir *
dir_lane_into(const struct p2p_dir *d, ofp_port_t out)
    OVS_REQUIRES(lane_mutex)
{
    struct p2p_dir *o;

    HMAP_FOR_EACH (o, node, &dirs) {
        if (o != d && o->state != DIR_IDLE && o->out == out
            && !strcmp(o->bridge, d->bridge)) {
            return o;
        }
    }
    return NULL;
}

/* What every state's step gets. */
struct dir_ctx {
    struct ofproto *ofproto;
    struct p2p_lport a, b;      /* A, and B (B.netdev NULL if none). */
    bool want;                  /* Should it be direct? */
    const char *why;            /* If not, why. */
    long long int now;
};

/* Notes, for p2p/show, when the direction tries again. */
static void
dir_note_retry(struct p2p_dir *d, const struct dir_ctx *ctx)
    OVS_REQUIRES(lane_mutex)
{
    char *note;

    if (d->wait_traffic) {
        note = xasprintf("%s; waiting for its traffic",
                         d->fail_note ? d->fail_note
                         : "the input application has sent nothing");
    } else {
        note = xasprintf("%s; retrying in %lld s",
                         d->fail_detail ? d->fail_detail
                         : d->fail_note ? d->fail_note
                         : "a hand-over failed",
                         (d->retry_after - ctx->now + 999) / 1000);
    }
    dir_set_note(d, note);
    free(note);
}

/* dir_force_revert() for an answer 'ans' with an impossible index. */
static void
dir_force_revert_index(struct p2p_dir *d, struct dir_ctx *ctx,
                       const struct netdev_dpdkr_answer *ans)
    OVS_REQUIRES(lane_mutex)
{
    char *why = xasprintf("the application reported an impossible ring "
                          "index (%"PRIu32", where OVS reads at %"PRIu32")",
                          ans->old_path_seq,
                          netdev_dpdkr_rx_index(ctx->a.netdev));

    dir_force_revert(d, ctx->ofproto, &ctx->a, &ctx->b, why);
    free(why);
}

static void dir_run_plug(struct p2p_dir *, struct dir_ctx *)
    OVS_REQUIRES(lane_mutex);

static void
dir_run_idle(struct p2p_dir *d, struct dir_ctx *ctx)
    OVS_REQUIRES(lane_mutex)
{
    ofp_port_t out = d->want_out;
    struct p2p_dir *other;
    char *err = NULL;

    if (!ctx->want) {
        return;
    }
    if (d->wait_traffic) {
        if (netdev_dpdkr_rx_index(ctx->a.netdev) == d->traffic_mark) {
            dir_note_retry(d, ctx);
            return;
        }
        d->wait_traffic = false;
    }
    if (ctx->now < d->retry_after) {
        dir_note_retry(d, ctx);
        return;
    }
    other = dir_lane_into(d, out);
    if (other) {
        if (other->tx_unanswered && !other->yield) {
            /* Its input application sends nothing: it makes way. */
            other->yield = true;
            seq_change(lane_seq_obj);
        }
        dir_set_note(d, "the output port already receives another lane");
        return;
    }

    d->out = out;
    d->lane = lane_get(d->bridge, &ctx->a, &ctx->b, &err);
    if (!d->lane) {
        VLOG_WARN_RL(&peer_rl, "%s: port %"PRIu16" -> %"PRIu16": %s",
                     d->bridge, ofp_to_u16(d->in), ofp_to_u16(out), err);
        free(err);
        dir_fail(d, "cannot create the lane");
        dir_end_session(d, &ctx->a);
        dir_note_retry(d, ctx);
        return;
    }
    d->lane->users++;
    d->ring = (d->in == d->lane->lo ? P2P_LANE_RING_LO_HI
               : !P2P_LANE_RING_LO_HI);
    memset(&d->last, 0, sizeof d->last);
    dir_enter(d, DIR_PLUG);
    d->deadline = d->entered + P2P_LANE_PLUG_TIMEOUT_MS;
    dir_run_plug(d, ctx);
}

/* Returns 0 if 'd''s lane reaches the application on 'p', EINPROGRESS
 * while an agent plugs it into its virtual machine, or another errno value
 * after noting why in 'd'. */
static int
dir_plug(struct p2p_dir *d, const struct p2p_lport *p)
    OVS_REQUIRES(lane_mutex)
{
    const char *why;
    int error;

    error = netdev_dpdkr_lane_plug(d->lane->lane, p->netdev, &why);
    if (error && error != EINPROGRESS) {
        VLOG_WARN_RL(&peer_rl, "%s: port %"PRIu16" -> %"PRIu16": %s: %s",
                     d->bridge, ofp_to_u16(d->in), ofp_to_u16(d->out),
                     netdev_get_name(p->netdev), why);
        dir_fail(d, "the lane cannot reach a virtual machine");
        free(d->fail_detail);
        d->fail_detail = xasprintf("%s: %s", netdev_get_name(p->netdev),
                                   why ? why : ovs_strerror(error));
    }
    return error;
}

static void
dir_run_plug(struct p2p_dir *d, struct dir_ctx *ctx)
    OVS_REQUIRES(lane_mutex)
{
    struct netdev_dpdkr_request req = {
        .side = NETDEV_DPDKR_TX,
        .path = NETDEV_DPDKR_DIRECT,
    };
    int ea, eb, mtu;

    if (!ctx->want) {
        /* Nothing was asked of A or B yet. */
        dir_finish(d, ctx->ofproto, &ctx->a);
        return;
    }
    ea = dir_plug(d, &ctx->a);
    eb = ea && ea != EINPROGRESS ? ea : dir_plug(d, &ctx->b);
    if (ea == EINPROGRESS || eb == EINPROGRESS) {
        d->in_vm = true;
    }
    if ((ea && ea != EINPROGRESS) || (eb && eb != EINPROGRESS)) {
        dir_finish(d, ctx->ofproto, &ctx->a);
        return;
    } else if (ea || eb) {
        if (ctx->now > d->deadline) {
            dir_fail(d, "the agent did not plug the lane into the virtual "
                     "machines in time");
            dir_finish(d, ctx->ofproto, &ctx->a);
        } else {
            dir_set_note(d, NULL);
        }
        return;
    }

    /* B's frame length limit, as netdev-dpdk enforces it. */
    if (netdev_get_mtu(ctx->b.netdev, &mtu)) {
        mtu = ETH_PAYLOAD_MAX;
    }
    req.max_len = mtu + ETH_HEADER_LEN + 4;
    if (!dir_request(d, &ctx->a, req, &d->gen_tx)) {
        dir_end_session(d, &ctx->a);
        return;
    }
    dir_set_note(d, NULL);
    dir_enter(d, DIR_ASK_TX);
    if (d->in_vm) {
        d->deadline += P2P_LANE_GUEST_MS;
    }
}

/* Returns true if 'ctx''s input application, which has not answered 'd''s
 * DIRECT request but is outside its transmit burst, may be taken for an
 * application that sends nothing, and stores where its port ring ends in
 * '*head'.  Not an application in a virtual machine: until its driver has
 * found the lane among its devices, it goes on sending to OVS without
 * answering. */
static bool
dir_tx_quiet(const struct p2p_dir *d, const struct dir_ctx *ctx,
             uint32_t *head)
    OVS_REQUIRES(lane_mutex)
{
    bool in_vm = true;

    return (!d->in_vm
            && !netdev_dpdkr_client_in_vm(ctx->a.netdev, &in_vm) && !in_vm
            && !netdev_dpdkr_rx_head(ctx->a.netdev, head));
}

static void
dir_run_ask_tx(struct p2p_dir *d, struct dir_ctx *ctx)
    OVS_REQUIRES(lane_mutex)
{
    struct netdev_dpdkr_answer ans;
    uint32_t gen_direct, head;
    int error;

    error = netdev_dpdkr_answer(ctx->a.netdev, NETDEV_DPDKR_TX, d->gen_tx,
                                &ans);
    if (!error && ans.path != NETDEV_DPDKR_DIRECT) {
        VLOG_WARN_RL(&peer_rl, "%s: port %"PRIu16": the application "
                     "refused the lane", d->bridge, ofp_to_u16(d->in));
        dir_fail(d, "an application refused the lane");
        dir_finish(d, ctx->ofproto, &ctx->a);
    } else if (error == EPROTO) {
        dir_fail(d, "the input application gave an impossible answer");
        dir_force_revert_index(d, ctx, &ans);
    } else if (!error) {
        dir_log_answer(d, "sends into the lane", &ans);
        d->tx_moved = true;
        /* A's ring head where it left: OVS reads up to there. */
        dir_hold(d, &ctx->a, true, ans.old_path_seq);
        dir_enter(d, DIR_DRAIN);
    } else if (!ctx->want) {
        dir_start_revert(d, &ctx->a, ctx->why ? ctx->why : "peer changed");
    } else if (ctx->now > d->deadline
               && !netdev_dpdkr_in_burst(ctx->a.netdev, NETDEV_DPDKR_TX)
               && dir_tx_quiet(d, ctx, &head)) {
        /* An application that never sends never answers.  But outside its
         * transmit burst after the request, its next burst sees the request
         * before it sends anything (dpdkr-abi.h), so nothing more comes on
         * its port ring after 'head': the direction goes direct without an
         * answer, and OVS stops polling a port that carries nothing (the
         * receive-only end of a point-to-point link).  dir_run_direct()
         * checks the answer that comes when the application sends. */
        COVERAGE_INC(p2p_lane_silent_sender);
        VLOG_DBG("%s: port %"PRIu16" -> %"PRIu16": the input application "
                 "sends nothing; direct without its answer", d->bridge,
                 ofp_to_u16(d->in), ofp_to_u16(d->out));
        d->tx_moved = d->tx_unanswered = true;
        dir_hold(d, &ctx->a, true, head);
        dir_enter(d, DIR_DRAIN);
    } else if (ctx->now > d->deadline
               && !netdev_dpdkr_in_burst(ctx->a.netdev, NETDEV_DPDKR_TX)) {
        /* An application that never sends never answers: it has nothing
         * to send through the lane either.  Take the request back.  Once
         * it is outside its transmit burst after that, its next burst sees
         * the new request before it sends anything (dpdkr-abi.h); if it
         * has answered neither request by then, it never used the lane,
         * and the direction is switched as it was. */
        COVERAGE_INC(p2p_lane_silent_sender);
        d->silent = true;
        dir_fail(d, "the input application has sent nothing");
        gen_direct = d->gen_tx;
        dir_start_revert(d, &ctx->a, "the input application sends nothing");
        if (!netdev_dpdkr_in_burst(ctx->a.netdev, NETDEV_DPDKR_TX)
            && netdev_dpdkr_answer(ctx->a.netdev, NETDEV_DPDKR_TX,
                                   gen_direct, &ans) == EAGAIN
            && netdev_dpdkr_answer(ctx->a.netdev, NETDEV_DPDKR_TX,
                                   d->gen_tx, &ans) == EAGAIN) {
            dir_finish(d, ctx->ofproto, &ctx->a);
        }
    } else if (ctx->now > d->deadline + P2P_LANE_STUCK_MS) {
        dir_fail(d, "the input application was stuck in a burst");
        dir_start_revert(d, &ctx->a, "the input application is stuck");
    }
}

static void
dir_run_drain(struct p2p_dir *d, struct dir_ctx *ctx)
    OVS_REQUIRES(lane_mutex)
{
    if (dir_drained(d, &ctx->a)) {
        struct netdev_dpdkr_request req = {
            .side = NETDEV_DPDKR_RX,
            .path = NETDEV_DPDKR_DIRECT,
            .old_path_seq = netdev_dpdkr_tx_head(ctx->b.netdev),
        };

        dir_bypass(&ctx->a, true);
        if (!dir_request(d, &ctx->b, req, &d->gen_rx)) {
            dir_start_revert(d, &ctx->a, "cannot reach the output port");
            return;
        }
        d->rx_asked = true;
        d->since = time_wall_msec();
        d->next_credit = ctx->now + P2P_LANE_CREDIT_MS;
        d->n_direct++;
        dir_enter(d, DIR_ASK_RX);
    } else if (ctx->now > d->deadline) {
        dir_start_revert(d, &ctx->a, "OVS did not finish the switched path "
                         "in time");
    }
}

/* ASK_RX and DIRECT: A sends into the lane. */
static void
dir_run_direct(struct p2p_dir *d, struct dir_ctx *ctx)
    OVS_REQUIRES(lane_mutex)
{
    struct netdev_dpdkr_answer ans;

    if (d->tx_unanswered) {
        /* A went direct without answering (it sent nothing): its answer
         * comes with its first burst.  It must have left its port ring
         * where it was, or it must refuse the lane (then everything it
         * sent is on its port ring, which the revert drains). */
        int error = netdev_dpdkr_answer(ctx->a.netdev, NETDEV_DPDKR_TX,
                                        d->gen_tx, &ans);

        if (!error && ans.path == NETDEV_DPDKR_DIRECT
            && ans.old_path_seq == d->hold_limit) {
            dir_log_answer(d, "sends into the lane", &ans);
            d->tx_unanswered = false;
        } else if (!error && ans.path != NETDEV_DPDKR_DIRECT) {
            VLOG_WARN_RL(&peer_rl, "%s: port %"PRIu16": the application "
                         "refused the lane", d->bridge, ofp_to_u16(d->in));
            dir_fail(d, "an application refused the lane");
            dir_start_revert(d, &ctx->a, "the input application refused "
                             "the lane");
            return;
        } else if (error != EAGAIN) {
            /* DIRECT, but elsewhere than where it stood: it sent to OVS
             * after it was asked to use the lane, or (EPROTO) names an
             * index it cannot have reached.  Its last request is DIRECT:
             * the revert asks it to leave the lane. */
            dir_fail(d, "the input application gave an impossible answer");
            dir_start_revert(d, &ctx->a,
                             error == EPROTO
                             ? "the input application reported an "
                               "impossible ring index"
                             : "the input application sent to OVS after "
                               "it was asked to use the lane");
            return;
        } else if (d->yield) {
            dir_start_revert(d, &ctx->a, "the input application sends "
                             "nothing, and another input port wants a lane "
                             "to the output port");
            return;
        }
    }

    if (d->state == DIR_ASK_RX
        && !netdev_dpdkr_answer(ctx->b.netdev, NETDEV_DPDKR_RX, d->gen_rx,
                                &ans)) {
        if (ans.path != NETDEV_DPDKR_DIRECT) {
            dir_fail(d, "an application refused the lane");
            dir_start_revert(d, &ctx->a, "the output application refused "
                             "the lane");
            return;
        }
        char *since = dir_since_change(d);

        VLOG_INFO("%s: port %"PRIu16" -> %"PRIu16": direct (%s)%s",
                  d->bridge, ofp_to_u16(d->in), ofp_to_u16(d->out),
                  dir_lane_name(d), since);
        free(since);
        COVERAGE_INC(p2p_lane_direct);
        d->state = DIR_DIRECT;
    }
    if (!ctx->want) {
        dir_credit(d);
        dir_start_revert(d, &ctx->a, ctx->why ? ctx->why : "peer changed");
    } else if (ctx->now >= d->next_credit) {
        dir_credit(d);
        d->next_credit = ctx->now + P2P_LANE_CREDIT_MS;
    }
    dir_credit_ports(d, ctx->ofproto);
}

static void
dir_run_revert_tx(struct p2p_dir *d, struct dir_ctx *ctx)
    OVS_REQUIRES(lane_mutex)
{
    struct netdev_dpdkr_answer ans;
    int error;

    error = netdev_dpdkr_answer(ctx->a.netdev, NETDEV_DPDKR_TX, d->gen_tx,
                                &ans);
    if (error == EPROTO) {
        dir_fail(d, "the input application gave an impossible answer");
        dir_force_revert_index(d, ctx, &ans);
    } else if (!error) {
        dir_log_answer(d, "sends to OVS again", &ans);
        d->lane_seq = ans.lane_seq;
        dir_credit(d);
        if (!d->holding || d->hold_limit != ans.old_path_seq
            || !d->drained_at) {
            /* A sent to OVS in between: finish that first. */
            dir_hold(d, &ctx->a, true, ans.old_path_seq);
            dir_bypass(&ctx->a, false);
            dir_enter(d, DIR_REVERT_DRAIN);
        } else {
            dir_ask_rx_revert(d, ctx->ofproto, &ctx->a, &ctx->b);
        }
    } else if (!ctx->a.running) {
        dir_force_revert(d, ctx->ofproto, &ctx->a, &ctx->b,
                         "the input application is gone");
    } else if (d->tx_unanswered
               && !netdev_dpdkr_in_burst(ctx->a.netdev, NETDEV_DPDKR_TX)) {
        /* A went direct without answering and has not answered since (or
         * only just): its next burst sees this request before it sends
         * anything, so there is nothing to wait for.  If it made way for
         * another input port, it waits for its own traffic before it tries
         * again, as an application that never answered does. */
        d->silent = d->yield;
        dir_force_revert(d, ctx->ofproto, &ctx->a, &ctx->b,
                         "the input application has sent nothing");
    } else if (ctx->now > d->deadline) {
        /* Only an application outside its transmit burst is sure to see
         * the request before it sends again (dpdkr-abi.h). */
        if (!netdev_dpdkr_in_burst(ctx->a.netdev, NETDEV_DPDKR_TX)) {
            /* It may just have nothing to send now: try again when it
             * sends. */
            d->silent = true;
            dir_force_revert(d, ctx->ofproto, &ctx->a, &ctx->b,
                             "the input application did not answer (it "
                             "has nothing to send)");
        } else if (ctx->now > d->deadline + P2P_LANE_STUCK_MS) {
            VLOG_WARN_RL(&peer_rl, "%s: port %"PRIu16": the application "
                         "has been inside a transmit burst for %d s",
                         d->bridge, ofp_to_u16(d->in),
                         (P2P_LANE_TIMEOUT_MS + P2P_LANE_STUCK_MS) / 1000);
            dir_fail(d, "the input application was stuck in a burst");
            dir_force_revert(d, ctx->ofproto, &ctx->a, &ctx->b,
                             "the input application is stuck");
        }
    }
}

static void
dir_run_revert_drain(struct p2p_dir *d, struct dir_ctx *ctx)
    OVS_REQUIRES(lane_mutex)
{
    if (dir_drained(d, &ctx->a)) {
        dir_ask_rx_revert(d, ctx->ofproto, &ctx->a, &ctx->b);
    } else if (!ctx->a.running || ctx->now > d->deadline) {
        dir_force_revert(d, ctx->ofproto, &ctx->a, &ctx->b,
                         "OVS did not finish the input in time");
    }
}

static void
dir_run_revert_rx(struct p2p_dir *d, struct dir_ctx *ctx)
    OVS_REQUIRES(lane_mutex)
{
    struct netdev_dpdkr_answer ans;

    if (!netdev_dpdkr_answer(ctx->b.netdev, NETDEV_DPDKR_RX, d->gen_rx, &ans)
        || !ctx->b.running) {
        dir_finish(d, ctx->ofproto, &ctx->a);
    } else if (ctx->now > d->deadline) {
        /* An application inside a receive burst that read the old request
         * may still read the lane and then its port ring: OVS sends A's
         * packets there only once it is out of such a burst, so that its
         * next one sees the request first (dpdkr-abi.h). */
        if (!netdev_dpdkr_in_burst(ctx->b.netdev, NETDEV_DPDKR_RX)) {
            VLOG_WARN_RL(&peer_rl, "%s: port %"PRIu16": the output "
                         "application did not finish the lane in time; it "
                         "will finish it before reading anything new",
                         d->bridge, ofp_to_u16(d->out));
            dir_finish(d, ctx->ofproto, &ctx->a);
        } else if (ctx->now > d->deadline + P2P_LANE_STUCK_MS) {
            VLOG_WARN_RL(&peer_rl, "%s: port %"PRIu16": the application "
                         "has been inside a receive burst for %d s",
                         d->bridge, ofp_to_u16(d->out),
                         (P2P_LANE_TIMEOUT_MS + P2P_LANE_STUCK_MS) / 1000);
            dir_fail(d, "the output application was stuck in a burst");
            dir_finish(d, ctx->ofproto, &ctx->a);
        }
    }
}

static void
dir_run(struct p2p_dir *d)
    OVS_REQUIRES(lane_mutex)
{
    ofp_port_t out = d->state == DIR_IDLE ? d->want_out : d->out;
    struct dir_ctx ctx = {
        .ofproto = ofproto_lookup(d->bridge),
        .now = time_msec(),
    };
    bool a_ok, b_ok;

    a_ok = lport_get(ctx.ofproto, d->in, &ctx.a);
    b_ok = lport_get(ctx.ofproto, out, &ctx.b);
    ctx.want = (dir_wanted(d, &ctx.a, a_ok, &ctx.b, b_ok, &ctx.why)
                && (d->state == DIR_IDLE || d->want_out == d->out));
    if (ctx.why || !ctx.want) {
        dir_set_note(d, ctx.why ? ctx.why : "peer changed");
    }

    switch (d->state) {
    case DIR_IDLE:
        dir_run_idle(d, &ctx);
        break;
    case DIR_PLUG:
        dir_run_plug(d, &ctx);
        break;
    case DIR_ASK_TX:
        dir_run_ask_tx(d, &ctx);
        break;
    case DIR_DRAIN:
        dir_run_drain(d, &ctx);
        break;
    case DIR_ASK_RX:
    case DIR_DIRECT:
        dir_run_direct(d, &ctx);
        break;
    case DIR_REVERT_TX:
        dir_run_revert_tx(d, &ctx);
        break;
    case DIR_REVERT_DRAIN:
        dir_run_revert_drain(d, &ctx);
        break;
    case DIR_REVERT_RX:
        dir_run_revert_rx(d, &ctx);
        break;
    }
}

/* Listener: runs with the detector's mutex, maybe 'ofproto_mutex', maybe
 * in another thread. */
static void
p2p_lane_listener(struct ofproto *ofproto, ofp_port_t in_port,
                  ofp_port_t out_port, enum p2p_verdict verdict,
                  unsigned int missing, void *aux OVS_UNUSED)
{
    ofp_port_t want = (verdict == P2P_ELIGIBLE && !missing
                       ? out_port : OFPP_NONE);
    struct p2p_dir *d;

    ovs_mutex_lock(&lane_mutex);
    d = want != OFPP_NONE ? dir_get(ofproto->name, in_port)
                          : dir_find(ofproto->name, in_port);
    if (d) {
        if (want == OFPP_NONE && d->state != DIR_IDLE) {
            /* Before the rule goes (its flow-removed message is built
             * later), credit it with what the lane carried so far. */
            dir_credit(d);
        }
        if (d->want_out != want) {
            d->changed_us = time_usec();
            d->changed_logged = false;
        }
        d->want_out = want;
    }
    ovs_mutex_unlock(&lane_mutex);
    seq_change(lane_seq_obj);
}

/* Refreshes the directions' references to their paths, outside the lock
 * (the detector calls the listener with its own lock held). */
static void
lane_refresh_paths(void)
    OVS_EXCLUDED(lane_mutex)
{
    struct p2p_dir **todo;
    struct p2p_dir *d;
    size_t n = 0, i;

    ovs_mutex_lock(&lane_mutex);
    todo = xmalloc((hmap_count(&dirs) + 1) * sizeof *todo);
    HMAP_FOR_EACH (d, node, &dirs) {
        if (d->state != DIR_IDLE && d->want_out == d->out) {
            todo[n++] = d;
        }
    }
    ovs_mutex_unlock(&lane_mutex);
    for (i = 0; i < n; i++) {
        struct ofproto *ofproto = ofproto_lookup(todo[i]->bridge);
        struct p2p_path *path = (ofproto
                                 ? p2p_detector_ref_path(ofproto,
                                                         todo[i]->in)
                                 : NULL);

        ovs_mutex_lock(&lane_mutex);
        if (path && path != todo[i]->path) {
            p2p_path_unref(todo[i]->path);
            todo[i]->path = path;
        } else if (path) {
            p2p_path_unref(path);
        }
        ovs_mutex_unlock(&lane_mutex);
    }
    free(todo);
}

/* Returns true if 'd' is in a step of a hand-over that it entered less
 * than P2P_LANE_SPIN_MS ago, waiting for an application on the host or for
 * OVS's PMD, either of which answers within microseconds. */
static bool
dir_step_fresh(const struct p2p_dir *d, long long int now)
    OVS_REQUIRES(lane_mutex)
{
    switch (d->state) {
    case DIR_ASK_TX:
    case DIR_DRAIN:
    case DIR_ASK_RX:
    case DIR_REVERT_TX:
    case DIR_REVERT_DRAIN:
    case DIR_REVERT_RX:
        return !d->in_vm && now - d->entered < P2P_LANE_SPIN_MS;
    case DIR_IDLE:
    case DIR_PLUG:
    case DIR_DIRECT:
    default:
        return false;
    }
}

/* Returns true if some direction is in a fresh step (dir_step_fresh()). */
static bool
lane_steps_fresh(void)
    OVS_REQUIRES(lane_mutex)
{
    long long int now = time_msec();
    struct p2p_dir *d;

    HMAP_FOR_EACH (d, node, &dirs) {
        if (dir_step_fresh(d, now)) {
            return true;
        }
    }
    return false;
}

/* Restart.
 *
 * A starting ovs-vswitchd adopts the regions of the one before (see
 * netdev-dpdkr.h), whose applications may be on lanes or in the middle of
 * a hand-over.  Once the rules are back (flow-restore-wait is over: until
 * then an adopted port receives nothing, and a lane carries on as it was),
 * the manager takes over every lane that an adopted port's requests name
 * and puts its direction in the state that those requests and their
 * answers show, and the usual steps go on from there: a direction that
 * the restored rules still make eligible stays direct, any other goes
 * back to the switched path with the usual hand-over. */

/* Returns the adopted port in 'ports' (of 'n') other than 'a' whose lane
 * with 'a' is 'lane', if any. */
static bool
lane_adopt_peer(struct ofproto *ofproto, const ofp_port_t *ports, size_t n,
                const struct p2p_lport *a, const char *lane,
                struct p2p_lport *b)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct p2p_lport *lo, *hi;
        char *path;
        bool match;

        if (ports[i] == a->ofport->ofp_port
            || !lport_get(ofproto, ports[i], b)) {
            continue;
        }
        lo = a->ofport->ofp_port < ports[i] ? a : b;
        hi = lo == a ? b : a;
        path = netdev_dpdkr_lane_path(lo->netdev, hi->netdev);
        match = path && !strcmp(path, lane);
        free(path);
        if (match) {
            return true;
        }
    }
    return false;
}

/* Takes over direction A->B on lane 'l', which A's transmit request 'tx'
 * names, in the state that the requests and answers show. */
static void
lane_adopt_dir(struct ofproto *ofproto, struct p2p_lane *l,
               const struct p2p_lport *a, const struct p2p_lport *b,
               const struct netdev_dpdkr_current *tx)
    OVS_REQUIRES(lane_mutex)
{
    struct p2p_dir *d = dir_get(ofproto->name, a->ofport->ofp_port);
    uint64_t epoch = netdev_dpdkr_lane_epoch(l->lane);
    struct netdev_dpdkr_current rx;
    struct netdev_dpdkr_answer ans;
    bool in_vm_a = false, in_vm_b = false;
    bool b_reads, answered;

    d->out = b->ofport->ofp_port;
    d->lane = l;
    l->users++;
    d->ring = tx->ring;
    d->gen_tx = tx->generation;
    d->adopted = true;
    netdev_dpdkr_client_in_vm(a->netdev, &in_vm_a);
    netdev_dpdkr_client_in_vm(b->netdev, &in_vm_b);
    d->in_vm = in_vm_a || in_vm_b;
    /* What the lane carried since the last credit, during the restart
     * too, goes to the restored rules and the ports. */
    netdev_dpdkr_lane_get_mark(a->netdev, epoch, &d->last);
    d->since = time_wall_msec();
    d->next_credit = time_msec();

    netdev_dpdkr_request_current(b->netdev, NETDEV_DPDKR_RX, &rx);
    b_reads = rx.generation && rx.lane && rx.lane_epoch == epoch;
    answered = !netdev_dpdkr_answer(a->netdev, NETDEV_DPDKR_TX, d->gen_tx,
                                    &ans);
    if (tx->path == NETDEV_DPDKR_DIRECT) {
        d->tx_moved = true;
        if (!answered || ans.path != NETDEV_DPDKR_DIRECT) {
            /* Not answered yet (or refused): ASK_TX sees to it. */
            dir_hold(d, a, false, 0);
            dir_enter(d, DIR_ASK_TX);
        } else if (b_reads && rx.path == NETDEV_DPDKR_DIRECT) {
            dir_hold(d, a, true, ans.old_path_seq);
            dir_bypass(a, true);
            d->gen_rx = rx.generation;
            d->rx_asked = true;
            d->n_direct++;
            dir_enter(d, DIR_ASK_RX);
            if (!netdev_dpdkr_answer(b->netdev, NETDEV_DPDKR_RX, d->gen_rx,
                                     &ans)
                && ans.path == NETDEV_DPDKR_DIRECT) {
                d->state = DIR_DIRECT;
            }
        } else {
            /* B was not asked yet: OVS finishes A's old path first. */
            dir_hold(d, a, true, ans.old_path_seq);
            dir_enter(d, DIR_DRAIN);
        }
    } else {
        /* A revert was under way. */
        d->tx_moved = true;
        d->rx_asked = b_reads;
        if (b_reads && rx.path == NETDEV_DPDKR_SWITCHED) {
            /* B was told to finish the lane: wait for it, and until then
             * OVS reads nothing A sent after it left the lane. */
            d->gen_rx = rx.generation;
            dir_hold(d, a, true,
                     (answered && ans.path == NETDEV_DPDKR_SWITCHED
                      ? ans.old_path_seq : netdev_dpdkr_rx_index(a->netdev)));
            dir_bypass(a, false);
            dir_enter(d, DIR_REVERT_RX);
        } else if (answered && ans.path == NETDEV_DPDKR_SWITCHED) {
            d->lane_seq = ans.lane_seq;
            dir_hold(d, a, true, ans.old_path_seq);
            dir_bypass(a, false);
            dir_enter(d, DIR_REVERT_DRAIN);
        } else {
            dir_hold(d, a, true, netdev_dpdkr_rx_index(a->netdev));
            dir_enter(d, DIR_REVERT_TX);
        }
    }
    VLOG_INFO("%s: port %"PRIu16" -> %"PRIu16": adopted from the "
              "ovs-vswitchd that ran before (%s, lane %s)", d->bridge,
              ofp_to_u16(d->in), ofp_to_u16(d->out),
              dir_state_names[d->state], dir_lane_name(d));
}

/* Takes over what the previous ovs-vswitchd left on the adopted ports
 * 'ports' (of 'n') of 'ofproto'. */
static void
lane_adopt_bridge(struct ofproto *ofproto, const ofp_port_t *ports, size_t n)
    OVS_REQUIRES(lane_mutex)
{
    size_t i;

    for (i = 0; i < n; i++) {
        struct netdev_dpdkr_current tx;
        struct p2p_lport a, b;
        struct p2p_lane *l;
        char *err = NULL;

        if (!lport_get(ofproto, ports[i], &a)) {
            continue;
        }
        if (netdev_dpdkr_request_current(a.netdev, NETDEV_DPDKR_TX, &tx)
            || !tx.generation || !tx.lane) {
            free(tx.lane);
            continue;
        }
        if (!lane_adopt_peer(ofproto, ports, n, &a, tx.lane, &b)) {
            err = xasprintf("%s: the other port of the lane was not "
                            "adopted", tx.lane);
        } else {
            const struct p2p_lport *lo = ports[i] < b.ofport->ofp_port
                                         ? &a : &b;
            const struct p2p_lport *hi = lo == &a ? &b : &a;
            int ring = lo == &a ? P2P_LANE_RING_LO_HI : !P2P_LANE_RING_LO_HI;

            l = lane_find(ofproto->name, lo->ofport->ofp_port,
                          hi->ofport->ofp_port);
            if (tx.ring != ring) {
                err = xasprintf("%s: the request names ring %d", tx.lane,
                                tx.ring);
            } else if (l && netdev_dpdkr_lane_epoch(l->lane)
                       != tx.lane_epoch) {
                err = xasprintf("%s: the requests name two epochs",
                                tx.lane);
            } else if (!l) {
                struct netdev_dpdkr_lane *nl;

                nl = netdev_dpdkr_lane_adopt(lo->netdev, hi->netdev,
                                             tx.lane_epoch, &err);
                if (nl) {
                    l = xzalloc(sizeof *l);
                    l->bridge = xstrdup(ofproto->name);
                    l->lo = lo->ofport->ofp_port;
                    l->hi = hi->ofport->ofp_port;
                    l->lane = nl;
                    hmap_insert(&lanes, &l->node, dir_hash(l->bridge,
                                                           l->lo));
                }
            }
            if (!err) {
                lane_adopt_dir(ofproto, l, &a, &b, &tx);
            }
        }
        if (err) {
            /* Nobody can manage that lane: A sends to OVS again. */
            struct netdev_dpdkr_request req = {
                .side = NETDEV_DPDKR_TX,
                .path = NETDEV_DPDKR_SWITCHED,
            };
            uint32_t gen;

            VLOG_WARN("%s: port %"PRIu16": %s; the input application goes "
                      "back to the switched path", ofproto->name,
                      ofp_to_u16(ports[i]), err);
            netdev_dpdkr_request(a.netdev, &req, &gen);
            free(err);
        }
        free(tx.lane);
    }

    /* An application that reads a lane that no direction took over
     * finishes it and reads its port ring alone again.  OVS receives again
     * from every port that is not the input of a direction taken over
     * (which holds where its state says). */
    for (i = 0; i < n; i++) {
        struct netdev_dpdkr_current rx;
        struct p2p_lport b;
        struct p2p_dir *d;
        bool used = false;

        if (!lport_get(ofproto, ports[i], &b)) {
            continue;
        }
        d = dir_find(ofproto->name, ports[i]);
        if (!d || d->state == DIR_IDLE) {
            netdev_dpdkr_rx_hold(b.netdev, false, 0);
        }
        if (netdev_dpdkr_request_current(b.netdev, NETDEV_DPDKR_RX, &rx)) {
            continue;
        }
        HMAP_FOR_EACH (d, node, &dirs) {
            if (d->state != DIR_IDLE && d->out == ports[i]
                && !strcmp(d->bridge, ofproto->name)) {
                used = true;
            }
        }
        if (!used && rx.path == NETDEV_DPDKR_DIRECT && rx.lane) {
            struct netdev_dpdkr_request req = {
                .side = NETDEV_DPDKR_RX,
                .path = NETDEV_DPDKR_SWITCHED,
                .old_path_seq = netdev_dpdkr_tx_head(b.netdev),
            };
            uint32_t gen;

            VLOG_WARN("%s: port %"PRIu16": its application reads a lane that "
                      "no direction took over (%s); it finishes it",
                      ofproto->name, ofp_to_u16(ports[i]), rx.lane);
            netdev_dpdkr_request(b.netdev, &req, &gen);
        }
        free(rx.lane);
    }
}

/* Takes over what the previous ovs-vswitchd left, once flow-restore-wait
 * is over.  Returns false while it is not. */
static bool
lane_adopt_run(void)
    OVS_REQUIRES(lane_mutex)
{
    struct adopt_port *ap;

    if (ovs_list_is_empty(&adopt_pending)) {
        return true;
    }
    if (ofproto_get_flow_restore_wait()) {
        return false;
    }
    while (!ovs_list_is_empty(&adopt_pending)) {
        struct adopt_port *first = CONTAINER_OF(ovs_list_front(&adopt_pending),
                                                struct adopt_port, node);
        struct ofproto *ofproto = ofproto_lookup(first->bridge);
        char *bridge = xstrdup(first->bridge);
        ofp_port_t *ports = NULL;
        size_t n = 0;

        LIST_FOR_EACH_SAFE (ap, node, &adopt_pending) {
            if (!strcmp(ap->bridge, bridge)) {
                ports = xrealloc(ports, (n + 1) * sizeof *ports);
                ports[n++] = ap->port;
                ovs_list_remove(&ap->node);
                free(ap->bridge);
                free(ap);
            }
        }
        if (ofproto) {
            size_t i;

            lane_adopt_bridge(ofproto, ports, n);
            for (i = 0; i < n; i++) {
                struct ofport *ofport = ofproto_get_port(ofproto, ports[i]);

                if (ofport) {
                    netdev_dpdkr_adoption_done(ofport->netdev);
                }
            }
        }
        free(ports);
        free(bridge);
    }
    seq_change(lane_seq_obj);
    return true;
}

void
p2p_lane_bridge_configured(struct ofproto *ofproto)
{
    struct ofport *ofport;
    bool any = false;

    p2p_lane_init();
    ovs_mutex_lock(&lane_mutex);
    HMAP_FOR_EACH (ofport, hmap_node, &ofproto->ports) {
        if (netdev_dpdkr_lane_capable(ofport->netdev)
            && netdev_dpdkr_take_adopted(ofport->netdev)) {
            struct adopt_port *ap = xmalloc(sizeof *ap);

            ap->bridge = xstrdup(ofproto->name);
            ap->port = ofport->ofp_port;
            ovs_list_push_back(&adopt_pending, &ap->node);
            any = true;
        }
    }
    ovs_mutex_unlock(&lane_mutex);
    if (any) {
        seq_change(lane_seq_obj);
    }
}

void
p2p_lane_run(void)
{
    long long int stop;
    struct p2p_dir *d;

    p2p_lane_init();
    lane_seq_last = seq_read(lane_seq_obj);
    lane_refresh_paths();

    ovs_mutex_lock(&lane_mutex);
    if (!lane_adopt_run()) {
        /* Until the rules are back, nothing moves (a lane adopted later
         * must not meet a new one on the same ports). */
        ovs_mutex_unlock(&lane_mutex);
        return;
    }
    HMAP_FOR_EACH_SAFE (d, node, &dirs) {
        dir_run(d);
        if (d->state == DIR_IDLE && d->want_out == OFPP_NONE
            && !d->forced) {
            hmap_remove(&dirs, &d->node);
            free(d->fail_detail);
            free(d->note);
            free(d->bridge);
            free(d);
        }
    }

    /* Drive the steps of hand-overs under way from here, for at most
     * P2P_LANE_STEP_US, checking every P2P_LANE_STEP_POLL_US and sleeping
     * in between: each step waits for an application's next burst or for
     * OVS's PMD, which take microseconds.  Going round the main loop
     * instead (p2p_lane_wait()'s immediate wake-ups) keeps the main thread
     * busy, and a thread that is always runnable gets a CPU shared with
     * busy-polling threads only at the scheduler's next slice, milliseconds
     * later; one that sleeps is scheduled again as soon as it wakes up. */
    stop = time_usec() + P2P_LANE_STEP_US;
    while (lane_steps_fresh() && time_usec() < stop) {
        long long int now;

        ovs_mutex_unlock(&lane_mutex);
        xnanosleep_no_quiesce(P2P_LANE_STEP_POLL_US * 1000);
        lane_refresh_paths();
        ovs_mutex_lock(&lane_mutex);

        now = time_msec();
        HMAP_FOR_EACH (d, node, &dirs) {
            if (dir_step_fresh(d, now)) {
                dir_run(d);
            }
        }
    }
    ovs_mutex_unlock(&lane_mutex);
}

void
p2p_lane_wait(void)
{
    long long int now = time_msec();
    struct p2p_dir *d;

    p2p_lane_init();
    seq_wait(lane_seq_obj, lane_seq_last);
    ovs_mutex_lock(&lane_mutex);
    HMAP_FOR_EACH (d, node, &dirs) {
        /* Time spent in the current step. */
        long long int waited = now - d->entered;

        if (d->state == DIR_DIRECT) {
            poll_timer_wait_until(d->next_credit);
        } else if (d->state == DIR_PLUG) {
            /* The agent's answer (a unixctl command) wakes the main
             * loop. */
            poll_timer_wait_until(d->deadline + 1);
        } else if (d->state == DIR_IDLE) {
            if (d->want_out == OFPP_NONE || d->forced || d->wait_traffic) {
                /* Nothing to do until the rules change, or the input
                 * application sends (netdev_dpdkr_notify_rx()). */
            } else if (now < d->retry_after) {
                poll_timer_wait_until(d->retry_after);
            } else {
                /* Waiting for applications to attach: check now and
                 * then. */
                poll_timer_wait(100);
            }
        } else if (waited < P2P_LANE_SPIN_MS) {
            poll_immediate_wake();
        } else if (waited < P2P_LANE_FAST_MS) {
            poll_timer_wait(P2P_LANE_FAST_POLL_MS);
        } else if (d->state == DIR_ASK_RX) {
            /* Direct already: an application that reads nothing may
             * never answer. */
            poll_timer_wait_until(d->next_credit);
        } else {
            /* Slow or stuck (each step has a deadline): no need to spin
             * the main thread while it lasts. */
            poll_timer_wait(P2P_LANE_SLOW_POLL_MS);
        }
    }
    ovs_mutex_unlock(&lane_mutex);
}

void
p2p_lane_set_flush_interval(int us)
{
    ovs_mutex_lock(&lane_mutex);
    flush_interval_us = MAX(us, 0);
    ovs_mutex_unlock(&lane_mutex);
}

/* p2p/show. */

static void
p2p_lane_describe(const struct ofproto *ofproto, ofp_port_t in_port,
                  ofp_port_t out_port, struct ds *s)
{
    struct p2p_dir *d;

    ovs_mutex_lock(&lane_mutex);
    d = dir_find(ofproto->name, in_port);
    if (out_port == OFPP_NONE) {
        /* Not (or no longer) eligible: say if its lane is still going. */
        if (d && d->state != DIR_IDLE) {
            ds_put_format(s, "; leaving its lane to port %"PRIu16" (%s)",
                          ofp_to_u16(d->out),
                          (d->state >= DIR_REVERT_TX
                           ? dir_state_names[d->state] : "about to start"));
        }
    } else if (d && d->state == DIR_DIRECT) {
        ds_put_format(s, "direct (lane %s, since %.3f s, %"PRIu64" packets, "
                      "%"PRIu64" bytes, %"PRIu64" dropped)", dir_lane_name(d),
                      (time_wall_msec() - d->since) / 1000.0,
                      d->tot_packets, d->tot_bytes, d->tot_drops);
    } else if (d && d->state != DIR_IDLE) {
        ds_put_format(s, "eligible (%s)", dir_state_names[d->state]);
    } else if (d && d->note) {
        ds_put_format(s, "eligible (%s)", d->note);
    } else {
        ds_put_cstr(s, "eligible");
    }
    ovs_mutex_unlock(&lane_mutex);
}

static void
p2p_unixctl_force_switched(struct unixctl_conn *conn, int argc,
                           const char *argv[], void *aux OVS_UNUSED)
{
    struct ofproto *ofproto = ofproto_lookup(argv[1]);
    bool on = argc < 4 || !strcmp(argv[3], "on");
    struct ofport *ofport, *port = NULL;
    struct p2p_dir *d;

    if (argc > 3 && strcmp(argv[3], "on") && strcmp(argv[3], "off")) {
        unixctl_command_reply_error(conn, "expected \"on\" or \"off\"");
        return;
    }
    if (!ofproto) {
        unixctl_command_reply_error(conn, "no such bridge");
        return;
    }
    HMAP_FOR_EACH (ofport, hmap_node, &ofproto->ports) {
        if (!strcmp(netdev_get_name(ofport->netdev), argv[2])) {
            port = ofport;
        }
    }
    if (!port) {
        unixctl_command_reply_error(conn, "no such port");
        return;
    }
    ovs_mutex_lock(&lane_mutex);
    d = on ? dir_get(ofproto->name, port->ofp_port)
           : dir_find(ofproto->name, port->ofp_port);
    if (d) {
        d->forced = on;
    }
    ovs_mutex_unlock(&lane_mutex);
    seq_change(lane_seq_obj);
    unixctl_command_reply(conn, NULL);
}

void
p2p_lane_init(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;

    if (ovsthread_once_start(&once)) {
        lane_seq_obj = seq_create();
        /* bridge_wait() may run without bridge_run() (when another
         * ovs-vswitchd holds the database lock): wait for real changes. */
        lane_seq_last = seq_read(lane_seq_obj);
        p2p_detector_register_listener(p2p_lane_listener, NULL);
        p2p_detector_set_describer(p2p_lane_describe,
                                   netdev_dpdkr_lane_capable);
        unixctl_command_register("p2p/force-switched", "BRIDGE PORT [on|off]",
                                 2, 3, p2p_unixctl_force_switched, NULL);
        ovsthread_once_done(&once);
    }
}
