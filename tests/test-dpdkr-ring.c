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

/* test-dpdkr-ring: tests of the dpdkr ring algorithms in
 * include/dpdkr-ring.h, standalone (no DPDK, no OVS library), meant to be
 * built with -fsanitize=address,undefined -fno-sanitize-recover=all.
 *
 * Usage:
 *
 *   test-dpdkr-ring basic [SEED]
 *       Normal traffic through both rings of regions of several
 *       geometries, with 32-bit index wrap-around: checks exact delivery
 *       (content, order, lengths) and every private and shared counter.
 *
 *   test-dpdkr-ring hostile SEED [ROUNDS]
 *       One thread interleaves, in an order drawn from SEED, producer and
 *       consumer bursts with scribbles of garbage over indexes,
 *       descriptors, counters and the header.  Every ring operation is
 *       checked against a model computed from the shared memory just
 *       before it, every returned packet is read in full, and a snapshot
 *       proves that each operation wrote only the words it owns.  The
 *       header, control block and unused gaps are poisoned for
 *       AddressSanitizer, so any access to them by the ring code fails.
 *
 *   test-dpdkr-ring threads SEED [ROUNDS]
 *       Like 'hostile', but the scribbler is a second thread writing at
 *       full speed while the producer and consumer run, so that values
 *       change between (and during) the ring code's reads.  Only bounds
 *       are checked, since the data races make a model useless.
 *
 *   test-dpdkr-ring validate
 *       dpdkr_region_validate() against good headers of several
 *       geometries (accepted, with the right geometry) and against each
 *       header field set in turn to boundary and overflow values (each
 *       result compared with an independent reference implementation of
 *       the ABI's rules).
 *
 *   test-dpdkr-ring validate-overlap
 *       dpdkr_region_validate() against headers whose parts are each in
 *       bounds but overlap one another (two rings on the same memory, a
 *       buffer area over a descriptor array or the control block), which
 *       the ABI's "each word has exactly one writer" rule forbids.
 *
 *   test-dpdkr-ring layout
 *       dpdkr_region_layout() for every ring size and a range of buffer
 *       sizes within the DPDKR_* limits must produce a region that
 *       dpdkr_region_validate() accepts.
 *
 *   test-dpdkr-ring serve PATH [SECONDS]
 *       Plays the server of a dpdkr port, as ovs-vswitchd does, for a
 *       client in another process (such as tests/dpdkr-hostile): creates
 *       the region file PATH (mapped between guard pages), waits up to
 *       SECONDS (default 10) for a client to take its lock, then consumes
 *       the client-to-server ring and fills the server-to-client one until
 *       the client lets go of the lock, checking every packet it accepts
 *       against the geometry.  Prints its counters; fails if no client
 *       came or the client never let go within SECONDS of attaching.
 *
 * Each command prints a one-line summary and exits 0 on success, 1 on any
 * failed check (after printing it), 2 on a usage error.  A watchdog makes
 * a hang fail instead of blocking the test suite. */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "dpdkr-ring.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

#ifdef HAVE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(ADDR, SIZE) ASAN_POISON_MEMORY_REGION(ADDR, SIZE)
#define UNPOISON(ADDR, SIZE) ASAN_UNPOISON_MEMORY_REGION(ADDR, SIZE)
#else
#define POISON(ADDR, SIZE) ((void) (ADDR), (void) (SIZE))
#define UNPOISON(ADDR, SIZE) ((void) (ADDR), (void) (SIZE))
#endif

#define ARRAY_SIZE(A) (sizeof (A) / sizeof (A)[0])
#define MIN(A, B) ((A) < (B) ? (A) : (B))

/* Seconds after which a command is considered hung. */
#define WATCHDOG_SECONDS 120

/* The largest burst any operation here moves. */
#define MAX_BURST 64

static unsigned long long n_checks;
static unsigned long long n_failures;

/* Records a failed check and prints 'format'.  Exits after a few failures
 * so that one bug does not flood the log. */
static void
fail(const char *format, ...)
{
    va_list args;

    n_failures++;
    fprintf(stderr, "FAIL: ");
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    if (n_failures >= 20) {
        fprintf(stderr, "too many failures, giving up\n");
        exit(1);
    }
}

#define CHECK(COND, ...)                        \
    do {                                        \
        n_checks++;                             \
        if (!(COND)) {                          \
            fail(__VA_ARGS__);                  \
        }                                       \
    } while (0)

static void
watchdog(int sig)
{
    static const char msg[] = "FAIL: watchdog: the test hung\n";

    (void) sig;
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
        /* Nothing more to do. */
    }
    _exit(1);
}

/* Returns 'size' bytes of memory, aligned to a cache line, or exits.  (This
 * program does not link OVS's library, whose xmalloc() it would use.) */
