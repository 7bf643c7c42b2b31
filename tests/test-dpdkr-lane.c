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

/* test-dpdkr-lane: deterministic tests of the net_dpdkr driver's lane code,
 * run in one DPDK process that links the driver (built from
 * drivers/net/dpdkr/rte_eth_dpdkr.c, as applications load it) and plays
 * every other part itself:
 *
 *   - the switch: a net_dpdkr server port, whose lane requests it makes
 *     with the driver's own server API (rte_pmd_dpdkr.h), and the lane
 *     files, which it creates as ovs-vswitchd's lane manager does;
 *   - application A, the lane's sender, which writes into the lane with
 *     the ring code of dpdkr-ring.h (and, being hostile, into its header);
 *   - application B, a net_dpdkr client port attached to the server
 *     port's region, driven only through the ethdev API (rte_eth_rx_burst(),
 *     rte_eth_tx_burst()), whose receive mempool it controls.
 *
 * Every burst is a function call on this thread, so each interleaving is
 * exact and each run is the same.
 *
 * Usage: test-dpdkr-lane COMMAND [ARGS]
 *
 *   forged-geometry
 *       A rewrites the geometry in the lane's header (swaps its two rings)
 *       before B maps the lane, on B's receive side and on its transmit
 *       side.  B must use the geometry that the switch published in its
 *       port's control block: receive A's packets, in order, from the ring
 *       the switch named, and send into the ring the switch named.
 *
 *   grown-lane
 *       A grows the lane file by a page before B maps it: the switch's
 *       geometry no longer matches the file, so B must refuse the lane
 *       (acknowledge REFUSED) and keep receiving on the switched path.
 *
 *   starve
 *       B's receive mempool is empty while it takes up a hand-over: first
 *       DIRECT (B must first read the old path up to its index, then the
 *       lane), then SWITCHED (B must finish the lane before it goes back).
 *       While it has no mbufs, B must receive nothing and acknowledge
 *       nothing; once it has mbufs again it must receive every packet,
 *       exactly once and in order.
 *
 *   guard N
 *       Guards N mappings of N small files with rte_pmd_dpdkr_guard(),
 *       truncates some of the files (the first, the last, and those around
 *       multiples of 256) and accesses their mappings: the process must
 *       survive, reading zeros.  Every slot must be distinct and valid.
 *
 * Each command prints what it saw and "N checks, N failures" and exits 0
 * on success, 1 on a failed check, 2 on a usage or setup error.  A
 * watchdog makes a hang fail. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpdkr-ring.h"
#include "rte_pmd_dpdkr.h"

#define WATCHDOG_SECONDS 60

/* In the driver, for programs that link it (see rte_eth_dpdkr.c). */
int rte_pmd_dpdkr_linked(void);

/* Bounds on the bursts a step may take. */
#define MAX_BURSTS 1000

#define PKT_LEN 64
#define PKT_MAGIC UINT64_C(0x4c414e4554455354) /* "TSETENAL". */

/* The client's receive mempool: small, no per-lcore cache, so that the
 * test knows exactly how many mbufs it has. */
#define CLI_POOL_SIZE 255

static unsigned long long n_checks;
static unsigned long long n_failures;

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
}

#define CHECK(COND, ...)                        \
    do {                                        \
        n_checks++;                             \
        if (!(COND)) {                          \
            fail(__VA_ARGS__);                  \
        }                                       \
    } while (0)

static void
fatal(const char *format, ...)
{
    va_list args;

    fprintf(stderr, "test-dpdkr-lane: ");
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(2);
}

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

/* The switch, B and the lane. */
struct env {
    char dir[PATH_MAX];
    uint16_t srv;               /* The switch's server port for B. */
    uint16_t cli;               /* B's client port. */
    struct rte_mempool *pkt_pool;   /* Packets the test sends. */
    struct rte_mempool *srv_pool;   /* The server port's receive pool. */
    struct rte_mempool *cli_pool;   /* B's receive pool. */

