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

/* dpdkr-hostile: a hostile client of a dpdkr port.
 *
 * Usage: dpdkr-hostile --path REGION [--seconds S] [--seed N] [--mode MODE]
 *                      [--truncate]
 *
 * --truncate: after its run, shrinks the region file to one page under the
 * server's feet (a server that does not guard its accesses dies of SIGBUS)
 * and exits; in lane mode, answers every lane request correctly and sends
 * nothing to its port ring while it has a lane (so that it still has its
 * lane at the end; it writes garbage into the lane all the same), shrinks
 * the lane file instead, and exits a second later.
 *
 * Attaches to the dpdkr region file REGION as an application would (maps it
 * shared, takes the client's lock (dpdkr_client_lock()), sets client_state to
 * RUNNING) and then, for S seconds (default 3, or until SIGTERM, after which
 * it prints its counts and exits as if its time were up) at full speed, with
 * pseudo-random choices drawn from seed N (default: from the time and pid,
 * printed), does what MODE says:
 *
 *   garbage (default)   Mostly writes garbage: the client-to-server ring's
 *                       head and descriptors (random, huge, and just past
 *                       the end of the buffer area or of a slot), the
 *                       server-to-client ring's tail, every counter of both
 *                       rings, and header fields (geometry, magic, server
 *                       and client state), with well-formed packets in
 *                       between (valid descriptors over an Ethernet frame),
 *                       so that the server forwards some traffic, and
 *                       reads of what the server sends.
 *
 *   valid-then-garbage  Well-formed traffic only for the first half of the
 *                       time, then as 'garbage'.
 *
 *   valid               Well-formed traffic only (a baseline).
 *
 *   raw                 Random bytes at random offsets anywhere in the file
 *                       (for a region whose header is not valid, too).
 *
 *   lane                A lane sender gone bad: sends well-formed traffic,
 *                       answers the switch's lane requests on its
 *                       transmit side, mostly correctly (so that the
 *                       switch makes the direction direct) but sometimes
 *                       with garbage acknowledgements (of even generations,
 *                       which the switch reads, and odd ones, which it must
 *                       refuse as being written), and once it has a
 *                       lane writes into it well-formed packets mixed with
 *                       garbage heads, tails, descriptors and counters
 *                       (counters that go backwards and jump).
 *
 *   receiver-stuck      A lane receiver that hangs inside a receive burst:
 *                       accepts the first request to read a lane (so the
 *                       direction goes direct), then marks itself inside
 *                       a lane receive burst (ack[S2C].rx_busy odd) and
 *                       answers nothing more.  The switch must not send
 *                       the input's packets to this port until it gives up
 *                       on it (P2P_LANE_STUCK_MS later).
 *
 *   receiver-silent     The same, but outside any burst (rx_busy even):
 *                       the switch may go back to the switched path once
 *                       its time limit for an answer has passed.
 *
 *   bad-index           A lane sender that sends well-formed traffic and
 *                       answers every request to use a lane with an
 *                       impossible ring index (two rings and more behind
 *                       where it is), every other request correctly, and
 *                       never writes into a lane.  Its transmit burst
 *                       marker stays odd, so the switch always waits for
 *                       its answer.  The switch must back off instead of
 *                       offering lanes in a loop.
 *
 * The program only ever writes inside its own mapping: it validates the
 * header once, keeps a private copy of the geometry and never reads the
 * header again, and every store goes through a bounds-checked helper.
 *
 * The client lock is taken with dpdkr_client_lock(), like net_dpdkr does;
 * the server's probe for it takes no lock, so it never races with it.
 *
 * Exit status: 0 when it ran its course (it then prints what it did, one
 * "name: count" per line), 1 if it could not attach (no such file, region
 * not valid, another client holds the lock), 2 on a usage error. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dpdkr-ring.h"

#define ARRAY_SIZE(A) (sizeof (A) / sizeof (A)[0])

enum mode {
    MODE_GARBAGE,
    MODE_VALID_THEN_GARBAGE,
    MODE_VALID,
    MODE_RAW,
    MODE_LANE,
    MODE_RECEIVER_STUCK,
    MODE_RECEIVER_SILENT,
    MODE_BAD_INDEX,
};

/* What the program did. */
struct counts {
    uint64_t c2s_packets;       /* Well-formed packets sent. */
    uint64_t c2s_full;          /* Sends refused: ring full. */
    uint64_t s2c_packets;       /* Packets received from the server. */
    uint64_t s2c_bad;           /* Bad descriptors or indexes received. */
    uint64_t head_writes;       /* Garbage C2S heads. */
    uint64_t desc_writes;       /* Garbage C2S descriptors. */
    uint64_t tail_writes;       /* Garbage S2C tails. */
    uint64_t counter_writes;    /* Garbage counters. */
    uint64_t header_writes;     /* Garbage header fields. */
    uint64_t raw_writes;        /* Random bytes anywhere. */
    uint64_t acks;              /* Correct lane acknowledgements. */
    uint64_t bad_acks;          /* Garbage lane acknowledgements. */
    uint64_t lane_packets;      /* Well-formed packets sent on a lane. */
    uint64_t lane_writes;       /* Garbage written into a lane. */
};

