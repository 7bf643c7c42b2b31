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

#include "p2p/ofproto/p2p-lane.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "p2p/include/dpdkr-ring.h"
#include "p2p/drivers/net/dpdkr/rte_pmd_dpdkr.h"
#include "p2p/lib/netdev-dpdkr.h"
#include "p2p/ofproto/p2p-detector.h"

#include "fatal-signal.h"
#include "hash.h"
#include "netdev-dpdk.h"
#include "netdev.h"
#include "ofproto/ofproto-dpif.h"
#include "ofproto/ofproto-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "seq.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(p2p_lane);

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

/* How long the manager waits for an application or for OVS's own data path
 * at each step of a hand-over before it takes the direction back to the
 * switched path on its own. */
#define P2P_LANE_TIMEOUT_MS 1000

/* How much longer to wait for an application that does not answer but is
 * inside a burst: a transmit burst may still send into the lane, a receive
 * burst may still read the lane and then its port ring. */
#define P2P_LANE_STUCK_MS 9000

/* After an application refused a lane, wait this long before trying again. */
#define P2P_LANE_RETRY_MS 5000

/* How often counters of direct lanes are credited to OVS's statistics. */
#define P2P_LANE_CREDIT_MS 100

/* Buffer slot size of lanes: the largest frame dpdkr ports carry. */
#define P2P_LANE_BUF_SIZE 2048

/* A lane region, shared by the directions A->B and B->A of a port pair. */
struct p2p_lane {
    struct hmap_node node;      /* In 'lanes'. */
    char *bridge;
    ofp_port_t lo, hi;          /* Ports, lo < hi.  Ring 0 carries lo->hi. */
    char *path;
    uint8_t *base;
    uint64_t size;
    int guard;                  /* Truncation guard slot, or -1. */
    struct dpdkr_geometry geo;
    int users;                  /* Directions that use it. */
};

enum p2p_dir_state {
    DIR_IDLE,                   /* Switched, nothing in progress. */
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
    long long int deadline;     /* Of the current step. */
    long long int drained_at;   /* When OVS's receive path hit the limit. */
    long long int retry_after;
    uint32_t gen_tx, gen_rx;    /* Of our requests to A and to B. */
    uint32_t hold_limit;        /* A's C2S index where OVS stops. */
    bool holding;
    uint32_t lane_seq;          /* A's lane head when it left the lane. */
    struct p2p_lane *lane;
    uint32_t ring;              /* Ring of 'lane' this direction uses. */
    char *note;                 /* Why not direct, for p2p/show. */

    /* Counters of the current session, as last read from the lane, and
     * totals of all sessions, as credited. */
    uint64_t last_packets, last_bytes, last_drops, last_drop_bytes;
    uint64_t tot_packets, tot_bytes, tot_drops;
    long long int since;        /* When it became direct (wall ms). */
    long long int next_credit;
    struct rule *rule;          /* R, referenced, to credit. */
    struct netdev_dpdkr_lane_stats pend_in, pend_out; /* Not yet credited
                                                       * to A and B. */
    uint64_t n_direct;          /* Times it became direct. */
};

static struct ovs_mutex lane_mutex = OVS_MUTEX_INITIALIZER;
static struct hmap dirs OVS_GUARDED_BY(lane_mutex) = HMAP_INITIALIZER(&dirs);
static struct hmap lanes OVS_GUARDED_BY(lane_mutex)
    = HMAP_INITIALIZER(&lanes);
static int flush_interval_us OVS_GUARDED_BY(lane_mutex);
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
 * and bridges come and go between main loop iterations. */
struct p2p_lport {
    struct ofport *ofport;
    const char *name;
    int port_id;                /* DPDK port id, or -1. */
    bool running;               /* An application is attached, started. */
};