    /* The lane, as the switch created it. */
    char lane_path[DPDKR_LANE_PATH_SIZE];
    uint8_t *lane_base;
    uint64_t lane_size;
    struct dpdkr_geometry lane_geo;
    struct dpdkr_ring_view lane_prod[DPDKR_N_RINGS]; /* A's, or the test's
                                                      * producer views. */
    struct dpdkr_ring_view lane_cons[DPDKR_N_RINGS]; /* The test's consumer
                                                      * views. */
};

static uint16_t
port_create(const char *name, const char *args, struct rte_mempool *pool)
{
    struct rte_eth_conf conf;
    uint16_t port;
    int err;

    memset(&conf, 0, sizeof conf);
    err = rte_vdev_init(name, args);
    if (err) {
        fatal("%s: cannot create port (%s)", name, rte_strerror(-err));
    }
    if (rte_eth_dev_get_port_by_name(name, &port)) {
        fatal("%s: no such port", name);
    }
    if (rte_eth_dev_configure(port, 1, 1, &conf)
        || rte_eth_rx_queue_setup(port, 0, 256, rte_socket_id(), NULL, pool)
        || rte_eth_tx_queue_setup(port, 0, 256, rte_socket_id(), NULL)
        || rte_eth_dev_start(port)) {
        fatal("%s: cannot set up port", name);
    }
    return port;
}

static struct rte_mempool *
pool_create(const char *name, unsigned int n)
{
    struct rte_mempool *mp;

    mp = rte_pktmbuf_pool_create(name, n, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                 rte_socket_id());
    if (!mp) {
        fatal("cannot create mempool %s (%s)", name, rte_strerror(rte_errno));
    }
    return mp;
}

static void
env_init(struct env *e)
{
    char args[PATH_MAX + 64];

    memset(e, 0, sizeof *e);
    if (!getcwd(e->dir, sizeof e->dir)) {
        fatal("getcwd: %s", rte_strerror(errno));
    }
    e->pkt_pool = pool_create("pkt", 1023);
    e->srv_pool = pool_create("srv", 511);
    e->cli_pool = pool_create("cli", CLI_POOL_SIZE);
    snprintf(args, sizeof args, "path=%s/region-b,role=server,ring-size=256",
             e->dir);
    e->srv = port_create("net_dpdkr0", args, e->srv_pool);
    snprintf(args, sizeof args, "path=%s/region-b", e->dir);
    e->cli = port_create("net_dpdkr1", args, e->cli_pool);
}

/* Creates the lane file as ovs-vswitchd's lane manager does. */
static void
lane_create(struct env *e, const char *name)
{
    int fd, i;

    if (snprintf(e->lane_path, sizeof e->lane_path, "%s/%s", e->dir, name)
        >= (int) sizeof e->lane_path) {
        fatal("%s: directory name too long", e->dir);
    }
    unlink(e->lane_path);
    fd = open(e->lane_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        fatal("%s: %s", e->lane_path, rte_strerror(errno));
    }
    e->lane_size = dpdkr_region_layout(8, 2048, 4096, &e->lane_geo);
    if (!e->lane_size || ftruncate(fd, e->lane_size)) {
        fatal("%s: cannot size the lane", e->lane_path);
    }
    e->lane_base = mmap(NULL, e->lane_size, PROT_READ | PROT_WRITE,
                        MAP_SHARED, fd, 0);
    close(fd);
    if (e->lane_base == MAP_FAILED) {
        fatal("%s: mmap: %s", e->lane_path, rte_strerror(errno));
    }
    e->lane_geo.epoch = ((uint64_t) getpid() << 20) | 0x1235;
    dpdkr_region_init(e->lane_base, &e->lane_geo, getpid(),
                      DPDKR_REGION_F_LANE);
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        dpdkr_ring_view_init(&e->lane_prod[i], e->lane_base, &e->lane_geo,
                             i, 0);
        dpdkr_ring_view_init(&e->lane_cons[i], e->lane_base, &e->lane_geo,
                             i, 0);
    }
}