static void *
xmalloc(size_t size)
{
    void *p;

    if (posix_memalign(&p, DPDKR_CACHE_LINE, size)) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* Pseudo-random numbers: splitmix64, so that a seed reproduces a run. */
struct prng {
    uint64_t state;
};

static uint64_t
prng_next(struct prng *p)
{
    uint64_t z = (p->state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Returns a number in [0, n), n > 0. */
static uint32_t
prng_below(struct prng *p, uint32_t n)
{
    return prng_next(p) % n;
}

/* Returns a 32-bit value that a hostile peer would likely try, relative to
 * 'ref' (an index or a size). */
static uint32_t
prng_evil32(struct prng *p, uint32_t ref)
{
    static const uint32_t specials[] = {
        0, 1, 2, 63, 64, 65, 255, 256, 4095, 4096, 65535, 65536,
        0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
    };

    switch (prng_below(p, 6)) {
    case 0:
        return specials[prng_below(p, ARRAY_SIZE(specials))];
    case 1:
        return ref + prng_below(p, 5) - 2;
    case 2:
        return ref - prng_below(p, 4);
    case 3:
        return ref + (UINT32_C(1) << prng_below(p, 32));
    default:
        return prng_next(p);
    }
}

static uint64_t
prng_evil64(struct prng *p, uint64_t ref)
{
    static const uint64_t specials[] = {
        0, 1, UINT64_MAX, UINT64_MAX - 4095, UINT64_C(1) << 63,
        UINT64_C(1) << 32, (UINT64_C(1) << 32) - 1, (UINT64_C(1) << 32) + 1,
    };

    switch (prng_below(p, 4)) {
    case 0:
        return specials[prng_below(p, ARRAY_SIZE(specials))];
    case 1:
        return ref + prng_below(p, 129) - 64;
    default:
        return prng_next(p);
    }
}

/* A region in memory of exactly its size, so that AddressSanitizer (or,
 * without it, guard pages) catches any access just past either end. */
struct region {
    uint8_t *base;
    uint64_t size;
    struct dpdkr_geometry g;
    void *map;                  /* Without ASan: mapping with guards. */
    size_t map_size;
};

static void
region_alloc(struct region *r, uint64_t size)
{
    r->size = size;
#ifdef HAVE_ASAN
    r->base = aligned_alloc(4096, size);
    if (!r->base) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    r->map = NULL;
#else
    long page = sysconf(_SC_PAGESIZE);

    r->map_size = size + 2 * page;
    r->map = mmap(NULL, r->map_size, PROT_NONE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->map == MAP_FAILED
        || mprotect((uint8_t *) r->map + page, size,
                    PROT_READ | PROT_WRITE)) {
        fprintf(stderr, "mmap: %m\n");
        exit(2);
    }
    r->base = (uint8_t *) r->map + page;
#endif
    memset(r->base, 0, size);
}

static void
region_free(struct region *r)
{
    UNPOISON(r->base, r->size);
#ifdef HAVE_ASAN
    free(r->base);
#else
    munmap(r->map, r->map_size);
#endif
}

/* Writes the header of a region with geometry 'g' at 'base', as the
 * server does. */
static void
header_init(void *base, const struct dpdkr_geometry *g)
{
    struct dpdkr_region_hdr *h = base;

    memset(h, 0, sizeof *h);
    h->major = DPDKR_VERSION_MAJOR;
    h->minor = DPDKR_VERSION_MINOR;
    h->hdr_size = sizeof *h;
    h->region_size = g->region_size;
    h->epoch = g->epoch;
    h->n_rings = DPDKR_N_RINGS;
    h->ctrl_offset = g->ctrl_offset;
    h->ctrl_size = DPDKR_CTRL_SIZE;
    memcpy(h->ring, g->ring, sizeof h->ring);
    h->server_state = DPDKR_SERVER_UP;
    __atomic_store_n(&h->magic, DPDKR_MAGIC, __ATOMIC_RELEASE);
}

/* Creates a region of 1 << 'log2_size' descriptors of 'buf_size' bytes per
 * ring, validates it as a client would and checks that the geometry read
 * back is the one computed. */
static void
region_create(struct region *r, uint32_t log2_size, uint32_t buf_size)
{
    struct dpdkr_geometry g;
    const char *error;
    uint64_t size;

    size = dpdkr_region_layout(log2_size, buf_size, 4096, &g);
    g.epoch = 42;
    region_alloc(r, size);
    r->g = g;
    header_init(r->base, &g);
    error = dpdkr_region_validate(r->base, size, &g);
    CHECK(!error, "valid region (%"PRIu32", %"PRIu32") rejected: %s",
          log2_size, buf_size, error ? error : "");
    CHECK(!memcmp(&g, &r->g, sizeof g), "validated geometry differs");
}

/* Poisons, for AddressSanitizer, every byte of 'r' that the ring code must
 * never touch: the header, the control block and the gaps after each
 * descriptor array and buffer area. */
static void
region_poison(struct region *r)
{
    uint64_t end;
    int i;

    POISON(r->base, DPDKR_HDR_SIZE);
    POISON(r->base + r->g.ctrl_offset, DPDKR_CTRL_SIZE);
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        const struct dpdkr_ring_info *ri = &r->g.ring[i];

        end = ri->offset + DPDKR_RING_HDR_SIZE
              + (sizeof(struct dpdkr_desc) << ri->log2_size);
        POISON(r->base + end, ((end + 4095) & ~UINT64_C(4095)) - end);
        end = ri->buf_offset + ri->buf_area_size;
        POISON(r->base + end, ((end + 4095) & ~UINT64_C(4095)) - end);
    }
}

/* Fills 'p' with the content of packet number 'seq' of 'len' bytes. */
static void
packet_fill(uint8_t *p, uint64_t seq, uint32_t len)
{
    uint32_t i;

    for (i = 0; i < len; i++) {
        p[i] = (uint8_t) (seq * 7 + i + (i >> 8));
    }
    if (len >= 8) {
        memcpy(p, &seq, 8);
    }
}

/* Returns true if 'p' holds the content of packet 'seq' of 'len' bytes. */
static bool
packet_check(const uint8_t *p, uint64_t seq, uint32_t len)
{
    uint32_t i;

    for (i = len >= 8 ? 8 : 0; i < len; i++) {
        if (p[i] != (uint8_t) (seq * 7 + i + (i >> 8))) {
            return false;
        }
    }
    return len < 8 || !memcmp(p, &seq, 8);
}

/* Reads every byte of the 'len' bytes at 'p' (so that the sanitizers check
 * the whole range) and returns a checksum of them. */
static uint32_t
packet_touch(const uint8_t *p, uint32_t len)
{
    uint32_t sum = 0;
    uint32_t i;

    for (i = 0; i < len; i++) {
        sum = sum * 31 + p[i];
    }
    return sum;
}

/* Checks that a descriptor 'd' accepted by dpdkr_cons_desc() on 'v',
 * which returned 'p', lies within the ring's buffer area. */
static void
check_accepted(const struct dpdkr_ring_view *v, const uint8_t *p,
               const struct dpdkr_desc *d, uint32_t max_len)
{
    CHECK(p == v->buf + d->offset, "returned pointer is not buf + offset");
    CHECK(d->len > 0 && d->len <= v->buf_size && d->len <= max_len,
          "accepted descriptor with bad len %"PRIu32, d->len);
    CHECK((uint64_t) d->offset + d->len <= v->buf_area_size,
          "accepted descriptor beyond the buffer area: offset %"PRIu32
          " len %"PRIu32" area %"PRIu64, d->offset, d->len,
          v->buf_area_size);
    CHECK(d->flags == 0, "accepted descriptor with flags %#x", d->flags);
}

/* basic. */

/* A producer and a consumer of one ring, with the sequence numbers that
 * let the consumer check exact delivery. */
struct flow {
    struct dpdkr_ring_view prod;
    struct dpdkr_ring_view cons;
    uint64_t next_tx;           /* Sequence number of next packet sent. */
    uint64_t next_rx;           /* Sequence number expected next. */
    uint64_t tx_bytes;
    uint64_t rx_bytes;
    uint64_t too_long;          /* Packets sent longer than max_len. */
};

/* Length of packet 'seq' on a ring with 'buf_size'-byte slots. */
static uint32_t
packet_len(uint64_t seq, uint32_t buf_size)
{
    static const uint32_t lens[] = { 1, 14, 60, 64, 1500, 9000, 65535 };
    uint32_t len = lens[seq % ARRAY_SIZE(lens)];

    return len > buf_size ? buf_size - (uint32_t) (seq % 3) : len;
}

/* Sends up to 'burst' packets on 'f'.  Packets whose length exceeds
 * 'max_len' (what the consumer accepts) are sent anyway: the consumer must
 * reject exactly those.  Every other burst asks for space with the cached
 * dpdkr_prod_space_min(), which may promise less than the whole space, but
 * never less than 'burst' when there is room for it. */
static void
flow_send(struct flow *f, uint32_t burst, uint32_t max_len)
{
    uint32_t space = (f->next_tx & 1
                      ? dpdkr_prod_space_min(&f->prod, burst)
                      : dpdkr_prod_space(&f->prod));
    uint32_t n = MIN(space, burst);
    uint32_t i;

    CHECK(space <= f->prod.size, "space %"PRIu32" > ring size", space);
    CHECK(n == MIN(burst, f->prod.size - (f->next_tx - f->next_rx)),
          "space %"PRIu32" for a burst of %"PRIu32" with %"PRIu64" queued",
          space, burst, f->next_tx - f->next_rx);
    for (i = 0; i < n; i++) {
        uint64_t seq = f->next_tx + i;
        uint32_t len = packet_len(seq, f->prod.buf_size);

        packet_fill(dpdkr_prod_buf(&f->prod, i), seq, len);
        dpdkr_prod_fill(&f->prod, i, len);
        f->tx_bytes += len;
        if (len > max_len) {
            f->too_long++;
        }
    }
    dpdkr_prod_publish(&f->prod, n);
    dpdkr_prod_drop(&f->prod, burst - n);
    f->next_tx += n;
}

/* Receives up to 'burst' packets from 'f' and checks each of them. */
static void
flow_recv(struct flow *f, uint32_t burst, uint32_t max_len)
{
    uint32_t n = (f->next_rx & 1
                  ? dpdkr_cons_avail_min(&f->cons, burst)
                  : dpdkr_cons_avail(&f->cons, burst));
    uint32_t good = 0;
    uint64_t bytes = 0;
    uint32_t i;

    CHECK(n <= burst, "avail %"PRIu32" > burst %"PRIu32, n, burst);
    CHECK(n == MIN(burst, f->next_tx - f->next_rx),
          "avail %"PRIu32", expected %"PRIu64, n,
          MIN(burst, f->next_tx - f->next_rx));
    for (i = 0; i < n; i++) {
        uint64_t seq = f->next_rx + i;
        uint32_t len = packet_len(seq, f->cons.buf_size);
        struct dpdkr_desc d;
        const uint8_t *p = dpdkr_cons_desc(&f->cons, i, max_len, &d);

        if (len > max_len) {
            CHECK(!p, "packet %"PRIu64" of %"PRIu32" bytes > max_len %"
                  PRIu32" accepted", seq, len, max_len);
            continue;
        }
        CHECK(p != NULL, "good packet %"PRIu64" rejected", seq);
        if (p) {
            check_accepted(&f->cons, p, &d, max_len);
            CHECK(d.len == len, "packet %"PRIu64": len %"PRIu32
                  ", expected %"PRIu32, seq, d.len, len);
            CHECK(packet_check(p, seq, d.len),
                  "packet %"PRIu64": bad content", seq);
            good++;
            bytes += d.len;
        }
    }
    dpdkr_cons_release(&f->cons, n, good, bytes);
    f->next_rx += n;
    f->rx_bytes += bytes;
}

/* Runs normal traffic over both rings of a region of the given geometry,
 * with indexes starting at 'start' (to cover 32-bit wrap-around). */
static void
run_basic_geometry(struct prng *rng, uint32_t log2_size, uint32_t buf_size,
                   uint32_t start)
{
    struct region r;
    struct flow flows[DPDKR_N_RINGS];
    uint32_t max_len = buf_size > 2000 ? 2000 : buf_size;
    uint64_t rounds = buf_size > 4096 ? 3000 : 20000;
    uint64_t k;
    int i;

    region_create(&r, log2_size, buf_size);
    region_poison(&r);
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        struct flow *f = &flows[i];

        memset(f, 0, sizeof *f);
        dpdkr_ring_view_init(&f->prod, r.base, &r.g, i, start);
        dpdkr_ring_view_init(&f->cons, r.base, &r.g, i, start);
        f->prod.ring->head = start;
        f->prod.ring->tail = start;
    }

    for (k = 0; k < rounds; k++) {
        struct flow *f = &flows[prng_below(rng, DPDKR_N_RINGS)];
        uint32_t burst = 1 + prng_below(rng, MAX_BURST);
        /* Ring 1 is consumed with a max_len smaller than some packets. */
        uint32_t ml = f == &flows[1] ? max_len : buf_size;

        if (prng_below(rng, 2)) {
            flow_send(f, burst, ml);
        } else {
            flow_recv(f, burst, ml);
        }
    }

    /* Fill the rings completely, check that they say so, drain them. */
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        struct flow *f = &flows[i];
        uint32_t ml = i == 1 ? max_len : buf_size;
        uint64_t drops = f->prod.drops;

        while (dpdkr_prod_space(&f->prod)) {
            flow_send(f, MAX_BURST, ml);
        }
        CHECK(f->next_tx - f->next_rx == f->prod.size,
              "ring %d: full with %"PRIu64" packets, size %"PRIu32, i,
              f->next_tx - f->next_rx, f->prod.size);
        flow_send(f, 3, ml);
        CHECK(f->prod.drops >= drops + 3, "ring %d: full ring drops", i);
        while (f->next_rx != f->next_tx) {
            flow_recv(f, MAX_BURST, ml);
        }
        CHECK(dpdkr_cons_avail(&f->cons, MAX_BURST) == 0,
              "ring %d: empty ring has packets", i);
    }

    for (i = 0; i < DPDKR_N_RINGS; i++) {
        struct flow *f = &flows[i];
        const struct dpdkr_ring *sr = f->prod.ring;

        CHECK(f->prod.packets == f->next_tx && f->cons.packets
              + f->too_long == f->next_rx && f->next_rx == f->next_tx,
              "ring %d: packets tx %"PRIu64" rx %"PRIu64" too long %"
              PRIu64, i, f->prod.packets, f->cons.packets, f->too_long);
        CHECK(f->prod.bytes == f->tx_bytes && f->cons.bytes == f->rx_bytes,
              "ring %d: byte counters", i);
        CHECK(f->cons.bad_desc == f->too_long && f->cons.bad_index == 0
              && f->prod.bad_index == 0, "ring %d: error counters", i);
        CHECK(sr->head == (uint32_t) (start + f->next_tx)
              && sr->tail == (uint32_t) (start + f->next_rx),
              "ring %d: shared head %"PRIu32" tail %"PRIu32", expected %"
              PRIu32" %"PRIu32, i, sr->head, sr->tail,
              (uint32_t) (start + f->next_tx),
              (uint32_t) (start + f->next_rx));
        CHECK(sr->prod_packets == f->prod.packets
              && sr->prod_bytes == f->prod.bytes
              && sr->prod_drops == f->prod.drops
              && sr->cons_packets == f->cons.packets
              && sr->cons_bytes == f->cons.bytes
              && sr->cons_errors == f->cons.bad_desc,
              "ring %d: shared counters differ from private ones", i);
        CHECK(f->next_tx > f->prod.size * 4,
              "ring %d: too little traffic (%"PRIu64")", i, f->next_tx);
    }
    region_free(&r);
}