static bool
lport_get(struct ofproto *ofproto, ofp_port_t p, struct p2p_lport *lp)
{
    memset(lp, 0, sizeof *lp);
    lp->port_id = -1;
    lp->ofport = ofproto ? ofproto_get_port(ofproto, p) : NULL;
    if (!lp->ofport || !netdev_is_dpdkr(lp->ofport->netdev)) {
        return false;
    }
    lp->name = netdev_get_name(lp->ofport->netdev);
    lp->port_id = netdev_dpdk_get_port_id(lp->ofport->netdev);
    if (lp->port_id < 0
        || rte_pmd_dpdkr_client_running(lp->port_id, &lp->running)) {
        lp->port_id = -1;
        return false;
    }
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

static void
lane_destroy(struct p2p_lane *l)
    OVS_REQUIRES(lane_mutex)
{
    hmap_remove(&lanes, &l->node);
    if (l->base) {
        struct dpdkr_region_hdr *h = ALIGNED_CAST(struct dpdkr_region_hdr *,
                                                  l->base);

        __atomic_store_n(&h->server_state, DPDKR_SERVER_CLOSED,
                         __ATOMIC_RELEASE);
        rte_pmd_dpdkr_unguard(l->guard);
        munmap(l->base, l->size);
    }
    if (l->path) {
        unlink(l->path);
        fatal_signal_remove_file_to_unlink(l->path);
    }
    VLOG_DBG("%s: lane removed", l->path);
    free(l->path);
    free(l->bridge);
    free(l);
}

/* Creates the lane file for ports 'a' and 'b', next to 'a''s region and
 * with its mode and owner, sized for 'ring_size' descriptors per ring. */
static struct p2p_lane *
lane_create(const char *bridge, const struct p2p_lport *a,
            const struct p2p_lport *b, uint32_t ring_size)
    OVS_REQUIRES(lane_mutex)
{
    const struct p2p_lport *lo = a, *hi = b;
    long long owner, group;
    struct timespec ts;
    struct statfs sfs;
    uint64_t align = 4096;
    struct p2p_lane *l;
    mode_t mode;
    char *dir;
    int fd;

    if (a->ofport->ofp_port > b->ofport->ofp_port) {
        lo = b;
        hi = a;
    }
    if (!netdev_dpdkr_lane_config(a->ofport->netdev, &dir, &mode, &owner,
                                  &group)) {
        return NULL;
    }
    l = xzalloc(sizeof *l);
    l->guard = -1;
    l->bridge = xstrdup(bridge);
    l->lo = lo->ofport->ofp_port;
    l->hi = hi->ofport->ofp_port;
    l->path = xasprintf("%s/lane-%s-%s", dir, lo->name, hi->name);
    free(dir);
    hmap_insert(&lanes, &l->node, dir_hash(bridge, l->lo));
    if (strlen(l->path) >= sizeof ((struct dpdkr_ctrl *) NULL)->lane_path[0]) {
        VLOG_WARN("%s: lane path too long", l->path);
        goto error;
    }

    unlink(l->path);
    fd = open(l->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        VLOG_WARN("%s: cannot create lane (%s)", l->path,
                  ovs_strerror(errno));
        goto error;
    }
    fatal_signal_add_file_to_unlink(l->path);
    if (fchmod(fd, mode)
        || ((owner >= 0 || group >= 0) && fchown(fd, owner, group))) {
        VLOG_WARN("%s: cannot set lane mode or owner (%s)", l->path,
                  ovs_strerror(errno));
        close(fd);
        goto error;
    }
    if (!fstatfs(fd, &sfs) && sfs.f_type == HUGETLBFS_MAGIC) {
        align = sfs.f_bsize;
    }
    l->size = dpdkr_region_layout(log_2_floor(ring_size), P2P_LANE_BUF_SIZE,
                                  align, &l->geo);
    if (!l->size || ftruncate(fd, l->size)) {
        VLOG_WARN("%s: cannot size lane (%s)", l->path, ovs_strerror(errno));
        close(fd);
        goto error;
    }
    l->base = mmap(NULL, l->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (l->base == MAP_FAILED) {
        l->base = NULL;
        VLOG_WARN("%s: cannot map lane (%s)", l->path, ovs_strerror(errno));
        goto error;
    }
    /* The applications can shrink the file under OVS's feet. */
    l->guard = rte_pmd_dpdkr_guard(l->base, l->size);
    clock_gettime(CLOCK_REALTIME, &ts);
    l->geo.epoch = (((uint64_t) ts.tv_sec << 32) ^ ts.tv_nsec ^ getpid()) | 1;
    dpdkr_region_init(l->base, &l->geo, getpid());
    VLOG_DBG("%s: lane created, %"PRIu64" bytes", l->path, l->size);
    return l;

error:
    lane_destroy(l);
    return NULL;
}

static struct dpdkr_ring *
lane_ring(const struct p2p_lane *l, uint32_t ring)
{
    return ALIGNED_CAST(struct dpdkr_ring *,
                        l->base + l->geo.ring[ring].offset);
}

/* Counters. */

/* Reads the lane's counters for 'd' (written by A's application: hostile)
 * and returns in '*dp', '*db', '*dd' how much they grew since the last
 * read.  A counter that goes backwards or jumps implausibly far is not
 * believed, so what OVS reports never goes backwards. */
static void
dir_read_counters(struct p2p_dir *d, uint64_t *dp, uint64_t *db,
                  uint64_t *dd, uint64_t *ddb)
    OVS_REQUIRES(lane_mutex)
{
    const volatile struct dpdkr_ring *r = lane_ring(d->lane, d->ring);
    uint64_t p = r->prod_packets, b = r->prod_bytes, x = r->prod_drops;
    uint64_t xb = r->prod_drop_bytes;
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

    *dp = *db = *dd = *ddb = 0;
    if (p < d->last_packets || b < d->last_bytes || x < d->last_drops
        || xb < d->last_drop_bytes
        || p - d->last_packets > UINT32_MAX
        || x - d->last_drops > UINT32_MAX
        || b - d->last_bytes > (p - d->last_packets) * DPDKR_BUF_SIZE_MAX
        || xb - d->last_drop_bytes > (x - d->last_drops) * UINT16_MAX) {
        VLOG_WARN_RL(&rl, "%s: implausible lane counters, ignored",
                     d->lane->path);
        return;
    }
    *dp = p - d->last_packets;
    *db = b - d->last_bytes;
    *dd = x - d->last_drops;
    *ddb = xb - d->last_drop_bytes;
    d->last_packets = p;
    d->last_bytes = b;
    d->last_drops = x;
    d->last_drop_bytes = xb;
}

/* Credits what 'd''s lane carried since the last time to rule R, and
 * notes it for A's and B's port statistics. */
static void
dir_credit(struct p2p_dir *d)
    OVS_REQUIRES(lane_mutex)
{
    uint64_t dp, db, dd, ddb;

    if (!d->lane || !d->lane->base) {
        return;
    }
    dir_read_counters(d, &dp, &db, &dd, &ddb);
    if (!dp && !dd) {
        return;
    }
    d->tot_packets += dp;
    d->tot_bytes += db;
    d->tot_drops += dd;

    /* Ports are credited from the main thread (dir_credit_ports()). */
    d->pend_in.rx_packets += dp + dd;
    d->pend_in.rx_bytes += db + ddb;
    d->pend_out.tx_packets += dp;
    d->pend_out.tx_bytes += db;
    d->pend_out.tx_dropped += dd;
    if (d->rule && d->rule->ofproto->ofproto_class == &ofproto_dpif_class) {
        struct dpif_flow_stats st = {
            .n_packets = dp + dd,
            .n_bytes = db + ddb,
            .used = time_msec(),
        };
        rule_dpif_credit_stats(CONTAINER_OF(d->rule, struct rule_dpif, up),
                               &st, false);
    }
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
    d->pend_in = zero;
    d->pend_out = zero;
}

/* Hand-over. */

static bool
dir_request(struct p2p_dir *d, const struct p2p_lport *p, int ring,
            uint32_t state, uint64_t old_path_seq, uint64_t lane_seq,
            uint32_t max_len, uint32_t *gen)
    OVS_REQUIRES(lane_mutex)
{
    struct dpdkr_lane_req r = {
        .state = state,
        .lane_epoch = d->lane ? d->lane->geo.epoch : 0,
        .lane_ring = d->ring,
        .max_len = max_len,
        .old_path_seq = old_path_seq,
        .lane_seq = lane_seq,
    };

    return p->port_id >= 0
           && !rte_pmd_dpdkr_lane_request(p->port_id, ring, &r,
                                          d->lane ? d->lane->path : NULL,
                                          d->lane ? &d->lane->geo : NULL,
                                          gen);
}

/* Reads the acknowledgement of ring 'ring' of port 'p' into 'a'; returns
 * true if it acknowledges generation 'gen'. */
static bool
dir_acked(const struct p2p_lport *p, int ring, uint32_t gen,
          struct dpdkr_lane_ack *a)
{
    return (p->port_id >= 0
            && !rte_pmd_dpdkr_lane_ack(p->port_id, ring, a)
            && a->generation == gen);
}

/* Returns true once OVS has received, and processed, everything A sent
 * before it left the switched path (up to 'hold_limit'), allowing for
 * packets waiting in OVS's output batches. */
static bool
dir_drained(struct p2p_dir *d, const struct p2p_lport *a)
    OVS_REQUIRES(lane_mutex)
{
    long long int now = time_msec();
    bool at_limit;
    uint32_t idx;

    if (a->port_id < 0 || rte_pmd_dpdkr_rx_state(a->port_id, &idx,
                                                 &at_limit)) {
        return true;
    }
    if (!at_limit) {
        return false;
    }
    if (!d->drained_at) {
        d->drained_at = now;
    }
    return now >= d->drained_at + DIV_ROUND_UP(flush_interval_us, 1000);
}

/* Returns true if 'seq', an index on A's port ring that A's application
 * reported (hostile), can be where A left the ring: at most a ring ahead of
 * where OVS reads it. */
static bool
dir_index_ok(const struct p2p_lport *a, uint64_t seq)
{
    uint32_t ring_size, buf_size, idx;
    bool at_limit;

    return (a->port_id >= 0
            && !rte_pmd_dpdkr_rx_state(a->port_id, &idx, &at_limit)
            && !rte_pmd_dpdkr_geometry(a->port_id, &ring_size, &buf_size)
            && (uint32_t) seq - idx <= ring_size);
}

static void
dir_hold(struct p2p_dir *d, const struct p2p_lport *a, bool hold,
         uint32_t limit)
    OVS_REQUIRES(lane_mutex)
{
    d->holding = hold;
    d->hold_limit = limit;
    d->drained_at = 0;
    if (a->port_id >= 0) {
        rte_pmd_dpdkr_rx_hold(a->port_id, hold, limit);
    }
}

static void
dir_enter(struct p2p_dir *d, enum p2p_dir_state state)
{
    d->state = state;
    d->deadline = time_msec() + P2P_LANE_TIMEOUT_MS;
}

/* Starts taking 'd' back to the switched path. */
static void
dir_start_revert(struct p2p_dir *d, const struct p2p_lport *a,
                 const char *why)
    OVS_REQUIRES(lane_mutex)
{
    VLOG_INFO("%s: port %"PRIu16" -> %"PRIu16": leaving the lane (%s)",
              d->bridge, ofp_to_u16(d->in), ofp_to_u16(d->out), why);
    if (!dir_request(d, a, DPDKR_RING_C2S, DPDKR_LANE_SWITCHED, 0, 0, 0,
                     &d->gen_tx)) {
        d->gen_tx = 0;
    }
    dir_enter(d, DIR_REVERT_TX);
}

/* Tells B to finish the old paths and go on switched, then waits. */
static void
dir_ask_rx_revert(struct p2p_dir *d, const struct p2p_lport *b)
    OVS_REQUIRES(lane_mutex)
{
    uint32_t x_b = 0;

    if (b->port_id >= 0) {
        rte_pmd_dpdkr_tx_head(b->port_id, &x_b);
    }
    if (!dir_request(d, b, DPDKR_RING_S2C, DPDKR_LANE_SWITCHED, x_b,
                     d->lane_seq, 0, &d->gen_rx)) {
        d->gen_rx = 0;
    }
    dir_enter(d, DIR_REVERT_RX);
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
    if (a->ofport) {
        netdev_dpdkr_set_rx_bypassed(a->ofport->netdev, false);
    }
    if (d->lane && !--d->lane->users) {
        lane_destroy(d->lane);
    }
    d->lane = NULL;
    if (d->rule) {
        ofproto_rule_unref(d->rule);
        d->rule = NULL;
    }
    VLOG_INFO("%s: port %"PRIu16" -> %"PRIu16": switched", d->bridge,
              ofp_to_u16(d->in), ofp_to_u16(d->out));
    d->out = OFPP_NONE;
    d->state = DIR_IDLE;
}

/* Forces the revert on without A's cooperation: A does not answer. */
static void
dir_force_revert(struct p2p_dir *d, const struct p2p_lport *a,
                 const struct p2p_lport *b, const char *why)
    OVS_REQUIRES(lane_mutex)
{
    /* An application that sends nothing never answers, so this is not
     * necessarily a problem. */
    VLOG_INFO("%s: port %"PRIu16" -> %"PRIu16": %s; taking the direction "
              "back to the switched path without it", d->bridge,
              ofp_to_u16(d->in), ofp_to_u16(d->out), why);
    /* Whatever A has put on the lane is for B to finish. */
    d->lane_seq = d->lane ? dpdkr_load_acquire(
        &lane_ring(d->lane, d->ring)->head) : 0;
    dir_hold(d, a, false, 0);
    if (a->ofport) {
        netdev_dpdkr_set_rx_bypassed(a->ofport->netdev, false);
    }
    dir_ask_rx_revert(d, b);
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
    } else if (d->state == DIR_IDLE && time_msec() < d->retry_after) {
        *why = "an application refused the lane; retrying soon";
    }
    return !*why;
}

/* Returns the direction other than 'd' that has a lane into port 'out' of
 * 'd''s bridge, if any: an application's receive side reads one lane. */
static const struct p2p_dir *
dir_lane_into(const struct p2p_dir *d, ofp_port_t out)
    OVS_REQUIRES(lane_mutex)
{
    const struct p2p_dir *o;

    HMAP_FOR_EACH (o, node, &dirs) {
        if (o != d && o->state != DIR_IDLE && o->out == out
            && !strcmp(o->bridge, d->bridge)) {
            return o;
        }
    }
    return NULL;
}

static void
dir_run(struct p2p_dir *d)
    OVS_REQUIRES(lane_mutex)
{
    struct ofproto *ofproto = ofproto_lookup(d->bridge);
    ofp_port_t out = d->state == DIR_IDLE ? d->want_out : d->out;
    long long int now = time_msec();
    struct p2p_lport a, b;
    struct dpdkr_lane_ack ack;
    const char *why;
    bool a_ok, b_ok, want;

    a_ok = lport_get(ofproto, d->in, &a);
    b_ok = out != OFPP_NONE && lport_get(ofproto, out, &b);
    if (!b_ok) {
        memset(&b, 0, sizeof b);
        b.port_id = -1;
    }
    want = dir_wanted(d, &a, a_ok, &b, b_ok, &why)
           && (d->state == DIR_IDLE || d->want_out == d->out);
    if (want && d->state == DIR_IDLE && dir_lane_into(d, out)) {
        want = false;
        why = "the output port already receives another lane";
    }
    if (why || !want) {
        dir_set_note(d, why ? why : "peer changed");
    }

    switch (d->state) {
    case DIR_IDLE: {
        uint32_t ring_size, buf_size;
        ofp_port_t lo, hi;
        int mtu;

        if (!want) {
            break;
        }
        lo = MIN(d->in, out);
        hi = MAX(d->in, out);
        d->out = out;
        d->lane = lane_find(d->bridge, lo, hi);
        if (!d->lane) {
            if (rte_pmd_dpdkr_geometry(a.port_id, &ring_size, &buf_size)) {
                d->out = OFPP_NONE;
                break;
            }
            d->lane = lane_create(d->bridge, &a, &b, ring_size);
            if (!d->lane) {
                d->retry_after = now + P2P_LANE_RETRY_MS;
                dir_set_note(d, "cannot create the lane");
                d->out = OFPP_NONE;
                break;
            }
        }
        d->lane->users++;
        d->ring = d->in == lo ? 0 : 1;
        d->last_packets = d->last_bytes = d->last_drops = 0;
        d->last_drop_bytes = 0;
        /* B's frame length limit, as netdev-dpdk enforces it. */
        if (netdev_get_mtu(b.ofport->netdev, &mtu)) {
            mtu = ETH_PAYLOAD_MAX;
        }
        if (!dir_request(d, &a, DPDKR_RING_C2S, DPDKR_LANE_DIRECT, 0, 0,
                         mtu + ETH_HEADER_LEN + 4, &d->gen_tx)) {
            dir_finish(d, ofproto, &a);
            break;
        }
        dir_set_note(d, NULL);
        dir_enter(d, DIR_ASK_TX);
        break;
    }

    case DIR_ASK_TX:
        if (dir_acked(&a, DPDKR_RING_C2S, d->gen_tx, &ack)) {
            if (ack.state != DPDKR_LANE_DIRECT) {
                VLOG_WARN("%s: port %"PRIu16": the application refused the "
                          "lane", d->bridge, ofp_to_u16(d->in));
                d->retry_after = now + P2P_LANE_RETRY_MS;
                dir_finish(d, ofproto, &a);
                break;
            }
            /* A's ring head where it left: OVS reads up to there. */
            if (!dir_index_ok(&a, ack.old_path_seq)) {
                dir_force_revert(d, &a, &b, "the application reported an "
                                 "impossible ring index");
                break;
            }
            VLOG_DBG("%s: port %"PRIu16" -> %"PRIu16": the input "
                     "application sends into the lane", d->bridge,
                     ofp_to_u16(d->in), ofp_to_u16(d->out));
            dir_hold(d, &a, true, ack.old_path_seq);
            dir_enter(d, DIR_DRAIN);
        } else if (!want) {
            dir_start_revert(d, &a, why ? why : "peer changed");
        }
        /* An application that never sends never answers: it has nothing
         * to send through the lane either, so the request stays. */
        break;

    case DIR_DRAIN:
        if (dir_drained(d, &a)) {
            uint32_t x_b = 0;

            rte_pmd_dpdkr_tx_head(b.port_id, &x_b);
            if (a.ofport) {
                netdev_dpdkr_set_rx_bypassed(a.ofport->netdev, true);
            }
            if (!dir_request(d, &b, DPDKR_RING_S2C, DPDKR_LANE_DIRECT, x_b,
                             0, 0, &d->gen_rx)) {
                dir_start_revert(d, &a, "cannot reach the output port");
                break;
            }
            d->since = time_wall_msec();
            d->next_credit = now + P2P_LANE_CREDIT_MS;
            d->n_direct++;
            dir_enter(d, DIR_ASK_RX);
        } else if (now > d->deadline) {
            dir_start_revert(d, &a, "OVS did not finish the switched path "
                             "in time");
        }
        break;

    case DIR_ASK_RX:
    case DIR_DIRECT:
        if (d->state == DIR_ASK_RX
            && dir_acked(&b, DPDKR_RING_S2C, d->gen_rx, &ack)) {
            if (ack.state != DPDKR_LANE_DIRECT) {
                d->retry_after = now + P2P_LANE_RETRY_MS;
                dir_start_revert(d, &a, "the output application refused "
                                 "the lane");
                break;
            }
            VLOG_INFO("%s: port %"PRIu16" -> %"PRIu16": direct (%s)",
                      d->bridge, ofp_to_u16(d->in), ofp_to_u16(d->out),
                      d->lane->path);
            d->state = DIR_DIRECT;
        }
        if (!want) {
            dir_credit(d);
            dir_start_revert(d, &a, why ? why : "peer changed");
        } else if (now >= d->next_credit) {
            dir_credit(d);
            d->next_credit = now + P2P_LANE_CREDIT_MS;
        }
        dir_credit_ports(d, ofproto);
        break;

    case DIR_REVERT_TX:
        if (dir_acked(&a, DPDKR_RING_C2S, d->gen_tx, &ack)) {
            /* 'ack' is read once: checked, then used. */
            if (!dir_index_ok(&a, ack.old_path_seq)) {
                dir_force_revert(d, &a, &b, "the application reported an "
                                 "impossible ring index");
                break;
            }
            VLOG_DBG("%s: port %"PRIu16" -> %"PRIu16": the input "
                     "application sends to OVS again", d->bridge,
                     ofp_to_u16(d->in), ofp_to_u16(d->out));
            d->lane_seq = ack.lane_seq;
            dir_credit(d);
            if (!d->holding || d->hold_limit != (uint32_t) ack.old_path_seq
                || !d->drained_at) {
                /* A sent to OVS in between: finish that first. */
                dir_hold(d, &a, true, ack.old_path_seq);
                if (a.ofport) {
                    netdev_dpdkr_set_rx_bypassed(a.ofport->netdev, false);
                }
                dir_enter(d, DIR_REVERT_DRAIN);
            } else {
                dir_ask_rx_revert(d, &b);
            }
        } else if (!a.running) {
            dir_force_revert(d, &a, &b, "the input application is gone");
        } else if (now > d->deadline) {
            uint32_t busy = 0;

            /* Only an application outside its transmit burst is sure to
             * see the request before it sends again (dpdkr-abi.h). */
            rte_pmd_dpdkr_busy(a.port_id, DPDKR_RING_C2S, &busy);
            if (!(busy & 1)) {
                dir_force_revert(d, &a, &b, "the input application did "
                                 "not answer (it has nothing to send)");
            } else if (now > d->deadline + P2P_LANE_STUCK_MS) {
                VLOG_WARN("%s: port %"PRIu16": the application has been "
                          "inside a transmit burst for %d s", d->bridge,
                          ofp_to_u16(d->in),
                          (P2P_LANE_TIMEOUT_MS + P2P_LANE_STUCK_MS) / 1000);
                dir_force_revert(d, &a, &b, "the input application is "
                                 "stuck");
            }
        }
        break;

    case DIR_REVERT_DRAIN:
        if (dir_drained(d, &a)) {
            dir_ask_rx_revert(d, &b);
        } else if (!a.running || now > d->deadline) {
            dir_force_revert(d, &a, &b, "OVS did not finish the input in "
                             "time");
        }
        break;

    case DIR_REVERT_RX:
        if (dir_acked(&b, DPDKR_RING_S2C, d->gen_rx, &ack) || !b.running) {
            dir_finish(d, ofproto, &a);
        } else if (now > d->deadline) {
            uint32_t busy = 0;

            /* An application inside a receive burst that read the old
             * request may still read the lane and then its port ring:
             * OVS sends A's packets there only once it is out of such a
             * burst, so that its next one sees the request first
             * (dpdkr-abi.h). */
            rte_pmd_dpdkr_busy(b.port_id, DPDKR_RING_S2C, &busy);
            if (!(busy & 1)) {
                VLOG_WARN("%s: port %"PRIu16": the output application "
                          "did not finish the lane in time; it will "
                          "finish it before reading anything new",
                          d->bridge, ofp_to_u16(d->out));
                dir_finish(d, ofproto, &a);
            } else if (now > d->deadline + P2P_LANE_STUCK_MS) {
                VLOG_WARN("%s: port %"PRIu16": the application has been "
                          "inside a receive burst for %d s", d->bridge,
                          ofp_to_u16(d->out),
                          (P2P_LANE_TIMEOUT_MS + P2P_LANE_STUCK_MS) / 1000);
                dir_finish(d, ofproto, &a);
            }
        }
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
        d->want_out = want;
    }
    ovs_mutex_unlock(&lane_mutex);
    seq_change(lane_seq_obj);
}

void
p2p_lane_run(void)
{
    struct p2p_dir **todo;
    struct p2p_dir *d;
    size_t n = 0, i;

    p2p_lane_init();
    lane_seq_last = seq_read(lane_seq_obj);

    /* Refresh the references to the rules, outside the lock (the detector
     * calls the listener with its own lock held). */
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
        struct rule *rule = (ofproto
                             ? p2p_detector_ref_rule(ofproto, todo[i]->in)
                             : NULL);

        ovs_mutex_lock(&lane_mutex);
        if (rule && rule != todo[i]->rule) {
            ofproto_rule_unref(todo[i]->rule);
            todo[i]->rule = rule;
        } else if (rule) {
            ofproto_rule_unref(rule);
        }
        ovs_mutex_unlock(&lane_mutex);
    }
    free(todo);

    ovs_mutex_lock(&lane_mutex);
    HMAP_FOR_EACH_SAFE (d, node, &dirs) {
        dir_run(d);
        if (d->state == DIR_IDLE && d->want_out == OFPP_NONE
            && !d->forced) {
            hmap_remove(&dirs, &d->node);
            free(d->note);
            free(d->bridge);
            free(d);
        }
    }
    ovs_mutex_unlock(&lane_mutex);
}