/* A, hostile: swaps the two rings of the lane's header. */
static void
lane_forge_header(struct env *e)
{
    struct dpdkr_region_hdr *h = (struct dpdkr_region_hdr *) e->lane_base;
    struct dpdkr_ring_info tmp = h->ring[0];
    struct dpdkr_geometry g;

    h->ring[0] = h->ring[1];
    h->ring[1] = tmp;
    /* Still a valid header, just not the switch's. */
    CHECK(!dpdkr_region_validate(e->lane_base, e->lane_size, &g)
          && g.ring[0].offset == e->lane_geo.ring[1].offset,
          "forged lane header does not validate");
}

static void
pkt_write(uint8_t *p, uint64_t seq)
{
    uint64_t magic = PKT_MAGIC;

    memset(p, 0, PKT_LEN);
    memcpy(p, &seq, sizeof seq);
    memcpy(p + 8, &magic, sizeof magic);
}

/* Returns the sequence number of packet 'p' of 'len' bytes, or UINT64_MAX
 * if it is not one of ours. */
static uint64_t
pkt_seq(const uint8_t *p, uint32_t len)
{
    uint64_t seq, magic;

    if (len != PKT_LEN) {
        return UINT64_MAX;
    }
    memcpy(&seq, p, sizeof seq);
    memcpy(&magic, p + 8, sizeof magic);
    return magic == PKT_MAGIC ? seq : UINT64_MAX;
}

/* A puts packets [first, first + n) on ring 'ring' of the lane. */
static void
lane_put(struct env *e, int ring, uint64_t first, uint32_t n)
{
    struct dpdkr_ring_view *v = &e->lane_prod[ring];
    uint32_t i;

    if (dpdkr_prod_space(v) < n) {
        fatal("lane ring %d full", ring);
    }
    for (i = 0; i < n; i++) {
        pkt_write(dpdkr_prod_buf(v, i), first + i);
        dpdkr_prod_fill(v, i, PKT_LEN);
    }
    dpdkr_prod_publish(v, n);
}

/* Reads what is on ring 'ring' of the lane, with the switch's geometry,
 * into 'seqs' (at most 'max').  Returns how many. */
static uint32_t
lane_get(struct env *e, int ring, uint64_t *seqs, uint32_t max)
{
    struct dpdkr_ring_view *v = &e->lane_cons[ring];
    uint32_t n = dpdkr_cons_avail(v, max), i;

    for (i = 0; i < n; i++) {
        struct dpdkr_desc d;
        const uint8_t *p = dpdkr_cons_desc(v, i, 2048, &d);

        seqs[i] = p ? pkt_seq(p, d.len) : UINT64_MAX;
    }
    dpdkr_cons_release(v, n, n, 0);
    return n;
}

/* Sends packets [first, first + n) through port 'port'.  Returns how many
 * it took. */
static uint16_t
port_send(struct env *e, uint16_t port, uint64_t first, uint16_t n)
{
    struct rte_mbuf *m[64];
    uint16_t i, sent;

    if (n > 64 || rte_pktmbuf_alloc_bulk(e->pkt_pool, m, n)) {
        fatal("cannot allocate %u packets", n);
    }
    for (i = 0; i < n; i++) {
        uint8_t *p = (uint8_t *) rte_pktmbuf_append(m[i], PKT_LEN);

        if (!p) {
            fatal("mbuf too small");
        }
        pkt_write(p, first + i);
    }
    sent = rte_eth_tx_burst(port, 0, m, n);
    if (sent < n) {
        rte_pktmbuf_free_bulk(&m[sent], n - sent);
    }
    return sent;
}

/* Runs one receive burst on B, appending the sequence numbers received to
 * 'seqs' (of which '*n' are filled, at most 'max'). */
