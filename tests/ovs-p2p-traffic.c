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

/* ovs-p2p-traffic: sends numbered frames out of one DPDK port and accounts
 * exactly for what comes back on another.
 *
 * Usage: ovs-p2p-traffic [EAL args] -- [options]
 *
 *   --tx-port P          port to send on (default 0)
 *   --rx-port P          port to receive on (default 1; may equal tx-port)
 *   --count N            frames to send, 0 for no limit (default 1000)
 *   --rate PPS           frames per second, 0 for as fast as possible
 *                        (default 0); paced with the TSC
 *   --size BYTES         frame length without FCS, 64 or more (default 64)
 *   --burst B            frames per tx and rx burst, 1..512 (default 32)
 *   --stop-file PATH     stop sending when PATH exists
 *   --idle-timeout SECS  once sending is over, give up after this long
 *                        without receiving anything (default 2)
 *   --max-time SECS      stop sending after this long; the whole run ends
 *                        at max-time + idle-timeout at the latest
 *                        (default 60)
 *   --progress           print one progress line a second on stderr
 *
 * For example, with two dpdkr ports of a switch:
 *
 *   ovs-p2p-traffic -l 0 --in-memory --no-pci -d librte_net_dpdkr.so \
 *       --vdev net_dpdkr0,path=REGION_A --vdev net_dpdkr1,path=REGION_B \
 *       -- --count 20000 --rate 10000
 *
 * Everything runs on one lcore, which alternates a tx burst on the tx port
 * and an rx burst on the rx port.  Each frame is an Ethernet frame (locally
 * administered addresses, ethertype 0x88b5) whose payload holds a magic
 * number, an id drawn at random for this run, a sequence number and, up to
 * the end of the frame, a pattern derived from the sequence number.
 *
 * The sender never drops on purpose: the frames that a tx burst does not
 * take are offered again, first, on the next one, until the port takes
 * them.  Each frame that the port refused at least once counts once as
 * "backpressure", not as lost.  Sequence numbers are
 * handed out in order and only frames that the port took count as sent, so
 * the frames sent are exactly 0...sent-1.
 *
 * The receiver keeps one bit per sent frame.  A frame of this run is a
 * duplicate if its bit is already set, reordered if its sequence number is
 * lower than the highest seen before, corrupted if its length or its
 * pattern is wrong (or its sequence number was never sent).  Frames that
 * are not of this run (other ethertype, magic or run id) are "foreign" and
 * do not count against the run.  Frames that were sent but never arrived
 * are lost.
 *
 * Sending stops when --count frames are sent, the stop file appears,
 * SIGINT or SIGTERM arrives, or --max-time passes.  Then the tool keeps
 * receiving until every frame has arrived (plus a short grace period, to
 * catch duplicates) or nothing arrived for --idle-timeout seconds, stops
 * and closes the ports and prints one line on stdout:
 *
 *   sent=N received=M lost=L duplicates=D reordered=R corrupted=C
 *   foreign=F backpressure=B
 *
 * (on a single line), where "received" counts every frame of this run,
 * duplicates and corrupted ones included.
 *
 * Exit status: 0 if some frames were sent and none was lost, duplicated,
 * reordered or corrupted; 1 otherwise (also when a port's link never came
 * up); 2 on a usage, EAL or port setup error. */

#define _GNU_SOURCE             /* mremap(). */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define TRAFFIC_ETHERTYPE 0x88b5
#define TRAFFIC_MAGIC 0x50325054u       /* "P2PT". */
#define TRAFFIC_MAX_BURST 512
#define TRAFFIC_NB_MBUFS 8191
#define TRAFFIC_MBUF_CACHE 256
#define TRAFFIC_NB_DESC 1024

/* Offsets in a frame.  The header fields are in network byte order. */
#define OFS_MAGIC RTE_ETHER_HDR_LEN
#define OFS_RUN_ID (OFS_MAGIC + 4)
#define OFS_SEQ (OFS_RUN_ID + 8)
#define OFS_PATTERN (OFS_SEQ + 8)