static int
cmd_basic(int argc, char *argv[])
{
    static const struct {
        uint32_t log2_size, buf_size;
    } geoms[] = {
        { 6, 256 }, { 6, 2048 }, { 7, 1600 }, { 10, 257 }, { 6, 65535 },
    };
    static const uint32_t starts[] = { 0, 0xffffff80, 0x7fffffc0 };
    struct prng rng = { argc > 2 ? strtoull(argv[2], NULL, 0) : 1 };
    size_t i, j;

    for (i = 0; i < ARRAY_SIZE(geoms); i++) {
        for (j = 0; j < ARRAY_SIZE(starts); j++) {
            run_basic_geometry(&rng, geoms[i].log2_size, geoms[i].buf_size,
                               starts[j]);
        }
    }
    printf("basic: %zu geometries x %zu start indexes, %llu checks, "
           "%llu failures\n", ARRAY_SIZE(geoms), ARRAY_SIZE(starts),
           n_checks, n_failures);
    return n_failures ? 1 : 0;
}

/* hostile. */

/* What the scribbler did, and how the ring code reacted. */
struct hostile_stats {
    uint64_t scribbles;
    uint64_t prod_bursts;
    uint64_t cons_bursts;
    uint64_t accepted;
    uint64_t accepted_bytes;
    uint64_t revalidations;
    uint64_t revalidated_ok;
};

/* Writes 'size' bytes of 'value' at 'p', a header byte that is poisoned
 * for the ring code's sake. */
static void
header_write(void *p, const void *value, size_t size)
{
    UNPOISON(p, size);
    memcpy(p, value, size);
    POISON(p, size);
}

/* Writes garbage chosen by 'rng' somewhere into 'r': an index, a
 * descriptor, a counter or a header field. */
static void
scribble(struct region *r, struct prng *rng, const struct dpdkr_ring_view
         *cons_views)
{
    int id = prng_below(rng, DPDKR_N_RINGS);
    const struct dpdkr_ring_view *cv = &cons_views[id];
    struct dpdkr_ring *ring = (struct dpdkr_ring *) (r->base
                                                     + r->g.ring[id].offset);
    uint32_t size = UINT32_C(1) << r->g.ring[id].log2_size;
    uint32_t buf_size = r->g.ring[id].buf_size;
    uint32_t area = r->g.ring[id].buf_area_size;

    switch (prng_below(rng, 10)) {
    case 0:
        /* A garbage head. */
        __atomic_store_n(&ring->head, prng_evil32(rng, cv->idx),
                         __ATOMIC_RELEASE);
        break;
    case 1:
        /* A head that is plausible, so that the consumer reads the (stale
         * or scribbled) descriptors below it. */
        __atomic_store_n(&ring->head, cv->idx + prng_below(rng, size + 1),
                         __ATOMIC_RELEASE);
        break;
    case 2:
        /* A garbage tail, for the producer. */
        __atomic_store_n(&ring->tail, prng_evil32(rng, ring->head),
                         __ATOMIC_RELEASE);
        break;
    case 3:
    case 4:
    case 5: {
        /* A descriptor near the consumer's tail: garbage, or one that
         * points just past the end of the buffer area or a slot. */
        struct dpdkr_desc *d = &ring->desc[(cv->idx + prng_below(rng, 8))
                                           & (size - 1)];
        uint32_t len;

        switch (prng_below(rng, 5)) {
        case 0:
            len = prng_below(rng, buf_size) + 1;
            d->offset = area - len + prng_below(rng, 3);
            d->len = len;
            d->flags = 0;
            break;
        case 1:
            d->offset = prng_below(rng, area);
            d->len = buf_size + prng_below(rng, 2);
            d->flags = 0;
            break;
        case 2:
            d->offset = prng_evil32(rng, area);
            d->len = prng_evil32(rng, buf_size);
            d->flags = 0;
            break;
        case 3:
            d->offset = prng_below(rng, area);
            d->len = prng_below(rng, buf_size) + 1;
            d->flags = prng_below(rng, 2) ? 1 << prng_below(rng, 16) : 0;
            break;
        default:
            memset(d, 0xff, sizeof *d);
            d->offset = prng_next(rng);
            d->len = prng_next(rng);
            d->flags = prng_next(rng);
            break;
        }
        d->rsvd0 = prng_next(rng);
        d->rsvd1 = prng_next(rng);
        break;
    }
    case 6:
        /* Counters of either side. */
        ring->prod_packets = prng_evil64(rng, ring->prod_packets);
        ring->prod_bytes = prng_next(rng);
        ring->prod_drops = UINT64_MAX;
        ring->cons_packets = prng_evil64(rng, ring->cons_packets);
        ring->cons_bytes = prng_next(rng);
        ring->cons_errors = UINT64_MAX;
        ring->prod_rsvd = prng_next(rng);
        ring->cons_rsvd = prng_next(rng);
        break;
    case 7: {
        /* Any 64-bit word of the header, geometry included. */
        uint64_t v = prng_evil64(rng, 0);
        uint64_t off = prng_below(rng, DPDKR_HDR_SIZE / 8) * 8;

        if (prng_below(rng, 2)) {
            /* Often a single bad word in an otherwise good header. */
            UNPOISON(r->base, DPDKR_HDR_SIZE);
            header_init(r->base, &r->g);
            POISON(r->base, DPDKR_HDR_SIZE);
            off = prng_below(rng, 5 * DPDKR_CACHE_LINE / 8) * 8;
        }
        header_write(r->base + off, &v, sizeof v);
        break;
    }
    case 8: {
        /* The states and magic. */
        struct dpdkr_region_hdr *h = (struct dpdkr_region_hdr *) r->base;
        uint32_t v32 = prng_evil32(rng, 1);
        uint64_t v64 = prng_below(rng, 2) ? DPDKR_MAGIC : prng_next(rng);

        header_write(&h->client_state, &v32, sizeof v32);
        v32 = prng_evil32(rng, 1);
        header_write(&h->server_state, &v32, sizeof v32);
        header_write(&h->magic, &v64, sizeof v64);
        break;
    }
    default: {
        /* A whole descriptor array of garbage. */
        uint32_t i;

        for (i = 0; i < size; i++) {
            ring->desc[i].offset = prng_evil32(rng, area);
            ring->desc[i].len = prng_evil32(rng, buf_size);
            ring->desc[i].flags = prng_below(rng, 4) ? 0 : prng_next(rng);
        }
        break;
    }
    }
}

/* Byte ranges of a region that an operation may change. */
struct allowed {
    uint64_t start[2 * MAX_BURST + 2];
    uint64_t len[2 * MAX_BURST + 2];
    int n;
};

static void
allow(struct allowed *a, const struct region *r, const void *p, uint64_t len)
{
    a->start[a->n] = (const uint8_t *) p - r->base;
    a->len[a->n] = len;
    a->n++;
}

/* Ranges of 'r' that the ring code may read and write: the ring structures
 * with their descriptors, and the buffer areas. */
static int
region_ranges(const struct region *r, uint64_t start[], uint64_t len[])
{
    int i, n = 0;

    for (i = 0; i < DPDKR_N_RINGS; i++) {
        start[n] = r->g.ring[i].offset;
        len[n++] = DPDKR_RING_HDR_SIZE
                   + (sizeof(struct dpdkr_desc) << r->g.ring[i].log2_size);
        start[n] = r->g.ring[i].buf_offset;
        len[n++] = r->g.ring[i].buf_area_size;
    }
    return n;
}

static void
snapshot_take(const struct region *r, uint8_t *snap)
{
    uint64_t start[4], len[4];
    int i, n = region_ranges(r, start, len);

    for (i = 0; i < n; i++) {
        memcpy(snap + start[i], r->base + start[i], len[i]);
    }
}

/* Checks that, since snapshot_take(r, snap), 'r' changed only within the
 * ranges in 'a'. */
static void
snapshot_check(const struct region *r, uint8_t *snap,
               const struct allowed *a, const char *what)
{
    uint64_t start[4], len[4];
    int i, n = region_ranges(r, start, len);

    for (i = 0; i < a->n; i++) {
        memcpy(snap + a->start[i], r->base + a->start[i], a->len[i]);
    }
    for (i = 0; i < n; i++) {
        if (memcmp(snap + start[i], r->base + start[i], len[i])) {
            uint64_t j;

            for (j = 0; j < len[i]; j++) {
                if (snap[start[i] + j] != r->base[start[i] + j]) {
                    break;
                }
            }
            fail("%s wrote at region offset %"PRIu64" (outside the words "
                 "it owns)", what, start[i] + j);
            return;
        }
    }
    n_checks++;
}

/* One producer burst of 'burst' packets on 'v', checked against a model
 * of dpdkr_prod_space(). */