void
p2p_lane_wait(void)
{
    struct p2p_dir *d;

    p2p_lane_init();
    seq_wait(lane_seq_obj, lane_seq_last);
    ovs_mutex_lock(&lane_mutex);
    HMAP_FOR_EACH (d, node, &dirs) {
        /* Time spent in the current step. */
        long long int waited = (time_msec() + P2P_LANE_TIMEOUT_MS
                                - d->deadline);

        if (d->state == DIR_DIRECT) {
            poll_timer_wait_until(d->next_credit);
        } else if (d->state == DIR_IDLE) {
            if (d->want_out != OFPP_NONE) {
                /* Waiting for applications to attach: check now and
                 * then. */
                poll_timer_wait(100);
            }
        } else if (waited < 10) {
            /* A running application answers within microseconds, and
             * OVS's PMD drains a ring as fast. */
            poll_immediate_wake();
        } else if (waited < 100) {
            poll_timer_wait(1);
        } else if (d->state == DIR_ASK_RX) {
            /* Direct already: an application that reads nothing may
             * never answer. */
            poll_timer_wait_until(d->next_credit);
        } else {
            /* Slow or stuck (each step has a deadline): no need to spin
             * the main thread while it lasts. */
            poll_timer_wait(10);
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
                      "%"PRIu64" bytes, %"PRIu64" dropped)", d->lane->path,
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
        p2p_detector_set_describer(p2p_lane_describe);
        unixctl_command_register("p2p/force-switched", "BRIDGE PORT [on|off]",
                                 2, 3, p2p_unixctl_force_switched, NULL);
        ovsthread_once_done(&once);
    }
}