#define EXIT_USAGE 2

struct options {
    uint16_t tx_port;
    uint16_t rx_port;
    uint64_t count;
    uint64_t rate;
    uint32_t size;
    uint32_t burst;
    const char *stop_file;
    double idle_timeout;
    double max_time;
    bool progress;
};

struct counters {
    uint64_t sent;
    uint64_t received;          /* Frames of this run, all of them. */
    uint64_t unique;            /* Distinct sequence numbers received. */
    uint64_t in_order;
    uint64_t duplicates;
    uint64_t reordered;
    uint64_t corrupted;
    uint64_t foreign;
    uint64_t backpressure;
};

/* One bit per sequence number handed out. */
struct seq_bitmap {
    uint64_t *words;
    uint64_t n_bits;            /* Capacity. */
};

static volatile sig_atomic_t stop_requested;

static void
usage(FILE *stream)
{
    fprintf(stream, "usage: ovs-p2p-traffic [EAL args] -- [options]\n"
           "options:\n"
           "  --tx-port P          port to send on (default 0)\n"
           "  --rx-port P          port to receive on (default 1)\n"
           "  --count N            frames to send, 0: no limit "
           "(default 1000)\n"
           "  --rate PPS           frames per second, 0: as fast as "
           "possible (default 0)\n"
           "  --size BYTES         frame length, 64 or more (default 64)\n"
           "  --burst B            burst size, 1..%d (default 32)\n"
           "  --stop-file PATH     stop sending when PATH exists\n"
           "  --idle-timeout SECS  after sending, give up after SECS "
           "without rx (default 2)\n"
           "  --max-time SECS      stop sending after SECS (default 60)\n"
           "  --progress           one progress line a second on stderr\n",
           TRAFFIC_MAX_BURST);
}

static void
signal_handler(int sig __rte_unused)
{
    stop_requested = 1;
}

static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-') {
        return false;
    }
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || *end || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static bool
parse_seconds(const char *s, double *out)
{
    char *end;
    double v;

    if (!s || !*s) {
        return false;
    }
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !(v >= 0) || v > 1e6) {
        return false;
    }
    *out = v;
    return true;
}

/* Parses the application's arguments.  Returns 0 on success, -1 after
 * printing an error, 1 if --help was given. */