static void
hostile_produce(struct region *r, struct dpdkr_ring_view *v, uint32_t burst,
                uint8_t *snap, uint64_t *seq)
{
    uint32_t tail = v->ring->tail;
    uint32_t used = v->idx - tail;
    uint32_t expect = used > v->size ? 0 : v->size - used;
    uint64_t bad_index = v->bad_index;
    struct allowed a = { .n = 0 };
    uint32_t space, n, i;

    if (snap) {
        snapshot_take(r, snap);
    }
    space = dpdkr_prod_space(v);
    CHECK(space == expect, "prod_space %"PRIu32" with tail %"PRIu32
          " idx %"PRIu32", expected %"PRIu32, space, tail, v->idx, expect);
    CHECK(v->bad_index == bad_index + (used > v->size),
          "prod_space: bad_index not counted");
    n = MIN(space, burst);
    for (i = 0; i < n; i++) {
        uint8_t *p = dpdkr_prod_buf(v, i);
        uint32_t len = packet_len(*seq, v->buf_size);

        CHECK(p >= v->buf && p + v->buf_size <= v->buf + v->buf_area_size,
              "prod_buf out of the buffer area");
        packet_fill(p, (*seq)++, len);
        dpdkr_prod_fill(v, i, len);
        allow(&a, r, p, v->buf_size);
        allow(&a, r, &v->ring->desc[(v->idx + i) & v->mask],
              sizeof(struct dpdkr_desc));
    }
    dpdkr_prod_publish(v, n);
    dpdkr_prod_drop(v, burst - n);
    allow(&a, r, v->ring, DPDKR_CACHE_LINE);
    if (snap) {
        snapshot_check(r, snap, &a, "producer");
    }
}

/* One consumer burst of up to 'burst' packets from 'v', each operation
 * checked against a model computed from the shared memory just before
 * it. */
static void
hostile_consume(struct region *r, struct dpdkr_ring_view *v, uint32_t burst,
                uint32_t max_len, uint8_t *snap, struct hostile_stats *st)
{
    uint32_t head = v->ring->head;
    uint32_t avail = head - v->idx;
    uint64_t bad_index = v->bad_index;
    uint64_t bad_desc = v->bad_desc;
    uint32_t old_idx = v->idx;
    struct allowed a = { .n = 0 };
    uint32_t n, i, good = 0;
    uint64_t bytes = 0;

    if (snap) {
        snapshot_take(r, snap);
    }
    n = dpdkr_cons_avail(v, burst);
    if (avail > v->size) {
        CHECK(n == 0, "cons_avail %"PRIu32" for head %"PRIu32" idx %"PRIu32,
              n, head, old_idx);
        CHECK(v->bad_index == bad_index + 1, "cons_avail: bad_index");
        CHECK(v->idx == head && v->ring->tail == head,
              "cons_avail: no resync on a bad head");
    } else {
        CHECK(n == MIN(avail, burst), "cons_avail %"PRIu32", expected %"
              PRIu32, n, MIN(avail, burst));
        CHECK(v->bad_index == bad_index && v->idx == old_idx,
              "cons_avail: state changed on a good head");
    }
    for (i = 0; i < n; i++) {
        const struct dpdkr_desc *sd = &v->ring->desc[(v->idx + i) & v->mask];
        struct dpdkr_desc want = *sd, d;
        bool ok = (!want.flags && want.len && want.len <= max_len
                   && want.len <= v->buf_size
                   && (uint64_t) want.offset + want.len <= v->buf_area_size);
        const uint8_t *p = dpdkr_cons_desc(v, i, max_len, &d);

        CHECK(!p == !ok, "cons_desc %s descriptor offset %"PRIu32" len %"
              PRIu32" flags %#x (area %"PRIu64", buf %"PRIu32", max %"
              PRIu32")", p ? "accepted" : "rejected", want.offset, want.len,
              want.flags, v->buf_area_size, v->buf_size, max_len);
        if (p) {
            check_accepted(v, p, &d, max_len);
            packet_touch(p, d.len);
            good++;
            bytes += d.len;
        }
    }
    CHECK(v->bad_desc == bad_desc + (n - good), "cons_desc: bad_desc");
    dpdkr_cons_release(v, n, good, bytes);
    st->accepted += good;
    st->accepted_bytes += bytes;
    allow(&a, r, (uint8_t *) v->ring + DPDKR_CACHE_LINE, DPDKR_CACHE_LINE);
    if (snap) {
        snapshot_check(r, snap, &a, "consumer");
    }
    if (n) {
        CHECK(v->ring->tail == v->idx, "cons_release: tail");
    }
}

/* Validates the (scribbled) header of 'r' again: it may be rejected, but
 * if it is accepted the geometry must fit in the region. */
static bool
revalidate(struct region *r)
{
    struct dpdkr_geometry g;
    const char *error;
    int i;

    UNPOISON(r->base, DPDKR_HDR_SIZE);
    error = dpdkr_region_validate(r->base, r->size, &g);
    POISON(r->base, DPDKR_HDR_SIZE);
    if (error) {
        return false;
    }
    CHECK(g.region_size == r->size, "revalidate: size");
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        const struct dpdkr_ring_info *ri = &g.ring[i];

        CHECK(ri->log2_size >= DPDKR_LOG2_RING_MIN
              && ri->log2_size <= DPDKR_LOG2_RING_MAX
              && ri->offset + DPDKR_RING_HDR_SIZE
                 + (sizeof(struct dpdkr_desc) << ri->log2_size) <= r->size
              && ri->buf_offset + ri->buf_area_size <= r->size
              && ri->buf_area_size == (uint64_t) ri->buf_size
                                      << ri->log2_size,
              "revalidate accepted a geometry that does not fit");
    }
    return true;
}

static int
cmd_hostile(int argc, char *argv[])
{
    static const struct {
        uint32_t log2_size, buf_size;
    } geoms[] = {
        { 6, 256 }, { 7, 2048 }, { 6, 1999 }, { 6, 65535 },
    };
    struct hostile_stats st;
    struct prng rng;
    uint64_t rounds, seq = 0;
    size_t gi;

    if (argc < 3) {
        fprintf(stderr, "usage: %s hostile SEED [ROUNDS]\n", argv[0]);
        return 2;
    }
    rng.state = strtoull(argv[2], NULL, 0);
    rounds = argc > 3 ? strtoull(argv[3], NULL, 0) : 50000;
    memset(&st, 0, sizeof st);

    for (gi = 0; gi < ARRAY_SIZE(geoms); gi++) {
        struct dpdkr_ring_view prod[DPDKR_N_RINGS], cons[DPDKR_N_RINGS];
        uint64_t bad_desc = 0, bad_index = 0, prod_bad = 0;
        struct region r;
        uint8_t *snap;
        uint32_t every;
        uint64_t k;
        int i;

        region_create(&r, geoms[gi].log2_size, geoms[gi].buf_size);
        region_poison(&r);
        snap = xmalloc(r.size);
        /* Snapshots of big regions are costly: take them less often. */
        every = r.size / (16 * 1024) + 1;
        for (i = 0; i < DPDKR_N_RINGS; i++) {
            uint32_t start = prng_next(&rng);

            dpdkr_ring_view_init(&prod[i], r.base, &r.g, i, start);
            dpdkr_ring_view_init(&cons[i], r.base, &r.g, i, start);
            prod[i].ring->head = start;
            prod[i].ring->tail = start;
        }
        for (k = 0; k < rounds; k++) {
            int id = prng_below(&rng, DPDKR_N_RINGS);
            uint8_t *s = k % every ? NULL : snap;
            uint32_t burst = 1 + prng_below(&rng, MAX_BURST);

            switch (prng_below(&rng, 16)) {
            case 0: case 1: case 2: case 3: case 4:
                hostile_produce(&r, &prod[id], burst, s, &seq);
                st.prod_bursts++;
                break;
            case 5: case 6: case 7: case 8: case 9: case 10: case 11: {
                uint32_t max_len = prng_below(&rng, 4)
                                   ? r.g.ring[id].buf_size
                                   : 1 + prng_below(&rng, 2000);

                hostile_consume(&r, &cons[id], burst, max_len, s, &st);
                st.cons_bursts++;
                break;
            }
            case 12:
                /* The peer behaves again for a while: its index words
                 * become what an honest peer would write. */
                prod[id].ring->head = prod[id].idx;
                prod[id].ring->tail = cons[id].idx;
                break;
            default:
                scribble(&r, &rng, cons);
                st.scribbles++;
                break;
            }
            if (k % 1024 == 0) {
                st.revalidations++;
                st.revalidated_ok += revalidate(&r);
            }
        }
        for (i = 0; i < DPDKR_N_RINGS; i++) {
            bad_desc += cons[i].bad_desc;
            bad_index += cons[i].bad_index;
            prod_bad += prod[i].bad_index;
        }
        CHECK(bad_desc > 0 && bad_index > 0 && prod_bad > 0,
              "geometry %zu: error counters did not move (bad_desc %"PRIu64
              ", consumer bad_index %"PRIu64", producer bad_index %"PRIu64
              ")", gi, bad_desc, bad_index, prod_bad);
        free(snap);
        region_free(&r);
    }
    CHECK(st.accepted > 0, "no descriptor ever accepted");
    printf("hostile: seed %s, %zu geometries x %"PRIu64" rounds: %"PRIu64
           " scribbles, %"PRIu64" producer and %"PRIu64" consumer bursts, "
           "%"PRIu64" packets accepted, %"PRIu64"/%"PRIu64" revalidations "
           "passed; %llu checks, %llu failures\n", argv[2], ARRAY_SIZE(geoms),
           rounds, st.scribbles, st.prod_bursts, st.cons_bursts, st.accepted,
           st.revalidated_ok, st.revalidations, n_checks, n_failures);
    return n_failures ? 1 : 0;
}

/* threads. */

struct scribbler {
    struct region *r;
    struct dpdkr_ring_view *cons;
    uint64_t seed;
    uint64_t count;
    volatile int stop;
};

static void *
scribbler_main(void *arg)
{
    struct scribbler *s = arg;
    struct prng rng = { s->seed };

    while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
        scribble(s->r, &rng, s->cons);
        s->count++;
    }
    return NULL;
}