static uint16_t
cli_recv(struct env *e, uint64_t *seqs, uint32_t *n, uint32_t max)
{
    struct rte_mbuf *m[32];
    uint16_t got, i;

    got = rte_eth_rx_burst(e->cli, 0, m, 32);
    for (i = 0; i < got; i++) {
        if (*n < max) {
            seqs[(*n)++] = pkt_seq(rte_pktmbuf_mtod(m[i], const uint8_t *),
                                   m[i]->pkt_len);
        }
    }
    rte_pktmbuf_free_bulk(m, got);
    return got;
}

/* Checks that 'seqs[0..n)' is exactly [first, first + want). */
static void
check_seqs(const char *what, const uint64_t *seqs, uint32_t n,
           uint64_t first, uint32_t want)
{
    uint32_t i;

    CHECK(n == want, "%s: received %"PRIu32" packets, expected %"PRIu32,
          what, n, want);
    for (i = 0; i < n && i < want; i++) {
        if (seqs[i] != first + i) {
            CHECK(false, "%s: packet %"PRIu32" is #%"PRIu64", expected #%"
                  PRIu64" (reordered or lost)", what, i, seqs[i], first + i);
            break;
        }
    }
}

/* The switch's request on ring 'ring' of B's port. */
static uint32_t
request(struct env *e, int ring, uint32_t state, uint32_t lane_ring,
        uint64_t old_path_seq, uint64_t lane_seq)
{
    struct dpdkr_lane_req r = {
        .state = state,
        .lane_epoch = e->lane_geo.epoch,
        .lane_ring = lane_ring,
        .max_len = 1518,
        .old_path_seq = old_path_seq,
        .lane_seq = lane_seq,
    };
    uint32_t gen;
    int err;

    err = rte_pmd_dpdkr_lane_request(e->srv, ring, &r, e->lane_path,
                                     &e->lane_geo, &gen);
    if (err) {
        fatal("lane request: %s", rte_strerror(-err));
    }
    return gen;
}

/* Returns true if B acknowledged generation 'gen' on ring 'ring', storing
 * the state it reached in '*state'. */
static bool
acked(struct env *e, int ring, uint32_t gen, uint32_t *state)
{
    struct dpdkr_lane_ack a;

    if (rte_pmd_dpdkr_lane_ack(e->srv, ring, &a) || a.generation != gen) {
        return false;
    }
    *state = a.state;
    return true;
}

static uint32_t
srv_tx_head(struct env *e)
{
    uint32_t head;

    if (rte_pmd_dpdkr_tx_head(e->srv, &head)) {
        fatal("tx head");
    }
    return head;
}

static int
cmd_forged_geometry(int argc, char *argv[])
{
    uint64_t seqs[256];
    uint32_t gen, n = 0, state = 0, k, i;
    struct env e;

    (void) argc;
    (void) argv;
    env_init(&e);
    lane_create(&e, "lane-forged");

    /* Receive side: A's packets on lane ring 0, where the switch says;
     * the header now says that ring 0 is where ring 1 is. */
    lane_forge_header(&e);
    lane_put(&e, 0, 0, 40);
    gen = request(&e, DPDKR_RING_S2C, DPDKR_LANE_DIRECT, 0, srv_tx_head(&e),
                  0);
    for (i = 0; i < MAX_BURSTS && n < 40; i++) {
        cli_recv(&e, seqs, &n, 256);
    }
    check_seqs("forged-geometry rx", seqs, n, 0, 40);
    CHECK(acked(&e, DPDKR_RING_S2C, gen, &state)
          && state == DPDKR_LANE_DIRECT,
          "forged-geometry rx: not acknowledged DIRECT (state %"PRIu32")",
          state);

    /* Transmit side: B sends into lane ring 1, where the switch says. */
    gen = request(&e, DPDKR_RING_C2S, DPDKR_LANE_DIRECT, 1, 0, 0);
    k = port_send(&e, e.cli, 1000, 40);
    CHECK(k == 40, "forged-geometry tx: sent %"PRIu32" of 40", k);
    CHECK(acked(&e, DPDKR_RING_C2S, gen, &state)
          && state == DPDKR_LANE_DIRECT,
          "forged-geometry tx: not acknowledged DIRECT (state %"PRIu32")",
          state);
    n = lane_get(&e, 1, seqs, 256);
    check_seqs("forged-geometry tx", seqs, n, 1000, 40);
    /* Nothing of B's went where the forged header points: ring 0 holds
     * A's 40 packets only. */
    k = dpdkr_load_acquire(&e.lane_cons[0].ring->head);
    CHECK(k == 40, "forged-geometry tx: lane ring 0's head is %"PRIu32
          ", expected 40 (A's packets only)", k);

    printf("forged-geometry: %llu checks, %llu failures\n", n_checks,
           n_failures);
    return n_failures ? 1 : 0;
}