static int
parse_options(int argc, char *argv[], struct options *o)
{
    enum {
        OPT_TX_PORT = 256, OPT_RX_PORT, OPT_COUNT, OPT_RATE, OPT_SIZE,
        OPT_BURST, OPT_STOP_FILE, OPT_IDLE_TIMEOUT, OPT_MAX_TIME,
        OPT_PROGRESS, OPT_HELP,
    };
    static const struct option long_options[] = {
        {"tx-port", required_argument, NULL, OPT_TX_PORT},
        {"rx-port", required_argument, NULL, OPT_RX_PORT},
        {"count", required_argument, NULL, OPT_COUNT},
        {"rate", required_argument, NULL, OPT_RATE},
        {"size", required_argument, NULL, OPT_SIZE},
        {"burst", required_argument, NULL, OPT_BURST},
        {"stop-file", required_argument, NULL, OPT_STOP_FILE},
        {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
        {"max-time", required_argument, NULL, OPT_MAX_TIME},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    uint64_t v;

    *o = (struct options) {
        .tx_port = 0,
        .rx_port = 1,
        .count = 1000,
        .rate = 0,
        .size = 64,
        .burst = 32,
        .stop_file = NULL,
        .idle_timeout = 2,
        .max_time = 60,
        .progress = false,
    };

    optind = 1;
    for (;;) {
        int c = getopt_long(argc, argv, "h", long_options, NULL);
        const char *name = NULL;
        bool ok = true;

        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_TX_PORT:
            name = "--tx-port";
            ok = parse_u64(optarg, RTE_MAX_ETHPORTS - 1, &v);
            o->tx_port = v;
            break;
        case OPT_RX_PORT:
            name = "--rx-port";
            ok = parse_u64(optarg, RTE_MAX_ETHPORTS - 1, &v);
            o->rx_port = v;
            break;
        case OPT_COUNT:
            name = "--count";
            ok = parse_u64(optarg, UINT64_MAX >> 8, &o->count);
            break;
        case OPT_RATE:
            name = "--rate";
            ok = parse_u64(optarg, UINT32_MAX, &o->rate);
            break;
        case OPT_SIZE:
            name = "--size";
            ok = parse_u64(optarg, 9018, &v) && v >= 64;
            o->size = v;
            break;
        case OPT_BURST:
            name = "--burst";
            ok = parse_u64(optarg, TRAFFIC_MAX_BURST, &v) && v >= 1;
            o->burst = v;
            break;
        case OPT_STOP_FILE:
            o->stop_file = optarg;
            break;
        case OPT_IDLE_TIMEOUT:
            name = "--idle-timeout";
            ok = parse_seconds(optarg, &o->idle_timeout);
            break;
        case OPT_MAX_TIME:
            name = "--max-time";
            ok = parse_seconds(optarg, &o->max_time);
            break;
        case OPT_PROGRESS:
            o->progress = true;
            break;
        case 'h':
        case OPT_HELP:
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return -1;
        }
        if (!ok) {
            fprintf(stderr, "ovs-p2p-traffic: %s: invalid value '%s'\n",
                    name, optarg);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ovs-p2p-traffic: unexpected argument '%s'\n",
                argv[optind]);
        return -1;
    }
    return 0;
}

static uint64_t
random_run_id(void)
{
    uint64_t id = 0;

    if (getrandom(&id, sizeof id, 0) != sizeof id) {
        id = rte_rdtsc() ^ ((uint64_t) getpid() << 32) ^ time(NULL);
    }
    return id;
}

/* The pattern byte at offset 'i' of the pattern area of frame 'seq'. */
static inline uint8_t
pattern_byte(uint64_t seq, uint32_t i)
{
    uint64_t x = (seq + 1) * UINT64_C(0x9e3779b97f4a7c15);

    return (uint8_t) (x >> ((i & 7) * 8)) ^ (uint8_t) i;
}

/* Makes room for 'n_bits' bits in 'b'.  The bitmap lives in anonymous
 * memory, which the kernel zeroes and mremap() grows without a copy. */
static bool
bitmap_reserve(struct seq_bitmap *b, uint64_t n_bits)
{
    uint64_t new_bits;
    void *words;

    if (n_bits <= b->n_bits) {
        return true;
    }
    new_bits = b->n_bits ? b->n_bits : UINT64_C(1) << 20;
    while (new_bits < n_bits) {
        new_bits *= 2;
    }
    if (b->words) {
        words = mremap(b->words, b->n_bits / 8, new_bits / 8, MREMAP_MAYMOVE);
    } else {
        words = mmap(NULL, new_bits / 8, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (words == MAP_FAILED) {
        return false;
    }
    b->words = words;
    b->n_bits = new_bits;
    return true;
}

static void
bitmap_destroy(struct seq_bitmap *b)
{
    if (b->words) {
        munmap(b->words, b->n_bits / 8);
    }
}

/* Sets bit 'seq' and returns its previous value. */
static inline bool
bitmap_test_and_set(struct seq_bitmap *b, uint64_t seq)
{
    uint64_t *w = &b->words[seq / 64];
    uint64_t mask = UINT64_C(1) << (seq % 64);
    bool was = (*w & mask) != 0;

    *w |= mask;
    return was;
}

static void
build_frame(struct rte_mbuf *m, uint32_t size, uint64_t run_id, uint64_t seq)
{
    static const struct rte_ether_addr src = {
        .addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
    static const struct rte_ether_addr dst = {
        .addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 } };
    uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
    struct rte_ether_hdr *eth = (struct rte_ether_hdr *) p;
    uint32_t magic_be = rte_cpu_to_be_32(TRAFFIC_MAGIC);
    uint64_t run_id_be = rte_cpu_to_be_64(run_id);
    uint64_t seq_be = rte_cpu_to_be_64(seq);
    uint32_t i;

    rte_ether_addr_copy(&dst, &eth->dst_addr);
    rte_ether_addr_copy(&src, &eth->src_addr);
    eth->ether_type = rte_cpu_to_be_16(TRAFFIC_ETHERTYPE);
    memcpy(p + OFS_MAGIC, &magic_be, sizeof magic_be);
    memcpy(p + OFS_RUN_ID, &run_id_be, sizeof run_id_be);
    memcpy(p + OFS_SEQ, &seq_be, sizeof seq_be);
    for (i = 0; i < size - OFS_PATTERN; i++) {
        p[OFS_PATTERN + i] = pattern_byte(seq, i);
    }
    m->data_len = size;
    m->pkt_len = size;
}

/* Accounts for received frame 'm'.  'sent' is the number of frames sent so
 * far: every frame of this run that can arrive has a lower number. */
static void
account_frame(const struct rte_mbuf *m, const struct options *o,
              uint64_t run_id, struct seq_bitmap *bitmap, uint64_t *max_seq,
              struct counters *c)
{
    uint8_t buf[OFS_PATTERN];
    const uint8_t *p;
    const struct rte_ether_hdr *eth;
    uint32_t magic_be;
    uint64_t run_id_be, seq_be, seq;
    bool corrupted = false;

    if (m->pkt_len < OFS_PATTERN) {
        c->foreign++;
        return;
    }
    p = rte_pktmbuf_read(m, 0, OFS_PATTERN, buf);
    eth = (const struct rte_ether_hdr *) p;
    memcpy(&magic_be, p + OFS_MAGIC, sizeof magic_be);
    memcpy(&run_id_be, p + OFS_RUN_ID, sizeof run_id_be);
    if (eth->ether_type != rte_cpu_to_be_16(TRAFFIC_ETHERTYPE)
        || rte_be_to_cpu_32(magic_be) != TRAFFIC_MAGIC
        || rte_be_to_cpu_64(run_id_be) != run_id) {
        c->foreign++;
        return;
    }
    memcpy(&seq_be, p + OFS_SEQ, sizeof seq_be);
    seq = rte_be_to_cpu_64(seq_be);
    c->received++;

    if (seq >= c->sent) {
        /* Never sent: the header itself was damaged. */
        c->corrupted++;
        return;
    }

    if (m->pkt_len != o->size) {
        corrupted = true;
    } else if (rte_pktmbuf_is_contiguous(m)) {
        uint32_t i;

        for (i = 0; i < o->size - OFS_PATTERN; i++) {
            if (p[OFS_PATTERN + i] != pattern_byte(seq, i)) {
                corrupted = true;
                break;
            }
        }
    } else {
        uint8_t byte;
        uint32_t i;

        for (i = 0; i < o->size - OFS_PATTERN; i++) {
            const uint8_t *q = rte_pktmbuf_read(m, OFS_PATTERN + i, 1,
                                                &byte);

            if (*q != pattern_byte(seq, i)) {
                corrupted = true;
                break;
            }
        }
    }
    if (corrupted) {
        c->corrupted++;
    }

    if (bitmap_test_and_set(bitmap, seq)) {
        c->duplicates++;
    } else {
        c->unique++;
        if (seq < *max_seq) {
            c->reordered++;
        } else {
            c->in_order++;
            *max_seq = seq;
        }
    }
}

/* Configures and starts 'port' with one rx and one tx queue. */
static int
setup_port(uint16_t port, const struct options *o, struct rte_mempool *mp)
{
    struct rte_eth_conf conf;
    struct rte_eth_dev_info info;
    uint16_t nb_rxd = TRAFFIC_NB_DESC, nb_txd = TRAFFIC_NB_DESC;
    int err;

    memset(&conf, 0, sizeof conf);
    err = rte_eth_dev_info_get(port, &info);
    if (err) {
        fprintf(stderr, "ovs-p2p-traffic: port %u: cannot get device info "
                "(%s)\n", port, rte_strerror(-err));
        return err;
    }
    if (o->size > info.max_rx_pktlen) {
        fprintf(stderr, "ovs-p2p-traffic: port %u: --size %u is larger "
                "than the port's maximum frame (%u)\n",
                port, o->size, info.max_rx_pktlen);
        return -EINVAL;
    }
    err = rte_eth_dev_configure(port, 1, 1, &conf);
    if (!err) {
        err = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
    }
    if (!err && o->size > RTE_ETHER_MAX_LEN) {
        err = rte_eth_dev_set_mtu(port, o->size - RTE_ETHER_HDR_LEN
                                  - RTE_ETHER_CRC_LEN);
    }
    if (!err) {
        err = rte_eth_rx_queue_setup(port, 0, nb_rxd,
                                     rte_eth_dev_socket_id(port), NULL, mp);
    }
    if (!err) {
        err = rte_eth_tx_queue_setup(port, 0, nb_txd,
                                     rte_eth_dev_socket_id(port), NULL);
    }
    if (!err) {
        err = rte_eth_dev_start(port);
    }
    if (err) {
        fprintf(stderr, "ovs-p2p-traffic: port %u: setup failed (%s)\n",
                port, rte_strerror(err < 0 ? -err : err));
    }
    return err;
}

static bool
stop_file_exists(const char *path)
{
    struct stat st;

    return path && !stat(path, &st);
}

static bool
link_up(uint16_t port)
{
    struct rte_eth_link link;

    memset(&link, 0, sizeof link);
    return !rte_eth_link_get_nowait(port, &link)
           && link.link_status == RTE_ETH_LINK_UP;
}

/* Waits until both ports' links are up, for at most 'deadline' (TSC).
 * Returns false if they did not come up. */
static bool
wait_for_links(const struct options *o, uint64_t deadline)
{
    while (!link_up(o->tx_port) || !link_up(o->rx_port)) {
        if (stop_requested || rte_rdtsc() >= deadline) {
            fprintf(stderr, "ovs-p2p-traffic: port %u: link is down (is the "
                    "switch side of the port there?)\n",
                    link_up(o->tx_port) ? o->rx_port : o->tx_port);
            return false;
        }
        rte_delay_ms(10);
    }
    return true;
}

static void
print_progress(const struct counters *c, double t)
{
    fprintf(stderr, "progress: t=%.0fs sent=%"PRIu64" received=%"PRIu64
            " in-order=%"PRIu64" duplicates=%"PRIu64" reordered=%"PRIu64
            " corrupted=%"PRIu64" foreign=%"PRIu64" backpressure=%"PRIu64
            "\n", t, c->sent, c->received, c->in_order, c->duplicates,
            c->reordered, c->corrupted, c->foreign, c->backpressure);
}

/* Sends and receives until done.  Returns false on an internal error
 * (out of memory). */
static bool
run(const struct options *o, struct rte_mempool *mp, uint64_t run_id,
    struct counters *c)
{
    const uint64_t hz = rte_get_tsc_hz();
    const uint64_t start = rte_rdtsc();
    const uint64_t send_deadline = start + o->max_time * hz;
    const uint64_t hard_deadline = send_deadline + o->idle_timeout * hz;
    const uint64_t grace = RTE_MIN(o->idle_timeout, 0.1) * hz;
    struct rte_mbuf *txq[TRAFFIC_MAX_BURST];
    struct rte_mbuf *rxq[TRAFFIC_MAX_BURST];
    struct seq_bitmap bitmap = { NULL, 0 };
    uint32_t n_pending = 0;     /* Built frames not yet taken, in txq. */
    uint32_t n_refused = 0;     /* How many of them were refused before. */
    uint64_t next_seq = 0;      /* Next sequence number to build. */
    uint64_t max_seq = 0;
    uint64_t send_end = 0, last_rx = 0;
    uint64_t next_check = start, next_progress = start + hz;
    bool sending = true;
    uint64_t pace_start;
    bool ok = true;

    if (!wait_for_links(o, send_deadline)) {
        return true;
    }
    pace_start = rte_rdtsc();

    for (;;) {
        uint64_t now = rte_rdtsc();
        uint16_t n_rx, i, j;

        if (sending && now >= next_check) {
            next_check = now + hz / 100;
            if (stop_requested || stop_file_exists(o->stop_file)
                || now >= send_deadline) {
                if (now >= send_deadline && !stop_requested) {
                    fprintf(stderr, "ovs-p2p-traffic: --max-time reached, "
                            "stopping\n");
                }
                sending = false;
            }
        }
        if (sending && o->count && c->sent == o->count) {
            sending = false;
        }
        if (!sending && !send_end) {
            send_end = now;
            /* Frames not taken are not sent: forget them. */
            rte_pktmbuf_free_bulk(txq, n_pending);
            n_pending = n_refused = 0;
        }

        if (sending) {
            uint64_t want = o->burst - n_pending;
            uint16_t n_tx;

            if (o->count) {
                want = RTE_MIN(want, o->count - next_seq);
            }
            if (o->rate) {
                uint64_t due = (double) (now - pace_start) * o->rate / hz
                               + 1;

                want = due > next_seq ? RTE_MIN(want, due - next_seq) : 0;
            }
            if (want) {
                if (!bitmap_reserve(&bitmap, next_seq + want)) {
                    fprintf(stderr, "ovs-p2p-traffic: out of memory\n");
                    ok = false;
                    break;
                }
                if (rte_pktmbuf_alloc_bulk(mp, &txq[n_pending], want)) {
                    want = 0;
                }
            }
            for (i = 0; i < want; i++) {
                build_frame(txq[n_pending + i], o->size, run_id, next_seq++);
            }
            n_pending += want;

            if (n_pending) {
                n_tx = rte_eth_tx_burst(o->tx_port, 0, txq, n_pending);
                c->sent += n_tx;
                n_pending -= n_tx;
                n_refused = n_refused > n_tx ? n_refused - n_tx : 0;
                if (n_pending) {
                    c->backpressure += n_pending - n_refused;
                    n_refused = n_pending;
                    memmove(txq, &txq[n_tx], n_pending * sizeof txq[0]);
                }
            }
        }

        /* Receiving has priority: up to 4 bursts while the port has more. */
        for (j = 0; j < 4; j++) {
            n_rx = rte_eth_rx_burst(o->rx_port, 0, rxq, o->burst);
            for (i = 0; i < n_rx; i++) {
                account_frame(rxq[i], o, run_id, &bitmap, &max_seq, c);
            }
            if (!n_rx) {
                break;
            }
            rte_pktmbuf_free_bulk(rxq, n_rx);
            last_rx = now;
            if (n_rx < o->burst) {
                break;
            }
        }

        if (o->progress && now >= next_progress) {
            next_progress += hz;
            print_progress(c, (double) (now - start) / hz);
        }

        if (!sending) {
            uint64_t quiet_since = RTE_MAX(send_end, last_rx);

            if (c->unique == c->sent && now - quiet_since >= grace) {
                break;
            }
            if (now - quiet_since >= o->idle_timeout * hz
                || now >= hard_deadline) {
                break;
            }
        }
    }

    rte_pktmbuf_free_bulk(txq, n_pending);
    bitmap_destroy(&bitmap);
    return ok;
}

/* Prints net_dpdkr's copy counters of 'port' (see net_dpdkr(7): nt-copy),
 * if it has them, as one line "copy: NAME=VALUE...". */
static void
print_copy_xstats(uint16_t port)
{
    static const char *const names[] = {
        "tx_nt_copy_packets", "tx_copy_trials", "tx_copy_trials_nt",
    };
    uint64_t ids[RTE_DIM(names)], values[RTE_DIM(names)];
    size_t i;

    for (i = 0; i < RTE_DIM(names); i++) {
        if (rte_eth_xstats_get_id_by_name(port, names[i], &ids[i])) {
            return;
        }
    }
    if (rte_eth_xstats_get_by_id(port, ids, values, RTE_DIM(names))
        != (int) RTE_DIM(names)) {
        return;
    }
    printf("copy:");
    for (i = 0; i < RTE_DIM(names); i++) {
        printf(" %s=%"PRIu64, names[i], values[i]);
    }
    printf("\n");
}

static void
stop_port(uint16_t port)
{
    int err = rte_eth_dev_stop(port);

    if (err) {
        fprintf(stderr, "ovs-p2p-traffic: port %u: stop failed (%s)\n",
                port, rte_strerror(-err));
    }
    err = rte_eth_dev_close(port);
    if (err) {
        fprintf(stderr, "ovs-p2p-traffic: port %u: close failed (%s)\n",
                port, rte_strerror(-err));
    }
}

int
main(int argc, char *argv[])
{
    struct sigaction sa;
    struct options o;
    struct counters c;
    struct rte_mempool *mp;
    uint32_t room;
    uint64_t run_id, lost;
    bool ok;
    int ret, status;

    ret = rte_eal_init(argc, argv);
    if (ret < 0) {
        fprintf(stderr, "ovs-p2p-traffic: cannot initialize DPDK's EAL "
                "(%s)\n", rte_strerror(rte_errno));
        return EXIT_USAGE;
    }
    argc -= ret;
    argv += ret;

    ret = parse_options(argc, argv, &o);
    if (ret) {
        rte_eal_cleanup();
        return ret > 0 ? 0 : EXIT_USAGE;
    }
    if (!rte_eth_dev_is_valid_port(o.tx_port)
        || !rte_eth_dev_is_valid_port(o.rx_port)) {
        fprintf(stderr, "ovs-p2p-traffic: no port %u (%u ports available)\n",
                rte_eth_dev_is_valid_port(o.tx_port) ? o.rx_port : o.tx_port,
                rte_eth_dev_count_avail());
        rte_eal_cleanup();
        return EXIT_USAGE;
    }

    room = RTE_MAX((uint32_t) RTE_MBUF_DEFAULT_BUF_SIZE,
                   o.size + RTE_PKTMBUF_HEADROOM);
    mp = rte_pktmbuf_pool_create("traffic", TRAFFIC_NB_MBUFS,
                                 TRAFFIC_MBUF_CACHE, 0, room,
                                 rte_socket_id());
    if (!mp) {
        fprintf(stderr, "ovs-p2p-traffic: cannot create mbuf pool (%s)\n",
                rte_strerror(rte_errno));
        rte_eal_cleanup();
        return EXIT_USAGE;
    }
    if (setup_port(o.tx_port, &o, mp)) {
        rte_eth_dev_close(o.tx_port);
        rte_mempool_free(mp);
        rte_eal_cleanup();
        return EXIT_USAGE;
    }
    if (o.rx_port != o.tx_port && setup_port(o.rx_port, &o, mp)) {
        stop_port(o.tx_port);
        rte_eth_dev_close(o.rx_port);
        rte_mempool_free(mp);
        rte_eal_cleanup();
        return EXIT_USAGE;
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = signal_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    run_id = random_run_id();
    fprintf(stderr, "ovs-p2p-traffic: run id %016"PRIx64", sending on port "
            "%u, receiving on port %u\n", run_id, o.tx_port, o.rx_port);
    memset(&c, 0, sizeof c);
    ok = run(&o, mp, run_id, &c);
    print_copy_xstats(o.tx_port);

    stop_port(o.tx_port);
    if (o.rx_port != o.tx_port) {
        stop_port(o.rx_port);
    }
    rte_mempool_free(mp);

    lost = c.sent - c.unique;
    printf("sent=%"PRIu64" received=%"PRIu64" lost=%"PRIu64
           " duplicates=%"PRIu64" reordered=%"PRIu64" corrupted=%"PRIu64
           " foreign=%"PRIu64" backpressure=%"PRIu64"\n",
           c.sent, c.received, lost, c.duplicates, c.reordered, c.corrupted,
           c.foreign, c.backpressure);
    fflush(stdout);

    status = (ok && c.sent > 0 && !lost && !c.duplicates && !c.reordered
              && !c.corrupted) ? 0 : 1;
    rte_eal_cleanup();
    return status;
}