static int
cmd_threads(int argc, char *argv[])
{
    struct dpdkr_ring_view prod[DPDKR_N_RINGS], cons[DPDKR_N_RINGS];
    uint64_t bad_desc = 0, bad_index = 0, accepted = 0;
    struct scribbler s;
    struct region r;
    struct prng rng;
    pthread_t thread;
    uint64_t rounds, k, seq = 0;
    int i, error;

    if (argc < 3) {
        fprintf(stderr, "usage: %s threads SEED [ROUNDS]\n", argv[0]);
        return 2;
    }
    rng.state = strtoull(argv[2], NULL, 0);
    rounds = argc > 3 ? strtoull(argv[3], NULL, 0) : 1000000;

    region_create(&r, 6, 1999);
    region_poison(&r);
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        dpdkr_ring_view_init(&prod[i], r.base, &r.g, i, 0);
        dpdkr_ring_view_init(&cons[i], r.base, &r.g, i, 0);
    }
    memset(&s, 0, sizeof s);
    s.r = &r;
    s.cons = cons;
    s.seed = prng_next(&rng);
    error = pthread_create(&thread, NULL, scribbler_main, &s);
    if (error) {
        errno = error;
        fprintf(stderr, "pthread_create: %m\n");
        return 2;
    }

    for (k = 0; k < rounds; k++) {
        int id = prng_below(&rng, DPDKR_N_RINGS);
        uint32_t burst = 1 + prng_below(&rng, MAX_BURST);

        if (prng_below(&rng, 2)) {
            struct dpdkr_ring_view *v = &prod[id];
            uint32_t space = (k & 2 ? dpdkr_prod_space_min(v, burst)
                              : dpdkr_prod_space(v));
            uint32_t n = MIN(space, burst);

            CHECK(space <= v->size, "threads: space %"PRIu32, space);
            for (i = 0; i < (int) n; i++) {
                uint8_t *p = dpdkr_prod_buf(v, i);
                uint32_t len = packet_len(seq, v->buf_size);

                packet_fill(p, seq++, len);
                dpdkr_prod_fill(v, i, len);
            }
            dpdkr_prod_publish(v, n);
            dpdkr_prod_drop(v, burst - n);
        } else {
            struct dpdkr_ring_view *v = &cons[id];
            uint32_t max_len = 1 + prng_below(&rng, v->buf_size + 100);
            uint32_t n = (k & 2 ? dpdkr_cons_avail_min(v, burst)
                          : dpdkr_cons_avail(v, burst));
            uint32_t good = 0;
            uint64_t bytes = 0;

            CHECK(n <= burst && n <= v->size, "threads: avail %"PRIu32, n);
            for (i = 0; i < (int) n; i++) {
                struct dpdkr_desc d;
                const uint8_t *p = dpdkr_cons_desc(v, i, max_len, &d);

                if (p) {
                    check_accepted(v, p, &d, max_len);
                    packet_touch(p, d.len);
                    good++;
                    bytes += d.len;
                }
            }
            dpdkr_cons_release(v, n, good, bytes);
            accepted += good;
        }
    }
    __atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
    pthread_join(thread, NULL);

    for (i = 0; i < DPDKR_N_RINGS; i++) {
        bad_desc += cons[i].bad_desc;
        bad_index += cons[i].bad_index;
    }
    CHECK(bad_desc > 0 && bad_index > 0 && s.count > 0,
          "threads: counters did not move");
    printf("threads: seed %s, %"PRIu64" rounds against %"PRIu64" concurrent "
           "scribbles: %"PRIu64" accepted, %"PRIu64" bad descriptors, %"
           PRIu64" bad indexes; %llu checks, %llu failures\n", argv[2],
           rounds, s.count, accepted, bad_desc, bad_index, n_checks,
           n_failures);
    region_free(&r);
    return n_failures ? 1 : 0;
}

/* validate. */

/* The ABI's rules for a header, written independently of
 * dpdkr_region_validate() from dpdkr-abi.h.  Returns true if 'h' describes
 * a usable region of 'file_size' bytes. */
static bool
reference_valid(const struct dpdkr_region_hdr *h, uint64_t file_size)
{
    int i;

    if (file_size < DPDKR_HDR_SIZE + DPDKR_CTRL_SIZE
        || h->magic != DPDKR_MAGIC || h->major != DPDKR_VERSION_MAJOR
        || h->hdr_size < 5 * DPDKR_CACHE_LINE
        || h->hdr_size > DPDKR_HDR_SIZE
        || h->n_rings != DPDKR_N_RINGS
        || h->region_size != file_size
        || h->region_size > DPDKR_REGION_SIZE_MAX
        || h->ctrl_size != DPDKR_CTRL_SIZE
        || h->ctrl_offset % 64 || h->ctrl_offset < DPDKR_HDR_SIZE
        || h->ctrl_offset > file_size
        || file_size - h->ctrl_offset < DPDKR_CTRL_SIZE) {
        return false;
    }
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        const struct dpdkr_ring_info *r = &h->ring[i];
        __uint128_t ring_end, buf_end;

        if (r->log2_size < DPDKR_LOG2_RING_MIN
            || r->log2_size > DPDKR_LOG2_RING_MAX
            || r->buf_size < DPDKR_BUF_SIZE_MIN
            || r->buf_size > DPDKR_BUF_SIZE_MAX
            || r->buf_area_size != (uint64_t) r->buf_size << r->log2_size
            || r->offset % 64 || r->buf_offset % 64
            || r->offset < DPDKR_HDR_SIZE
            || r->buf_offset < DPDKR_HDR_SIZE) {
            return false;
        }
        ring_end = (__uint128_t) r->offset + DPDKR_RING_HDR_SIZE
                   + (sizeof(struct dpdkr_desc) << r->log2_size);
        buf_end = (__uint128_t) r->buf_offset + r->buf_area_size;
        if (ring_end > file_size || buf_end > file_size) {
            return false;
        }
    }

    /* No two parts overlap: each word has one writer. */
    {
        uint64_t lo[6], hi[6];
        int j, n = 0;

        lo[n] = 0;
        hi[n++] = DPDKR_HDR_SIZE;
        lo[n] = h->ctrl_offset;
        hi[n++] = h->ctrl_offset + DPDKR_CTRL_SIZE;
        for (i = 0; i < DPDKR_N_RINGS; i++) {
            lo[n] = h->ring[i].offset;
            hi[n++] = h->ring[i].offset + DPDKR_RING_HDR_SIZE
                      + ((uint64_t) sizeof(struct dpdkr_desc)
                         << h->ring[i].log2_size);
            lo[n] = h->ring[i].buf_offset;
            hi[n++] = h->ring[i].buf_offset + h->ring[i].buf_area_size;
        }
        for (i = 0; i < n; i++) {
            for (j = 0; j < i; j++) {
                if (lo[i] < hi[j] && lo[j] < hi[i]) {
                    return false;
                }
            }
        }
    }
    return true;
}

/* A header field, by offset and width. */
struct field {
    const char *name;
    size_t offset;
    size_t width;
};

#define FIELD(NAME) { #NAME, offsetof(struct dpdkr_region_hdr, NAME), \
                      sizeof ((struct dpdkr_region_hdr *) 0)->NAME }

static const struct field fields[] = {
    FIELD(magic), FIELD(major), FIELD(minor), FIELD(hdr_size),
    FIELD(region_size), FIELD(epoch), FIELD(n_rings), FIELD(flags),
    FIELD(ctrl_offset), FIELD(ctrl_size),
    FIELD(ring[0].offset), FIELD(ring[0].buf_offset),
    FIELD(ring[0].log2_size), FIELD(ring[0].buf_size),
    FIELD(ring[0].buf_area_size),
    FIELD(ring[1].offset), FIELD(ring[1].buf_offset),
    FIELD(ring[1].log2_size), FIELD(ring[1].buf_size),
    FIELD(ring[1].buf_area_size),
    FIELD(server_state), FIELD(client_state), FIELD(client_attaches),
};

/* Fields that the reader must not judge: any value leaves a good header
 * good. */
static bool
field_is_free(const struct field *f)
{
    static const char *const free_fields[] = {
        "minor", "epoch", "server_state", "client_state", "client_attaches",
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(free_fields); i++) {
        if (!strcmp(f->name, free_fields[i])) {
            return true;
        }
    }
    return false;
}

static void
field_set(void *base, const struct field *f, uint64_t v)
{
    uint8_t *p = (uint8_t *) base + f->offset;

    switch (f->width) {
    case 2: {
        uint16_t v16 = v;
        memcpy(p, &v16, 2);
        break;
    }
    case 4: {
        uint32_t v32 = v;
        memcpy(p, &v32, 4);
        break;
    }
    default:
        memcpy(p, &v, 8);
        break;
    }
}

static uint64_t
field_get(const void *base, const struct field *f)
{
    const uint8_t *p = (const uint8_t *) base + f->offset;
    uint64_t v = 0;

    memcpy(&v, p, f->width);
    return v;
}

/* Validates the header at 'hdr' for a file of 'file_size' bytes, of which
 * only the header and control block exist in memory (the validator must not
 * read past the header), and compares the verdict with 'expect_valid'. */
static bool
try_validate(const struct dpdkr_region_hdr *hdr, uint64_t file_size,
             bool expect_valid, const char *what, uint64_t value)
{
    uint8_t *mem = xmalloc(DPDKR_HDR_SIZE + DPDKR_CTRL_SIZE);
    struct dpdkr_geometry g;
    const char *error;

    memcpy(mem, hdr, DPDKR_HDR_SIZE);
    memset(mem + DPDKR_HDR_SIZE, 0, DPDKR_CTRL_SIZE);
    POISON(mem + DPDKR_HDR_SIZE, DPDKR_CTRL_SIZE);
    error = dpdkr_region_validate(mem, file_size, &g);
    UNPOISON(mem + DPDKR_HDR_SIZE, DPDKR_CTRL_SIZE);
    free(mem);
    CHECK(!error == expect_valid, "%s = %#"PRIx64" (file size %"PRIu64
          "): %s, expected %s", what, value, file_size,
          error ? error : "accepted", expect_valid ? "accepted" : "rejected");
    return !error;
}