/* Where packet bytes are read into, so that reading them is not optimized
 * away. */
static volatile uint32_t sink;

/* The mapping of the region. */
static uint8_t *map_base;
static uint64_t map_size;

/* Stores 'size' bytes of 'value' at 'offset' of the mapping, refusing
 * (fatally) to store anything outside it. */
static void
store(uint64_t offset, const void *value, size_t size)
{
    if (offset > map_size || size > map_size - offset) {
        fprintf(stderr, "dpdkr-hostile: bug: store of %zu bytes at %"PRIu64
                " outside the %"PRIu64"-byte mapping\n", size, offset,
                map_size);
        __builtin_trap();
    }
    memcpy(map_base + offset, value, size);
}

static void
store32(uint64_t offset, uint32_t v)
{
    store(offset, &v, sizeof v);
}

static void
store64(uint64_t offset, uint64_t v)
{
    store(offset, &v, sizeof v);
}

/* Pseudo-random numbers (splitmix64). */
static uint64_t prng_state;

static uint64_t
prng(void)
{
    uint64_t z = (prng_state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint32_t
prng_below(uint32_t n)
{
    return prng() % n;
}

/* A 32-bit value a hostile peer would try, near 'ref' or special. */
static uint32_t
evil32(uint32_t ref)
{
    static const uint32_t specials[] = {
        0, 1, 63, 64, 255, 256, 65535, 65536, 0x7fffffff, 0x80000000,
        0xfffffffe, 0xffffffff,
    };

    switch (prng_below(4)) {
    case 0:
        return specials[prng_below(ARRAY_SIZE(specials))];
    case 1:
        return ref + prng_below(9) - 4;
    case 2:
        return ref + (UINT32_C(1) << prng_below(32));
    default:
        return prng();
    }
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The client's side of the region. */
struct client {
    struct dpdkr_geometry g;
    struct dpdkr_ring_view tx;  /* C2S, as producer. */
    struct dpdkr_ring_view rx;  /* S2C, as consumer. */
};

/* Offset of 'p', a pointer into the mapping. */
static uint64_t
off_of(const void *p)
{
    return (const uint8_t *) p - map_base;
}

/* Sends a burst of well-formed packets: a UDP-in-IPv4 Ethernet frame of 60
 * to 1514 bytes (capped to the slot size) per valid descriptor. */
static void
send_valid(struct client *c, struct counts *n)
{
    static const uint8_t frame[] = {
        0x50, 0x54, 0x00, 0x00, 0x00, 0x07,     /* dst */
        0x50, 0x54, 0x00, 0x00, 0x00, 0x05,     /* src */
        0x08, 0x00,                             /* IPv4 */
        0x45, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
        0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,   /* IPv4 header */
        0x00, 0x01, 0x00, 0x02, 0x00, 0x1a, 0x00, 0x00, /* UDP header */
    };
    uint32_t burst = 1 + prng_below(32);
    uint32_t space = dpdkr_prod_space(&c->tx);
    uint32_t i, count = space < burst ? space : burst;

    for (i = 0; i < count; i++) {
        uint32_t len = 60 + prng_below(1455);
        uint8_t *p = dpdkr_prod_buf(&c->tx, i);

        if (len > c->tx.buf_size) {
            len = c->tx.buf_size;
        }
        store(off_of(p), frame, sizeof frame);
        dpdkr_prod_fill(&c->tx, i, len);
    }
    dpdkr_prod_publish(&c->tx, count);
    n->c2s_packets += count;
    n->c2s_full += burst - count;
}

/* Receives a burst from the server, reading every byte of every packet. */
static void
recv_valid(struct client *c, struct counts *n)
{
    uint64_t bad = c->rx.bad_desc + c->rx.bad_index;
    uint32_t avail = dpdkr_cons_avail(&c->rx, 32);
    uint64_t bytes = 0;
    uint32_t i, good = 0, sum = 0;

    for (i = 0; i < avail; i++) {
        struct dpdkr_desc d;
        const uint8_t *p = dpdkr_cons_desc(&c->rx, i, UINT32_MAX, &d);
        uint32_t j;

        if (p) {
            for (j = 0; j < d.len; j++) {
                sum += p[j];
            }
            good++;
            bytes += d.len;
        }
    }
    dpdkr_cons_release(&c->rx, avail, good, bytes);
    sink += sum;
    n->s2c_packets += good;
    n->s2c_bad += c->rx.bad_desc + c->rx.bad_index - bad;
}

/* Writes one piece of garbage. */
static void
garbage(struct client *c, struct counts *n)
{
    const struct dpdkr_ring_info *tx = &c->g.ring[DPDKR_RING_C2S];
    const struct dpdkr_ring_info *rx = &c->g.ring[DPDKR_RING_S2C];
    uint64_t txr = tx->offset, rxr = rx->offset;
    uint32_t area = tx->buf_area_size, bs = tx->buf_size;

    switch (prng_below(8)) {
    case 0:
        /* C2S head: garbage, or plausible over garbage descriptors. */
        store32(txr + offsetof(struct dpdkr_ring, head),
                prng_below(2) ? evil32(c->tx.idx)
                : c->tx.idx + prng_below(c->tx.size + 1));
        n->head_writes++;
        break;
    case 1:
    case 2: {
        /* C2S descriptors, including ones that reach just past the end of
         * the buffer area or of a slot, and huge ones. */
        uint32_t slot = (c->tx.idx + prng_below(64)) & c->tx.mask;
        uint64_t d = txr + DPDKR_RING_HDR_SIZE
                     + (uint64_t) slot * sizeof(struct dpdkr_desc);
        uint32_t len = 1 + prng_below(bs);
        struct dpdkr_desc v;

        switch (prng_below(4)) {
        case 0:
            v.offset = area - len + 1;
            v.len = len;
            break;
        case 1:
            v.offset = slot * bs;
            v.len = bs + 1;
            break;
        case 2:
            v.offset = evil32(area);
            v.len = evil32(bs);
            break;
        default:
            v.offset = prng();
            v.len = prng();
            break;
        }
        v.flags = prng_below(4) ? 0 : prng();
        v.rsvd0 = prng();
        v.rsvd1 = prng();
        store(d, &v, sizeof v);
        n->desc_writes++;
        break;
    }
    case 3:
        /* S2C tail. */
        store32(rxr + offsetof(struct dpdkr_ring, tail),
                prng_below(2) ? evil32(c->rx.idx) : (uint32_t) prng());
        n->tail_writes++;
        break;
    case 4: {
        /* Counters of both rings, both sides'. */
        static const size_t offs[] = {
            offsetof(struct dpdkr_ring, prod_packets),
            offsetof(struct dpdkr_ring, prod_bytes),
            offsetof(struct dpdkr_ring, prod_drops),
            offsetof(struct dpdkr_ring, cons_packets),
            offsetof(struct dpdkr_ring, cons_bytes),
            offsetof(struct dpdkr_ring, cons_errors),
        };
        size_t i;

        for (i = 0; i < ARRAY_SIZE(offs); i++) {
            store64(txr + offs[i], prng());
            store64(rxr + offs[i], prng_below(2) ? UINT64_MAX : prng());
        }
        n->counter_writes++;
        break;
    }
    case 5: {
        /* A header field, geometry included. */
        static const size_t offs[] = {
            offsetof(struct dpdkr_region_hdr, magic),
            offsetof(struct dpdkr_region_hdr, hdr_size),
            offsetof(struct dpdkr_region_hdr, region_size),
            offsetof(struct dpdkr_region_hdr, n_rings),
            offsetof(struct dpdkr_region_hdr, ctrl_offset),
            offsetof(struct dpdkr_region_hdr, ring[0].offset),
            offsetof(struct dpdkr_region_hdr, ring[0].buf_offset),
            offsetof(struct dpdkr_region_hdr, ring[0].log2_size),
            offsetof(struct dpdkr_region_hdr, ring[0].buf_area_size),
            offsetof(struct dpdkr_region_hdr, ring[1].offset),
            offsetof(struct dpdkr_region_hdr, ring[1].buf_offset),
            offsetof(struct dpdkr_region_hdr, ring[1].log2_size),
            offsetof(struct dpdkr_region_hdr, ring[1].buf_area_size),
            offsetof(struct dpdkr_region_hdr, server_state),
            offsetof(struct dpdkr_region_hdr, client_state),
        };

        store32(offs[prng_below(ARRAY_SIZE(offs))], evil32(0));
        n->header_writes++;
        break;
    }
    case 6:
        /* Anything in the control block. */
        store64(c->g.ctrl_offset + prng_below(DPDKR_CTRL_SIZE / 8) * 8,
                prng());
        n->header_writes++;
        break;
    default:
        /* S2C descriptors (which only the server should write). */
        store64(rxr + DPDKR_RING_HDR_SIZE
                + (uint64_t) (prng() & c->rx.mask)
                  * sizeof(struct dpdkr_desc), prng());
        n->desc_writes++;
        break;
    }
}

/* Writes random bytes anywhere in the mapping. */
static void
raw(struct counts *n)
{
    uint64_t v = prng();
    uint64_t off = prng() % map_size;
    size_t size = 1 + prng_below(8);

    if (size > map_size - off) {
        size = map_size - off;
    }
    store(off, &v, size);
    n->raw_writes++;
}

static void
usage(void)
{
    printf("usage: dpdkr-hostile --path REGION [--seconds S] [--seed N] "
           "[--mode garbage|valid-then-garbage|valid|raw|lane|"
           "receiver-stuck|receiver-silent|bad-index] [--truncate]\n");
}

static volatile sig_atomic_t stop_requested;

static void
on_sigterm(int sig)
{
    (void) sig;
    stop_requested = 1;
}

/* Lane mode. */

static int
truncate_path(const char *path)
{
    return truncate(path, 4096);
}

struct lane {
    char path[256];
    uint8_t *base;              /* NULL if none. */
    uint64_t size;
    uint64_t epoch;
    struct dpdkr_geometry g;
    struct dpdkr_ring_view v;   /* The ring of the lane we send into. */
};

static uint32_t lane_gen;       /* Last request generation seen. */
static bool lane_granted;       /* Has the switch given a lane yet? */
static bool lane_polite;        /* --truncate: keep the lane once given. */
static bool lane_bad_index;     /* Mode bad-index. */
static struct lane lane;

/* Stores 'size' bytes of 'value' at 'offset' of the lane's mapping, if it
 * fits. */
static void
lane_store(uint64_t offset, const void *value, size_t size)
{
    if (offset > lane.size || size > lane.size - offset) {
        fprintf(stderr, "dpdkr-hostile: bug: lane store out of bounds\n");
        __builtin_trap();
    }
    memcpy(lane.base + offset, value, size);
}

static void
lane_unmap(void)
{
    if (lane.base) {
        munmap(lane.base, lane.size);
    }
    memset(&lane, 0, sizeof lane);
}

/* Maps the lane named in the control block for request 'r'. */
static void
lane_map(const struct dpdkr_ctrl *ctrl, const struct dpdkr_lane_req *r)
{
    char path[sizeof ctrl->lane_path[0]];
    struct stat st;
    void *p;
    int fd;

    if (lane.base && lane.epoch == r->lane_epoch) {
        return;
    }
    lane_unmap();
    memcpy(path, (const void *) ctrl->lane_path[DPDKR_RING_C2S], sizeof path);
    path[sizeof path - 1] = '\0';
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return;
    }
    if (fstat(fd, &st) || st.st_size < DPDKR_HDR_SIZE) {
        close(fd);
        return;
    }
    p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        return;
    }
    lane.base = p;
    lane.size = st.st_size;
    memcpy(lane.path, path, sizeof lane.path);
    if (dpdkr_region_validate(lane.base, lane.size, &lane.g)
        || r->lane_ring >= DPDKR_N_RINGS) {
        lane_unmap();
        return;
    }
    lane.epoch = r->lane_epoch;
    dpdkr_ring_view_init(&lane.v, lane.base, &lane.g, r->lane_ring, 0);
    lane.v.idx = __atomic_load_n(&lane.v.ring->head, __ATOMIC_ACQUIRE);
}

/* Answers a new request on the transmit side, mostly correctly. */
static void
lane_answer(struct client *c, struct dpdkr_ctrl *ctrl, struct counts *n)
{
    uint32_t gen = __atomic_load_n(&ctrl->req[DPDKR_RING_C2S].generation,
                                   __ATOMIC_ACQUIRE);
    struct dpdkr_lane_req r;
    struct dpdkr_lane_ack a = { .switched_ns = 0 };

    if (gen == lane_gen || !dpdkr_lane_req_read(&ctrl->req[DPDKR_RING_C2S],
                                                gen, &r)) {
        return;
    }
    lane_gen = gen;
    if (r.state == DPDKR_LANE_DIRECT) {
        lane_map(ctrl, &r);
    }
    a.generation = gen;
    a.state = r.state == DPDKR_LANE_DIRECT && lane.base
              ? DPDKR_LANE_DIRECT : DPDKR_LANE_SWITCHED;
    a.old_path_seq = c->tx.idx;
    a.lane_seq = lane.base ? lane.v.idx : 0;
    if (lane_bad_index) {
        if (a.state == DPDKR_LANE_DIRECT) {
            /* Two rings and more behind where it is: the switch has read
             * past it, so it stays impossible however late the switch
             * checks it.  (An index ahead becomes plausible once the
             * switch has read far enough, which a liar that goes on
             * sending to its port ring brings about within
             * milliseconds.) */
            a.old_path_seq = c->tx.idx - 2 * c->tx.size - prng_below(1000);
            n->bad_acks++;
        } else {
            n->acks++;
        }
    } else if (lane_granted && !lane_polite && prng_below(4) == 0) {
        /* Garbage (only once the switch has given a lane, so that it
         * does): wrong indexes, states, generations. */
        a.state = evil32(a.state);
        a.old_path_seq = evil32(a.old_path_seq);
        a.lane_seq = prng();
        a.switched_ns = prng();         /* Any time at all. */
        if (prng_below(2)) {
            /* Half of them even, as the ABI's seqlock wants a finished
             * acknowledgement (so the switch reads, and must check, the
             * rest), half odd (so it must refuse to read them). */
            a.generation = evil32(gen);
            a.generation = prng_below(2) ? a.generation & ~UINT32_C(1)
                                         : a.generation | 1;
        }
        n->bad_acks++;
    } else {
        n->acks++;
    }
    dpdkr_lane_ack_publish(&ctrl->ack[DPDKR_RING_C2S], &a);
    if (a.state != DPDKR_LANE_DIRECT) {
        lane_unmap();
    } else {
        lane_granted = true;
    }
}

/* Sends into the lane or writes garbage into it. */
static void
lane_abuse(struct counts *n)
{
    struct dpdkr_ring *r = lane.v.ring;
    uint8_t *base = (uint8_t *) r;
    uint64_t roff = base - lane.base;

    switch (prng_below(6)) {
    case 0:
    case 1: {
        uint32_t i, k = dpdkr_prod_space(&lane.v);

        k = k < 32 ? k : 32;
        for (i = 0; i < k; i++) {
            memset(dpdkr_prod_buf(&lane.v, i), 0x5a, 60);
            dpdkr_prod_fill(&lane.v, i, 60);
        }
        dpdkr_prod_publish(&lane.v, k);
        n->lane_packets += k;
        break;
    }
    case 2: {
        uint32_t v = evil32(lane.v.idx);

        lane_store(roff + offsetof(struct dpdkr_ring, head), &v, sizeof v);
        break;
    }
    case 3: {
        uint64_t v = prng_below(2) ? prng() : evil32(lane.v.packets);
        static const size_t offs[] = {
            offsetof(struct dpdkr_ring, prod_packets),
            offsetof(struct dpdkr_ring, prod_bytes),
            offsetof(struct dpdkr_ring, prod_drops),
            offsetof(struct dpdkr_ring, prod_drop_bytes),
        };

        lane_store(roff + offs[prng_below(4)], &v, sizeof v);
        break;
    }
    case 4: {
        struct dpdkr_desc d = {
            .offset = evil32(0), .len = evil32(60), .flags = prng(),
        };
        uint64_t slot = prng_below(lane.v.size);

        lane_store(roff + offsetof(struct dpdkr_ring, desc)
                   + slot * sizeof d, &d, sizeof d);
        break;
    }
    default: {
        uint32_t v = evil32(lane.v.idx);

        lane_store(roff + offsetof(struct dpdkr_ring, tail), &v, sizeof v);
        break;
    }
    }
    n->lane_writes++;
}

/* Modes receiver-stuck and receiver-silent: see the top of the file. */
static int
receiver(struct client *c, bool stuck, double seconds)
{
    struct dpdkr_ctrl *ctrl = (struct dpdkr_ctrl *) (map_base
                                                     + c->g.ctrl_offset);
    const struct dpdkr_lane_req *shared = &ctrl->req[DPDKR_RING_S2C];
    uint32_t gen0 = __atomic_load_n(&shared->generation, __ATOMIC_ACQUIRE);
    uint32_t busy = 0;
    bool accepted = false;
    double start = now();

    /* As net_dpdkr does when it starts: outside any burst. */
    store32(c->g.ctrl_offset + offsetof(struct dpdkr_ctrl, ack[DPDKR_RING_S2C])
            + offsetof(struct dpdkr_lane_ack, rx_busy), busy);
    printf("dpdkr-hostile: receiver, %s\n",
           stuck ? "stuck inside a lane receive burst" : "silent");
    fflush(stdout);
    while (now() - start < seconds) {
        uint32_t gen = __atomic_load_n(&shared->generation, __ATOMIC_ACQUIRE);
        struct dpdkr_lane_req r;

        if (!accepted && gen != gen0 && dpdkr_lane_req_read(shared, gen, &r)
            && r.state == DPDKR_LANE_DIRECT) {
            struct dpdkr_lane_ack a = {
                .generation = gen, .state = DPDKR_LANE_DIRECT,
                .old_path_seq = r.old_path_seq,
            };

            if (stuck) {
                /* As net_dpdkr does at the start of a burst in DIRECT. */
                busy = 1;
                store32(c->g.ctrl_offset
                        + offsetof(struct dpdkr_ctrl, ack[DPDKR_RING_S2C])
                        + offsetof(struct dpdkr_lane_ack, rx_busy), busy);
                __atomic_thread_fence(__ATOMIC_SEQ_CST);
            }
            dpdkr_lane_ack_publish(&ctrl->ack[DPDKR_RING_S2C], &a);
            accepted = true;
            printf("accepted: generation %"PRIu32"\n", gen);
            fflush(stdout);
        }
        usleep(1000);
    }
    return accepted ? 0 : 1;
}

int
main(int argc, char *argv[])
{
    static const struct option options[] = {
        { "path", required_argument, NULL, 'p' },
        { "seconds", required_argument, NULL, 's' },
        { "seed", required_argument, NULL, 'S' },
        { "mode", required_argument, NULL, 'm' },
        { "truncate", no_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static const char *const mode_names[] = {
        "garbage", "valid-then-garbage", "valid", "raw", "lane",
        "receiver-stuck", "receiver-silent", "bad-index",
    };
    struct dpdkr_region_hdr *hdr;
    const char *path = NULL;
    const char *error = NULL;
    double seconds = 3, start, half, t, last_unsolicited = 0;
    uint64_t seed = (uint64_t) time(NULL) * 1000003 + getpid();
    enum mode mode = MODE_GARBAGE;
    struct counts n;
    struct client c;
    struct stat st;
    uint64_t iter;
    void *p;
    bool truncate = false;
    int fd, opt;

    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        size_t i;

        switch (opt) {
        case 'p':
            path = optarg;
            break;
        case 's':
            seconds = strtod(optarg, NULL);
            break;
        case 'S':
            seed = strtoull(optarg, NULL, 0);
            break;
        case 'm':
            for (i = 0; i < ARRAY_SIZE(mode_names); i++) {
                if (!strcmp(optarg, mode_names[i])) {
                    break;
                }
            }
            if (i == ARRAY_SIZE(mode_names)) {
                usage();
                return 2;
            }
            mode = i;
            break;
        case 't':
            truncate = true;
            /* In lane mode, answer every request correctly, so as to hold
             * the lane at the end, when it shrinks it. */
            lane_polite = true;
            break;
        case 'h':
            usage();
            return 0;
        default:
            usage();
            return 2;
        }
    }
    if (!path || optind != argc || !(seconds >= 0)) {
        usage();
        return 2;
    }

    fd = open(path, O_RDWR);
    if (fd < 0) {
        fprintf(stderr, "dpdkr-hostile: %s: %m\n", path);
        return 1;
    }
    /* Takes the client lock as a client does (dpdkr_client_lock()). */
    if (dpdkr_client_lock(fd)) {
        fprintf(stderr, "dpdkr-hostile: %s: cannot take the client lock: "
                "another client is attached\n", path);
        return 1;
    }
    if (fstat(fd, &st) || st.st_size < DPDKR_HDR_SIZE) {
        fprintf(stderr, "dpdkr-hostile: %s: too small\n", path);
        return 1;
    }
    map_size = st.st_size;
    p = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "dpdkr-hostile: mmap: %m\n");
        return 1;
    }
    map_base = p;
    hdr = p;

    memset(&c, 0, sizeof c);
    if (mode != MODE_RAW) {
        /* As a client does: wait a little for the server's magic. */
        start = now();
        while ((error = dpdkr_region_validate(map_base, map_size, &c.g))
               && now() - start < 5) {
            usleep(10000);
        }
        if (error) {
            fprintf(stderr, "dpdkr-hostile: %s: %s\n", path, error);
            return 1;
        }
        /* Start from the server's indexes (the last time they are
         * trusted). */
        dpdkr_ring_view_init(&c.tx, map_base, &c.g, DPDKR_RING_C2S, 0);
        c.tx.idx = __atomic_load_n(&c.tx.ring->head, __ATOMIC_ACQUIRE);
        dpdkr_ring_view_init(&c.rx, map_base, &c.g, DPDKR_RING_S2C, 0);
        c.rx.idx = __atomic_load_n(&c.rx.ring->tail, __ATOMIC_ACQUIRE);
        store32(offsetof(struct dpdkr_region_hdr, client_pid), getpid());
        store64(offsetof(struct dpdkr_region_hdr, client_attaches),
                hdr->client_attaches + 1);
        __atomic_store_n(&hdr->client_state, DPDKR_CLIENT_RUNNING,
                         __ATOMIC_RELEASE);
    }

    if (mode == MODE_RECEIVER_STUCK || mode == MODE_RECEIVER_SILENT) {
        return receiver(&c, mode == MODE_RECEIVER_STUCK, seconds);
    }

    printf("dpdkr-hostile: %s (%"PRIu64" bytes), mode %s, seed %"PRIu64
           ", %g s\n", path, map_size, mode_names[mode], seed, seconds);
    fflush(stdout);
    prng_state = seed;
    memset(&n, 0, sizeof n);
    signal(SIGTERM, on_sigterm);
    start = now();
    half = start + seconds / 2;
    t = start;
    for (iter = 0; ; iter++) {
        bool bad_phase;

        if (iter % 256 == 0) {
            t = now();
            if (t - start >= seconds || stop_requested) {
                break;
            }
        }
        switch (mode) {
        case MODE_RAW:
            raw(&n);
            continue;
        case MODE_BAD_INDEX:
            if (!lane_bad_index) {
                /* Inside a transmit burst for good (tx_busy odd), as a
                 * sender that busy-polls nearly is: the switch then waits
                 * for each answer, however late a starved process gives
                 * it, instead of taking the path of a silent sender
                 * (which goes direct without the answer). */
                store32(c.g.ctrl_offset
                        + offsetof(struct dpdkr_ctrl, ack[DPDKR_RING_C2S])
                        + offsetof(struct dpdkr_lane_ack, tx_busy), 1);
                __atomic_thread_fence(__ATOMIC_SEQ_CST);
            }
            lane_bad_index = true;
            lane_answer(&c, (struct dpdkr_ctrl *) (map_base
                                                   + c.g.ctrl_offset), &n);
            if (prng_below(2)) {
                send_valid(&c, &n);
            } else {
                recv_valid(&c, &n);
            }
            continue;
        case MODE_LANE:
            lane_answer(&c, (struct dpdkr_ctrl *) (map_base
                                                   + c.g.ctrl_offset), &n);
            if (lane_granted && !lane_polite && iter % 4096 == 0
                && t - last_unsolicited > 0.2) {
                /* An unsolicited acknowledgement, now and then. */
                struct dpdkr_lane_ack a = {
                    .generation = prng() & ~UINT32_C(1), .state = evil32(1),
                    .old_path_seq = prng(), .lane_seq = prng(),
                };

                dpdkr_lane_ack_publish(&((struct dpdkr_ctrl *)
                                         (map_base + c.g.ctrl_offset))
                                       ->ack[DPDKR_RING_C2S], &a);
                n.bad_acks++;
                last_unsolicited = t;
            }
            if (lane.base && (lane_polite || prng_below(2))) {
                /* Politely, it sends nothing to its port ring while it
                 * has a lane: it said it had left it. */
                lane_abuse(&n);
            } else if (prng_below(2)) {
                send_valid(&c, &n);
            } else {
                recv_valid(&c, &n);
            }
            continue;
        case MODE_VALID:
            bad_phase = false;
            break;
        case MODE_VALID_THEN_GARBAGE:
            bad_phase = t >= half;
            break;
        case MODE_GARBAGE:
        default:
            bad_phase = true;
            break;
        }
        switch (bad_phase ? prng_below(8) : prng_below(2)) {
        case 0:
            send_valid(&c, &n);
            break;
        case 1:
            recv_valid(&c, &n);
            break;
        default:
            garbage(&c, &n);
            break;
        }
    }

    printf("iterations: %"PRIu64"\n"
           "c2s_packets: %"PRIu64"\n"
           "c2s_full: %"PRIu64"\n"
           "s2c_packets: %"PRIu64"\n"
           "s2c_bad: %"PRIu64"\n"
           "head_writes: %"PRIu64"\n"
           "desc_writes: %"PRIu64"\n"
           "tail_writes: %"PRIu64"\n"
           "counter_writes: %"PRIu64"\n"
           "header_writes: %"PRIu64"\n"
           "raw_writes: %"PRIu64"\n"
           "lane_acks: %"PRIu64"\n"
           "lane_bad_acks: %"PRIu64"\n"
           "lane_packets: %"PRIu64"\n"
           "lane_writes: %"PRIu64"\n",
           iter, n.c2s_packets, n.c2s_full, n.s2c_packets, n.s2c_bad,
           n.head_writes, n.desc_writes, n.tail_writes, n.counter_writes,
           n.header_writes, n.raw_writes, n.acks, n.bad_acks,
           n.lane_packets, n.lane_writes);
    if (truncate && mode == MODE_LANE) {
        /* Shrink the lane under the switch's feet, while it still reads
         * the lane's counters, then go. */
        if (!lane.base || lane.path[0] != '/' || truncate_path(lane.path)) {
            fprintf(stderr, "dpdkr-hostile: no lane to truncate\n");
            return 1;
        }
        printf("truncated: %s\n", lane.path);
        fflush(stdout);
        usleep(1000000);
        return 0;
    }
    munmap(map_base, map_size);
    if (truncate) {
        if (ftruncate(fd, 4096)) {
            fprintf(stderr, "dpdkr-hostile: ftruncate: %m\n");
            return 1;
        }
        printf("truncated: %s\n", path);
    }
    close(fd);
    return 0;
}