static int
cmd_grown_lane(int argc, char *argv[])
{
    uint64_t seqs[256];
    uint32_t gen, n = 0, state = 0, i;
    struct env e;

    (void) argc;
    (void) argv;
    env_init(&e);
    lane_create(&e, "lane-grown");
    if (truncate(e.lane_path, e.lane_size + 4096)) {
        fatal("truncate: %s", rte_strerror(errno));
    }
    lane_put(&e, 0, 0, 10);
    gen = request(&e, DPDKR_RING_S2C, DPDKR_LANE_DIRECT, 0, srv_tx_head(&e),
                  0);
    for (i = 0; i < 10; i++) {
        cli_recv(&e, seqs, &n, 256);
    }
    CHECK(n == 0, "grown-lane: received %"PRIu32" packets from the lane", n);
    CHECK(acked(&e, DPDKR_RING_S2C, gen, &state)
          && state == DPDKR_LANE_REFUSED,
          "grown-lane: not acknowledged REFUSED (state %"PRIu32")", state);

    /* Still on the switched path. */
    CHECK(port_send(&e, e.srv, 100, 20) == 20, "grown-lane: switch send");
    for (i = 0; i < MAX_BURSTS && n < 20; i++) {
        cli_recv(&e, seqs, &n, 256);
    }
    check_seqs("grown-lane switched", seqs, n, 100, 20);
    printf("grown-lane: %llu checks, %llu failures\n", n_checks, n_failures);
    return n_failures ? 1 : 0;
}

/* Takes every mbuf of B's receive pool into 'held'.  Returns how many. */
static unsigned int
starve(struct env *e, struct rte_mbuf **held)
{
    unsigned int n = 0;

    while (n < CLI_POOL_SIZE && (held[n] = rte_pktmbuf_alloc(e->cli_pool))) {
        n++;
    }
    return n;
}