static int
cmd_validate(int argc, char *argv[])
{
    static const uint64_t values[] = {
        0, 1, 2, 5, 6, 15, 16, 31, 32, 63, 64, 65, 255, 256, 257, 4095,
        4096, 4097, 8191, 8192, 65535, 65536, 0x7fffffff, 0x80000000,
        0xffffffff, UINT64_C(1) << 32, (UINT64_C(1) << 32) + 64,
        UINT64_C(1) << 63, UINT64_MAX - 4095, UINT64_MAX - 63, UINT64_MAX,
    };
    static const struct {
        uint32_t log2_size, buf_size;
    } geoms[] = {
        { 6, 256 }, { 6, 65535 }, { 15, 256 }, { 10, 2048 }, { 14, 65535 },
    };
    uint64_t n_cases = 0, n_rejected = 0;
    size_t gi, fi, vi;

    (void) argc;
    (void) argv;
    for (gi = 0; gi < ARRAY_SIZE(geoms); gi++) {
        struct dpdkr_region_hdr good;
        struct dpdkr_geometry g, g2;
        uint64_t size;
        uint8_t *mem;
        const char *error;

        size = dpdkr_region_layout(geoms[gi].log2_size, geoms[gi].buf_size,
                                   4096, &g);
        g.epoch = UINT64_MAX - gi;
        header_init(&good, &g);

        /* The good header is accepted, with its geometry. */
        mem = xmalloc(DPDKR_HDR_SIZE + DPDKR_CTRL_SIZE);
        memcpy(mem, &good, sizeof good);
        error = dpdkr_region_validate(mem, size, &g2);
        free(mem);
        CHECK(!error && !memcmp(&g, &g2, sizeof g),
              "good header (%"PRIu32", %"PRIu32") rejected or misread: %s",
              geoms[gi].log2_size, geoms[gi].buf_size, error ? error : "");
        CHECK(reference_valid(&good, size), "reference rejects good header");

        /* Wrong file sizes. */
        for (vi = 0; vi < ARRAY_SIZE(values); vi++) {
            uint64_t fs = values[vi];

            n_cases++;
            n_rejected += !try_validate(&good, fs,
                                        reference_valid(&good, fs),
                                        "file size", fs);
        }
        n_cases += 2;
        n_rejected += !try_validate(&good, size - 1, false, "file size",
                                    size - 1);
        n_rejected += !try_validate(&good, size + 4096, false, "file size",
                                    size + 4096);

        /* Each field set to each value, and to values near its own. */
        for (fi = 0; fi < ARRAY_SIZE(fields); fi++) {
            const struct field *f = &fields[fi];
            uint64_t own = field_get(&good, f);

            for (vi = 0; vi < ARRAY_SIZE(values) + 6; vi++) {
                struct dpdkr_region_hdr bad = good;
                uint64_t v;
                bool expect;

                if (vi < ARRAY_SIZE(values)) {
                    v = values[vi];
                } else {
                    static const int64_t deltas[] = {
                        -4096, -64, -1, 1, 64, 4096
                    };
                    v = own + deltas[vi - ARRAY_SIZE(values)];
                }
                field_set(&bad, f, v);
                expect = reference_valid(&bad, size);
                if (field_is_free(f)) {
                    CHECK(expect, "reference rejects free field %s",
                          f->name);
                }
                n_cases++;
                n_rejected += !try_validate(&bad, size, expect, f->name, v);
            }
        }
    }
    printf("validate: %"PRIu64" corrupted headers (%"PRIu64" rejected) over "
           "%zu geometries; %llu checks, %llu failures\n", n_cases,
           n_rejected, ARRAY_SIZE(geoms), n_checks, n_failures);
    return n_failures ? 1 : 0;
}

static int
cmd_validate_overlap(int argc, char *argv[])
{
    struct dpdkr_region_hdr good;
    struct dpdkr_geometry g;
    uint64_t size;
    int n_cases = 0;

    (void) argc;
    (void) argv;
    size = dpdkr_region_layout(6, 256, 4096, &g);
    header_init(&good, &g);
    try_validate(&good, size, true, "good header", 0);

#define OVERLAP(WHAT, FIELD, VALUE)                                 \
    do {                                                            \
        struct dpdkr_region_hdr bad = good;                         \
        bad.FIELD = (VALUE);                                        \
        n_cases++;                                                  \
        try_validate(&bad, size, false, WHAT ": " #FIELD,           \
                     bad.FIELD);                                    \
    } while (0)

    OVERLAP("both rings on the same memory", ring[1].offset,
            good.ring[0].offset);
    OVERLAP("both buffer areas on the same memory", ring[1].buf_offset,
            good.ring[0].buf_offset);
    OVERLAP("buffer area over its own descriptors", ring[0].buf_offset,
            good.ring[0].offset);
    OVERLAP("buffer area over the other ring", ring[0].buf_offset,
            good.ring[1].offset);
    OVERLAP("ring over the control block", ring[0].offset,
            good.ctrl_offset);
    OVERLAP("buffer area over the control block", ring[1].buf_offset,
            good.ctrl_offset);
    OVERLAP("control block over a ring", ctrl_offset, good.ring[1].offset);
    OVERLAP("control block over a buffer area", ctrl_offset,
            good.ring[0].buf_offset);
#undef OVERLAP

    printf("validate-overlap: %d overlapping layouts; %llu checks, %llu "
           "failures\n", n_cases, n_checks, n_failures);
    return n_failures ? 1 : 0;
}

static int
cmd_layout(int argc, char *argv[])
{
    static const uint32_t buf_sizes[] = {
        DPDKR_BUF_SIZE_MIN, 257, 1518, 2048, 9018, 65519, 65520,
        DPDKR_BUF_SIZE_MAX,
    };
    static const uint64_t aligns[] = { 4096, 2 << 20 };
    int n_cases = 0;
    uint32_t l;
    size_t b, a;

    (void) argc;
    (void) argv;
    for (l = DPDKR_LOG2_RING_MIN; l <= DPDKR_LOG2_RING_MAX; l++) {
        for (b = 0; b < ARRAY_SIZE(buf_sizes); b++) {
            for (a = 0; a < ARRAY_SIZE(aligns); a++) {
                struct dpdkr_region_hdr h;
                struct dpdkr_geometry g;
                uint64_t size;
                char what[64];

                size = dpdkr_region_layout(l, buf_sizes[b], aligns[a], &g);
                header_init(&h, &g);
                snprintf(what, sizeof what, "layout(%"PRIu32", %"PRIu32
                         ", %"PRIu64") region size", l, buf_sizes[b],
                         aligns[a]);
                CHECK(size % aligns[a] == 0, "%s not aligned", what);
                n_cases++;
                try_validate(&h, size, true, what, size);
            }
        }
    }
    printf("layout: %d geometries; %llu checks, %llu failures\n", n_cases,
           n_checks, n_failures);
    return n_failures ? 1 : 0;
}

/* lane-ctrl, lane-race. */

/* Fills 'r' with a request whose every field is derived from 'gen', so
 * that a reader can tell a request mixed from two generations. */
static void
lane_req_fill(struct dpdkr_lane_req *r, uint32_t gen)
{
    memset(r, 0, sizeof *r);
    r->state = gen * 3 + 1;
    r->lane_epoch = (uint64_t) gen * UINT64_C(0x9e3779b97f4a7c15);
    r->lane_ring = gen ^ UINT32_C(0x5a5a5a5a);
    r->max_len = gen * 7;
    r->old_path_seq = ~(uint64_t) gen;
    r->lane_seq = (uint64_t) gen << 32 | (gen + 1);
}

/* Returns true if 'r' is exactly what lane_req_fill() makes for its own
 * generation. */
static bool
lane_req_consistent(const struct dpdkr_lane_req *r)
{
    struct dpdkr_lane_req want;

    lane_req_fill(&want, r->generation);
    return (r->state == want.state && r->lane_epoch == want.lane_epoch
            && r->lane_ring == want.lane_ring && r->max_len == want.max_len
            && r->old_path_seq == want.old_path_seq
            && r->lane_seq == want.lane_seq);
}

static void
lane_ack_fill(struct dpdkr_lane_ack *a, uint32_t gen)
{
    memset(a, 0, sizeof *a);
    a->generation = gen;
    a->state = gen * 5 + 2;
    a->old_path_seq = (uint64_t) gen * UINT64_C(0xbf58476d1ce4e5b9);
    a->lane_seq = ~((uint64_t) gen << 16);
}

static bool
lane_ack_consistent(const struct dpdkr_lane_ack *a)
{
    struct dpdkr_lane_ack want;

    lane_ack_fill(&want, a->generation);
    return (a->state == want.state && a->old_path_seq == want.old_path_seq
            && a->lane_seq == want.lane_seq);
}

static int
cmd_lane_ctrl(int argc, char *argv[])
{
    struct dpdkr_lane_req *sreq = xmalloc(sizeof *sreq);
    struct dpdkr_lane_ack *sack = xmalloc(sizeof *sack);
    struct dpdkr_lane_req r;
    struct dpdkr_lane_ack a;
    uint32_t gen;

    (void) argc;
    (void) argv;
    memset(sreq, 0, sizeof *sreq);
    memset(sack, 0, sizeof *sack);

    /* Round trip of a request. */
    lane_req_fill(&r, 2);
    dpdkr_lane_req_publish(sreq, &r, 2);
    gen = dpdkr_load_acquire(&sreq->generation);
    CHECK(gen == 2, "lane-ctrl: published generation %"PRIu32", expected 2",
          gen);
    memset(&r, 0xa5, sizeof r);
    CHECK(dpdkr_lane_req_read(sreq, gen, &r), "lane-ctrl: request refused");
    CHECK(r.generation == 2 && lane_req_consistent(&r),
          "lane-ctrl: request misread");

    /* A generation read before the request changed is refused. */
    lane_req_fill(&r, 4);
    dpdkr_lane_req_publish(sreq, &r, 4);
    CHECK(!dpdkr_lane_req_read(sreq, 2, &r),
          "lane-ctrl: request accepted under a stale generation");
    CHECK(dpdkr_lane_req_read(sreq, 4, &r) && r.generation == 4
          && lane_req_consistent(&r), "lane-ctrl: second request misread");

    /* A writer half-way through generation 6 (the ABI: it stores the odd
     * generation 5 first, then the fields, then 6): a reader that reads
     * the odd generation, before or after it changed a field, refuses it,
     * and so does one that read 4 before the writer began. */
    __atomic_store_n(&sreq->generation, 5, __ATOMIC_RELEASE);
    CHECK(!dpdkr_lane_req_read(sreq, 5, &r),
          "lane-ctrl: request of odd generation 5 accepted");
    sreq->state = 6 * 3 + 1;
    sreq->lane_seq = 12345;
    CHECK(!dpdkr_lane_req_read(sreq, 5, &r),
          "lane-ctrl: half-written request of generation 5 accepted");
    CHECK(!dpdkr_lane_req_read(sreq, 4, &r),
          "lane-ctrl: half-written request accepted under generation 4");
    lane_req_fill(&r, 6);
    dpdkr_lane_req_publish(sreq, &r, 6);
    CHECK(dpdkr_lane_req_read(sreq, 6, &r) && r.generation == 6
          && lane_req_consistent(&r), "lane-ctrl: third request misread");

    /* Every odd generation is refused, whatever the fields say. */
    for (gen = 1; gen < 64; gen += 2) {
        __atomic_store_n(&sreq->generation, gen, __ATOMIC_RELEASE);
        CHECK(!dpdkr_lane_req_read(sreq, gen, &r),
              "lane-ctrl: request of odd generation %"PRIu32" accepted", gen);
    }
    __atomic_store_n(&sreq->generation, UINT32_MAX, __ATOMIC_RELEASE);
    CHECK(!dpdkr_lane_req_read(sreq, UINT32_MAX, &r),
          "lane-ctrl: request of odd generation %#"PRIx32" accepted",
          UINT32_MAX);

    /* Acknowledgements: round trip, without touching the burst markers
     * that share their cache line. */
    sack->tx_busy = 77;
    sack->rx_busy = 78;
    lane_ack_fill(&a, 2);
    dpdkr_lane_ack_publish(sack, &a);
    CHECK(dpdkr_load_acquire(&sack->generation) == 2,
          "lane-ctrl: acknowledgement published under generation %"PRIu32,
          sack->generation);
    memset(&a, 0xa5, sizeof a);
    CHECK(dpdkr_lane_ack_read(sack, &a) && a.generation == 2
          && lane_ack_consistent(&a), "lane-ctrl: acknowledgement misread");
    CHECK(sack->tx_busy == 77 && sack->rx_busy == 78,
          "lane-ctrl: acknowledgement overwrote the burst markers");

    /* Half-way through acknowledging generation 4. */
    __atomic_store_n(&sack->generation, 3, __ATOMIC_RELEASE);
    CHECK(!dpdkr_lane_ack_read(sack, &a),
          "lane-ctrl: acknowledgement of odd generation 3 accepted");
    sack->state = 4 * 5 + 2;
    CHECK(!dpdkr_lane_ack_read(sack, &a),
          "lane-ctrl: half-written acknowledgement accepted");
    lane_ack_fill(&a, 4);
    dpdkr_lane_ack_publish(sack, &a);
    CHECK(dpdkr_lane_ack_read(sack, &a) && a.generation == 4
          && lane_ack_consistent(&a),
          "lane-ctrl: second acknowledgement misread");
    for (gen = 1; gen < 64; gen += 2) {
        __atomic_store_n(&sack->generation, gen, __ATOMIC_RELEASE);
        CHECK(!dpdkr_lane_ack_read(sack, &a),
              "lane-ctrl: acknowledgement of odd generation %"PRIu32
              " accepted", gen);
    }

    printf("lane-ctrl: %llu checks, %llu failures\n", n_checks, n_failures);
    free(sreq);
    free(sack);
    return n_failures ? 1 : 0;
}

/* The shared request and acknowledgement of lane-race, and its writer's
 * progress. */
struct lane_race {
    struct dpdkr_lane_req *req;
    struct dpdkr_lane_ack *ack;
    bool acks;                  /* Race acknowledgements, not requests. */
    uint64_t published;
    int stop;
};

static void *
lane_race_writer(void *arg)
{
    struct lane_race *lr = arg;
    uint32_t gen = 0;

    while (!__atomic_load_n(&lr->stop, __ATOMIC_RELAXED)) {
        gen += 2;
        if (!gen) {
            gen = 2;
        }
        if (lr->acks) {
            struct dpdkr_lane_ack a;

            lane_ack_fill(&a, gen);
            dpdkr_lane_ack_publish(lr->ack, &a);
        } else {
            struct dpdkr_lane_req r;

            lane_req_fill(&r, gen);
            dpdkr_lane_req_publish(lr->req, &r, gen);
        }
        lr->published++;
    }
    return NULL;
}

static int
cmd_lane_race(int argc, char *argv[])
{
    uint64_t accepted = 0, refused = 0, mixed = 0, odd = 0, changes = 0;
    struct lane_race lr;
    uint32_t last = 0;
    pthread_t thread;
    double seconds;
    struct timespec t0, t;
    uint64_t k;
    int error;

    if (argc < 3 || (strcmp(argv[2], "req") && strcmp(argv[2], "ack"))) {
        fprintf(stderr, "usage: %s lane-race req|ack [SECONDS]\n", argv[0]);
        return 2;
    }
    seconds = argc > 3 ? strtod(argv[3], NULL) : 2;

    memset(&lr, 0, sizeof lr);
    lr.acks = !strcmp(argv[2], "ack");
    lr.req = xmalloc(sizeof *lr.req);
    lr.ack = xmalloc(sizeof *lr.ack);
    /* Generation 0, as the writer would have made it, so that every read
     * can be checked. */
    lane_req_fill(lr.req, 0);
    lane_ack_fill(lr.ack, 0);
    error = pthread_create(&thread, NULL, lane_race_writer, &lr);
    if (error) {
        errno = error;
        fprintf(stderr, "pthread_create: %m\n");
        return 2;
    }

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (k = 0; ; k++) {
        uint32_t gen;
        bool ok;

        if (k % 4096 == 0) {
            clock_gettime(CLOCK_MONOTONIC, &t);
            if ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9
                >= seconds) {
                break;
            }
        }
        if (lr.acks) {
            struct dpdkr_lane_ack a;

            ok = dpdkr_lane_ack_read(lr.ack, &a);
            gen = a.generation;
            if (ok && !lane_ack_consistent(&a)) {
                mixed++;
            }
        } else {
            struct dpdkr_lane_req r;

            gen = dpdkr_load_acquire(&lr.req->generation);
            ok = dpdkr_lane_req_read(lr.req, gen, &r);
            if (ok && (r.generation != gen || !lane_req_consistent(&r))) {
                mixed++;
            }
        }
        if (!ok) {
            refused++;
            continue;
        }
        accepted++;
        odd += gen & 1;
        changes += gen != last;
        last = gen;
    }
    __atomic_store_n(&lr.stop, 1, __ATOMIC_RELAXED);
    pthread_join(thread, NULL);

    CHECK(mixed == 0, "lane-race: %"PRIu64" of %"PRIu64" accepted %ss mix "
          "two generations", mixed, accepted, argv[2]);
    CHECK(odd == 0, "lane-race: %"PRIu64" %ss of odd generation accepted",
          odd, argv[2]);
    CHECK(changes >= 2, "lane-race: the reader saw %"PRIu64" generations "
          "(writer published %"PRIu64")", changes, lr.published);
    printf("lane-race: %s: %"PRIu64" reads accepted (%"PRIu64" generations), "
           "%"PRIu64" refused, %"PRIu64" mixed, against %"PRIu64" published; "
           "%llu checks, %llu failures\n", argv[2], accepted, changes,
           refused, mixed, lr.published, n_checks, n_failures);
    free(lr.req);
    free(lr.ack);
    return n_failures ? 1 : 0;
}

/* serve. */

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Returns true if a client holds the lock of the region file open as
 * 'fd' (the server's own open file description). */
static bool
client_attached(int fd)
{
    return dpdkr_client_locked(fd);
}

static int
cmd_serve(int argc, char *argv[])
{
    struct dpdkr_ring_view rx, tx;
    struct dpdkr_geometry g;
    const char *path;
    double seconds, start, attached_at = 0;
    long page = sysconf(_SC_PAGESIZE);
    uint64_t size, seq = 0, rounds = 0, sum = 0;
    uint8_t *base;
    bool attached = false;
    void *map;
    int fd;

    if (argc < 3) {
        fprintf(stderr, "usage: %s serve PATH [SECONDS]\n", argv[0]);
        return 2;
    }
    path = argv[2];
    seconds = argc > 3 ? strtod(argv[3], NULL) : 10;
    alarm(seconds * 2 + 10);

    size = dpdkr_region_layout(6, 2048, page, &g);
    g.epoch = getpid();
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, size)) {
        fprintf(stderr, "%s: %m\n", path);
        return 2;
    }

    /* The file, between two inaccessible pages. */
    map = mmap(NULL, size + 2 * page, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED
        || mmap((uint8_t *) map + page, size, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
        fprintf(stderr, "mmap: %m\n");
        return 2;
    }
    base = (uint8_t *) map + page;
    header_init(base, &g);

    /* Trust only the private geometry 'g' from now on. */
    dpdkr_ring_view_init(&rx, base, &g, DPDKR_RING_C2S, 0);
    dpdkr_ring_view_init(&tx, base, &g, DPDKR_RING_S2C, 0);
    printf("serve: %s ready, %"PRIu64" bytes\n", path, size);

    start = now();
    for (;;) {
        uint32_t n, i, good = 0;
        uint64_t bytes = 0;

        if (rounds++ % 1024 == 0) {
            bool a = client_attached(fd);
            double t = now();

            if (a && !attached) {
                attached = true;
                attached_at = t;
            } else if (!a && attached) {
                break;
            }
            if ((!attached && t - start > seconds)
                || (attached && t - attached_at > seconds)) {
                fail("serve: client %s", attached ? "never detached"
                                                   : "never attached");
                break;
            }
        }

        n = dpdkr_cons_avail(&rx, 32);
        CHECK(n <= 32, "serve: avail %"PRIu32, n);
        for (i = 0; i < n; i++) {
            struct dpdkr_desc d;
            const uint8_t *p = dpdkr_cons_desc(&rx, i, 1518, &d);

            if (p) {
                check_accepted(&rx, p, &d, 1518);
                sum += packet_touch(p, d.len);
                good++;
                bytes += d.len;
            }
        }
        dpdkr_cons_release(&rx, n, good, bytes);

        n = MIN(dpdkr_prod_space(&tx), 8);
        for (i = 0; i < n; i++) {
            uint32_t len = packet_len(seq, tx.buf_size);

            packet_fill(dpdkr_prod_buf(&tx, i), seq++, len);
            dpdkr_prod_fill(&tx, i, len);
        }
        dpdkr_prod_publish(&tx, n);
    }
    printf("serve: rx packets %"PRIu64" bad_desc %"PRIu64" bad_index %"
           PRIu64"; tx packets %"PRIu64" bad_index %"PRIu64"; %llu checks, "
           "%llu failures (checksum %"PRIx64")\n", rx.packets, rx.bad_desc,
           rx.bad_index, tx.packets, tx.bad_index, n_checks, n_failures,
           sum);
    munmap(map, size + 2 * page);
    close(fd);
    return n_failures ? 1 : 0;
}