static int
cmd_starve(int argc, char *argv[])
{
    struct rte_mbuf *held[CLI_POOL_SIZE];
    struct rte_eth_stats st0, st1;
    uint64_t seqs[512];
    uint32_t gen, n = 0, state = 0, i, got;
    unsigned int h;
    bool ack = false;
    struct env e;

    (void) argc;
    (void) argv;
    env_init(&e);
    lane_create(&e, "lane-starve");

    /* DIRECT.  The switch has put #0..#39 on B's port ring (the old path)
     * when it asks B to go direct; A's next packets, #40..#79, are on the
     * lane.  B has no mbufs. */
    CHECK(port_send(&e, e.srv, 0, 40) == 40, "starve: switch send");
    lane_put(&e, 0, 40, 40);
    gen = request(&e, DPDKR_RING_S2C, DPDKR_LANE_DIRECT, 0, srv_tx_head(&e),
                  0);
    h = starve(&e, held);
    CHECK(h == CLI_POOL_SIZE, "starve: took %u mbufs of %u", h,
          CLI_POOL_SIZE);
    rte_eth_stats_get(e.cli, &st0);
    got = 0;
    for (i = 0; i < 10; i++) {
        got += cli_recv(&e, seqs, &n, 512);
    }
    rte_eth_stats_get(e.cli, &st1);
    CHECK(got == 0, "starve direct: received %"PRIu32" without mbufs", got);
    CHECK(st1.rx_nombuf > st0.rx_nombuf, "starve direct: no rx_nombuf");
    CHECK(!acked(&e, DPDKR_RING_S2C, gen, &state),
          "starve direct: acknowledged (state %"PRIu32") before reading "
          "the old path", state);
    rte_pktmbuf_free_bulk(held, h);
    for (i = 0; i < MAX_BURSTS && n < 80; i++) {
        cli_recv(&e, seqs, &n, 512);
    }
    check_seqs("starve direct", seqs, n, 0, 80);
    CHECK(acked(&e, DPDKR_RING_S2C, gen, &state)
          && state == DPDKR_LANE_DIRECT,
          "starve direct: not acknowledged DIRECT (state %"PRIu32")", state);

    /* SWITCHED.  A sent #80..#119 on the lane before it went back; the
     * switch asks B to finish the lane up to there, and will send A's
     * next packets, #120..#159, on B's port ring once B acknowledges. */
    lane_put(&e, 0, 80, 40);
    gen = request(&e, DPDKR_RING_S2C, DPDKR_LANE_SWITCHED, 0,
                  srv_tx_head(&e), e.lane_prod[0].idx);
    n = 0;
    h = starve(&e, held);
    CHECK(h == CLI_POOL_SIZE, "starve: took %u mbufs of %u", h,
          CLI_POOL_SIZE);
    got = 0;
    for (i = 0; i < 10; i++) {
        got += cli_recv(&e, seqs, &n, 512);
    }
    CHECK(got == 0, "starve switched: received %"PRIu32" without mbufs",
          got);
    CHECK(!acked(&e, DPDKR_RING_S2C, gen, &state),
          "starve switched: acknowledged (state %"PRIu32") before "
          "finishing the lane", state);
    rte_pktmbuf_free_bulk(held, h);
    for (i = 0; i < MAX_BURSTS && n < 80; i++) {
        if (!ack && acked(&e, DPDKR_RING_S2C, gen, &state)) {
            ack = true;
            CHECK(state == DPDKR_LANE_SWITCHED,
                  "starve switched: acknowledged state %"PRIu32, state);
            CHECK(port_send(&e, e.srv, 120, 40) == 40,
                  "starve switched: switch send");
        }
        cli_recv(&e, seqs, &n, 512);
    }
    CHECK(ack, "starve switched: never acknowledged");
    check_seqs("starve switched", seqs, n, 80, 80);
    for (i = 0; i < 10; i++) {
        got = cli_recv(&e, seqs, &n, 512);
        CHECK(got == 0, "starve switched: %"PRIu32" packets too many", got);
    }

    printf("starve: %llu checks, %llu failures\n", n_checks, n_failures);
    return n_failures ? 1 : 0;
}