/* copy-tuner: nt-copy=auto's choice, against a simulated producer. */

struct tuner_sim {
    uint32_t size;              /* Packet size. */
    uint32_t burst;             /* Packets per burst. */
    uint64_t ns[2];             /* A burst's duration: ordinary, NT copy. */
    uint64_t idle_ns;           /* Time between bursts (nothing to send). */
    uint64_t stall_ns;          /* A preemption in every NT window... */
    uint64_t switch_at;         /* After this (ns), 'ns' is swapped. */
    unsigned int slow_window;   /* Bursts take twice as long in this window
                                 * of every trial (0: none). */

    /* Results. */
    uint64_t time[2];           /* Time spent in bursts, per copy. */
};

/* Runs 's' against 't' from 'start' to 'end' (ns); returns 'end'. */
static uint64_t
tuner_sim_run(struct tuner_sim *s, struct dpdkr_copy_tuner *t,
              uint64_t start, uint64_t end)
{
    uint64_t now = start;
    unsigned int stalled_window = 0;

    while (now < end) {
        bool nt = t->nt;
        bool swapped = s->switch_at && now >= s->switch_at;
        uint64_t d = s->ns[nt ^ swapped];

        if (s->slow_window && t->window == s->slow_window) {
            d *= 2;
        }

        if (s->stall_ns && t->window && nt
            && t->window != stalled_window) {
            /* Preempted once in this window, before the burst. */
            stalled_window = t->window;
            now += s->stall_ns;
        }
        now += d;
        s->time[nt] += d;
        dpdkr_copy_tuner_burst(t, now, (uint64_t) s->burst * s->size,
                               s->size >= DPDKR_COPY_NT_MIN ? s->burst : 0);
        now += s->idle_ns;
    }
    return now;
}

/* Runs 's' for 'seconds' from a new tuner and checks that it ends with
 * copy 'want_nt' and that every trial chose as 'want_trials_nt' says (-1:
 * the last trial). */
static void
tuner_case(const char *what, struct tuner_sim *s, double seconds,
           bool want_nt, int want_trials_nt)
{
    const uint64_t hz = 1000000000;
    struct dpdkr_copy_tuner t;
    uint64_t end = seconds * hz;
    uint64_t n_expected;

    dpdkr_copy_tuner_init(&t, hz, 0);
    CHECK(!t.nt, "%s: the tuner starts with non-temporal stores", what);
    tuner_sim_run(s, &t, 0, end);

    /* A trial DPDKR_TUNE_FIRST_MS after the start, then one every
     * period after each trial's end (bursts are much shorter than a
     * window, so a trial lasts its windows' time, give or take a burst). */
    n_expected = 1 + (end - DPDKR_TUNE_FIRST_MS * 1000000ULL
                      - DPDKR_TUNE_WINDOWS * DPDKR_TUNE_WINDOW_MS * 1000000ULL)
                     / ((DPDKR_TUNE_PERIOD_MS + DPDKR_TUNE_WINDOWS
                         * DPDKR_TUNE_WINDOW_MS) * 1000000ULL);
    CHECK(t.n_trials == n_expected, "%s: %"PRIu64" trials, expected %"PRIu64,
          what, t.n_trials, n_expected);
    CHECK(t.nt == want_nt, "%s: chose %s", what,
          t.nt ? "non-temporal stores" : "the ordinary copy");
    if (want_trials_nt >= 0) {
        CHECK(t.n_trials_nt == (uint64_t) want_trials_nt,
              "%s: %"PRIu64" of %"PRIu64" trials chose non-temporal stores, "
              "expected %d", what, t.n_trials_nt, t.n_trials,
              want_trials_nt);
    }
}

static int
cmd_copy_tuner(int argc, char *argv[])
{
    struct tuner_sim s;
    double trial_share;
    int n_cases = 0;

    (void) argc;
    (void) argv;

    /* 32 packets of 1024 bytes in 2 us with the ordinary copy. */
#define TUNER_SIM(NS_PLAIN, NS_NT) \
    (struct tuner_sim) { .size = 1024, .burst = 32, \
                         .ns = { NS_PLAIN, NS_NT } }

    s = TUNER_SIM(2000, 1000);
    tuner_case("non-temporal 2x faster", &s, 3.5, true, 4);
    n_cases++;
    /* What the trials cost: the time spent with the losing copy. */
    trial_share = (double) s.time[0] / (s.time[0] + s.time[1]);
    CHECK(trial_share > 0.002 && trial_share < 0.01,
          "trials took %.4f of the time with the ordinary copy",
          trial_share);

    s = TUNER_SIM(2000, 4000);
    tuner_case("non-temporal 2x slower", &s, 3.5, false, 0);
    n_cases++;

    s = TUNER_SIM(2000, 1820);      /* 1.10x: within the 1/8 margin. */
    tuner_case("non-temporal 1.10x faster", &s, 3.5, false, 0);
    n_cases++;

    s = TUNER_SIM(2000, 1740);      /* 1.15x: beyond it. */
    tuner_case("non-temporal 1.15x faster", &s, 3.5, true, 4);
    n_cases++;

    s = TUNER_SIM(2000, 1000);
    s.size = 64;                    /* No packet the choice applies to. */
    tuner_case("64-byte packets", &s, 2.5, false, 0);
    n_cases++;

    s = TUNER_SIM(2000, 1000);
    s.burst = 1;                    /* 1 packet per 100 us: 20 per window. */
    s.idle_ns = 100000;
    tuner_case("too few packets to tell", &s, 2.5, false, 0);
    n_cases++;

    s = TUNER_SIM(2000, 1000);      /* Preempted for 5 ms in every NT window:
                                     * the gap is not counted. */
    s.stall_ns = 5000000;
    tuner_case("preempted in the trials", &s, 2.5, true, -1);
    n_cases++;

    s = TUNER_SIM(2000, 1333);      /* 1.5x, but one NT window of each trial
                                     * is slower than the ordinary ones. */
    s.slow_window = 3;
    tuner_case("one non-temporal window slower", &s, 2.5, false, 0);
    n_cases++;

    s = TUNER_SIM(2000, 1333);      /* 1.5x, and one ordinary window slower
                                     * still: no doubt. */
    s.slow_window = 4;
    tuner_case("one ordinary window slower", &s, 2.5, true, 3);
    n_cases++;

    s = TUNER_SIM(2000, 1000);      /* The consumer moves after 2.5 s. */
    s.switch_at = 2500000000ULL;
    tuner_case("conditions change", &s, 4.5, false, 3);
    n_cases++;

    s = TUNER_SIM(2000, 1000);      /* Back the other way. */
    s.ns[0] = 1000;
    s.ns[1] = 2000;
    s.switch_at = 2500000000ULL;
    tuner_case("conditions change back", &s, 4.5, true, 2);
    n_cases++;
#undef TUNER_SIM

    printf("copy-tuner: %d cases; %llu checks, %llu failures\n", n_cases,
           n_checks, n_failures);
    return n_failures ? 1 : 0;
}

int
main(int argc, char *argv[])
{
    static const struct {
        const char *name;
        int (*cmd)(int argc, char *argv[]);
    } cmds[] = {
        { "basic", cmd_basic },
        { "hostile", cmd_hostile },
        { "threads", cmd_threads },
        { "validate", cmd_validate },
        { "validate-overlap", cmd_validate_overlap },
        { "layout", cmd_layout },
        { "lane-ctrl", cmd_lane_ctrl },
        { "lane-race", cmd_lane_race },
        { "serve", cmd_serve },
        { "copy-tuner", cmd_copy_tuner },
    };
    size_t i;

    signal(SIGALRM, watchdog);
    alarm(WATCHDOG_SECONDS);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (i = 0; argc > 1 && i < ARRAY_SIZE(cmds); i++) {
        if (!strcmp(argv[1], cmds[i].name)) {
            return cmds[i].cmd(argc, argv);
        }
    }
    fprintf(stderr, "usage: %s basic [SEED] | hostile SEED [ROUNDS] | "
            "threads SEED [ROUNDS] | validate | validate-overlap | layout | "
            "lane-ctrl | lane-race req|ack [SECONDS] | serve PATH [SECONDS] | "
            "copy-tuner\n",
            argv[0]);
    return 2;
}