static int
cmd_guard(int argc, char *argv[])
{
    struct mapping {
        char path[PATH_MAX];
        volatile uint8_t *base;
        int slot;
    } *maps;
    char dir[PATH_MAX];
    unsigned int n, i, j, guarded = 0, truncated = 0;
    const size_t size = 8192;
    int slot;

    if (argc < 3 || !(n = strtoul(argv[2], NULL, 0))) {
        fatal("usage: guard N");
    }
    if (!getcwd(dir, sizeof dir)) {
        fatal("getcwd: %s", rte_strerror(errno));
    }
    maps = rte_calloc("maps", n, sizeof *maps, 0);
    if (!maps) {
        fatal("out of memory");
    }
    for (i = 0; i < n; i++) {
        struct mapping *m = &maps[i];
        int fd;
        void *p;

        if (snprintf(m->path, sizeof m->path, "%.3000s/guard-%u", dir, i)
            >= (int) sizeof m->path) {
            fatal("directory name too long");
        }
        fd = open(m->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || ftruncate(fd, size)) {
            fatal("%s: %s", m->path, rte_strerror(errno));
        }
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        if (p == MAP_FAILED) {
            fatal("mmap: %s", rte_strerror(errno));
        }
        m->base = p;
        m->base[size - 1] = 0x5a;
        m->slot = rte_pmd_dpdkr_guard(p, size);
        guarded += m->slot >= 0;
    }
    CHECK(guarded == n, "guard: %u of %u mappings guarded", guarded, n);
    for (i = 0; i < n; i++) {
        for (j = i + 1; j < n && maps[i].slot >= 0; j++) {
            if (maps[i].slot == maps[j].slot) {
                CHECK(false, "guard: mappings %u and %u share slot %d", i, j,
                      maps[i].slot);
            }
        }
    }

    /* Truncate, then touch: an unguarded mapping raises SIGBUS here. */
    for (i = 0; i < n; i++) {
        struct mapping *m = &maps[i];
        uint8_t v;

        if (i && i != n - 1 && (i + 1) % 256 > 1) {
            continue;
        }
        if (truncate(m->path, 0)) {
            fatal("truncate: %s", rte_strerror(errno));
        }
        v = m->base[size - 1];
        m->base[0] = 1;
        CHECK(v == 0, "guard: mapping %u (slot %d) reads %#x after "
              "truncation", i, m->slot, v);
        truncated++;
    }

    /* A released slot is used again. */
    slot = maps[1].slot;
    rte_pmd_dpdkr_unguard(slot);
    maps[1].slot = rte_pmd_dpdkr_guard((void *) maps[1].base, size);
    CHECK(maps[1].slot == slot, "guard: slot %d not reused (got %d)", slot,
          maps[1].slot);

    for (i = 0; i < n; i++) {
        rte_pmd_dpdkr_unguard(maps[i].slot);
        munmap((void *) maps[i].base, size);
        unlink(maps[i].path);
    }
    rte_free(maps);
    printf("guard: %u mappings, %u guarded, %u truncated and survived; "
           "%llu checks, %llu failures\n", n, guarded, truncated, n_checks,
           n_failures);
    return n_failures ? 1 : 0;
}

int
main(int argc, char *argv[])
{
    static const struct {
        const char *name;
        int (*cmd)(int argc, char *argv[]);
    } cmds[] = {
        { "forged-geometry", cmd_forged_geometry },
        { "grown-lane", cmd_grown_lane },
        { "starve", cmd_starve },
        { "guard", cmd_guard },
    };
    char prefix[64];
    char *eal[] = {
        argv[0], "-l", "0", "--no-huge", "-m", "128", "--no-pci",
        "--no-shconf", "--no-telemetry", "--file-prefix", prefix, NULL,
    };
    size_t i;
    int rc = 2;

    signal(SIGALRM, watchdog);
    alarm(WATCHDOG_SECONDS);
    setvbuf(stdout, NULL, _IOLBF, 0);
    rte_pmd_dpdkr_linked();
    for (i = 0; argc > 1 && i < sizeof cmds / sizeof cmds[0]; i++) {
        if (!strcmp(argv[1], cmds[i].name)) {
            break;
        }
    }
    if (argc < 2 || i == sizeof cmds / sizeof cmds[0]) {
        fprintf(stderr, "usage: %s forged-geometry | grown-lane | starve | "
                "guard N\n", argv[0]);
        return 2;
    }
    snprintf(prefix, sizeof prefix, "tdl%ld", (long) getpid());
    if (rte_eal_init(sizeof eal / sizeof eal[0] - 1, eal) < 0) {
        fatal("cannot initialize DPDK's EAL (%s)", rte_strerror(rte_errno));
    }
    rc = cmds[i].cmd(argc, argv);
    fflush(stdout);
    /* Without rte_eal_cleanup(): the ports' regions go with the process,
     * and the test directory with the test. */
    _exit(rc);
}
