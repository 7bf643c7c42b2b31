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

/* dpdkr-ring-ceiling: the machine's ceiling for a dpdkr ring, for
 * utilities/ovs-p2p-bench-lanes.
 *
 * Usage: dpdkr-ring-ceiling [--size BYTES] [--seconds S] [--burst B]
 *                           [--ring-size N] [--buf-size BYTES] [--cpus P,C]
 *                           [--nt-copy[=auto|yes|no]]
 *
 * Two threads share one ring of a dpdkr region laid out and driven by
 * exactly the code of p2p/include/dpdkr-ring.h (the code of net_dpdkr and
 * of direct lanes): the producer copies BYTES-byte packets from a private
 * buffer into the ring's buffers (with --nt-copy or --nt-copy=yes, as
 * net_dpdkr with nt-copy=yes, with --nt-copy=auto, as with nt-copy=auto,
 * choosing by measuring: see dpdkr-ring.h; by default with the ordinary
 * copy, as nt-copy=no) and publishes them in bursts of B, the
 * consumer validates each descriptor and copies each packet out into a
 * private buffer, and releases them.  Nothing else happens: no mbufs, no
 * ethdev, no DPDK at all, so this is an upper bound for what two DPDK
 * applications can get through a lane with the same copies.  The ring has
 * N descriptors (default 1024) and buffer slots of --buf-size bytes
 * (default: a lane's, DPDKR_LANE_BUF_SIZE).
 *
 * The producer runs on CPU P and the consumer on CPU C (default "0,0",
 * both on CPU 0, time-shared, as testpmd A and B in the benchmark).  After
 * a short warm-up, it counts for S seconds (default 2) and prints one line:
 *
 *   size=64 cpus=0,0 seconds=2.000 packets=N mpps=M gbps=G cpu_s=C
 *
 * where cpu_s is the CPU time both threads used in the window (from
 * getrusage()); with --nt-copy=auto, followed by " copy_trials=T
 * copy_trials_nt=U" (the tuner's trials, and how many chose non-temporal
 * stores).  Exit status 0, or 2 on a usage or setup error. */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "dpdkr-region.h"
#include "dpdkr-ring.h"

static bool nt_copy;            /* --nt-copy=yes or auto. */
static bool nt_auto;            /* --nt-copy=auto. */
static uint64_t n_trials, n_trials_nt;  /* The producer's tuner's. */

struct ctx {
    void *base;
    struct dpdkr_geometry geo;
    uint32_t size;
    uint32_t buf_size;
    uint32_t burst;
    int cpu;
    volatile int *stop;
    uint64_t packets;           /* Consumer: packets copied out. */
};

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * UINT64_C(1000000000) + ts.tv_nsec;
}

static void
pin(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof set, &set)) {
        fprintf(stderr, "dpdkr-ring-ceiling: cannot run on CPU %d\n", cpu);
        exit(2);
    }
}

static void *
producer(void *ctx_)
{
    struct ctx *c = ctx_;
    struct dpdkr_ring_view v;
    uint8_t *src = aligned_alloc(64, c->buf_size);
    bool can_nt = nt_copy && dpdkr_copy_nt_supported();
    bool tune = can_nt && nt_auto;
    struct dpdkr_copy_tuner tuner;
    uint64_t seq = 0;

    pin(c->cpu);
    dpdkr_copy_tuner_init(&tuner, UINT64_C(1000000000), now_ns());
    memset(src, 0x5a, c->buf_size);
    dpdkr_ring_view_init(&v, c->base, &c->geo, 0, 0);
    while (!*c->stop) {
        uint32_t n = dpdkr_prod_space(&v);
        bool nt = can_nt && (!tune || tuner.nt);
        bool fence = false;
        uint32_t i;

        if (n > c->burst) {
            n = c->burst;
        }
        for (i = 0; i < n; i++) {
            memcpy(src, &seq, sizeof seq);
            seq++;
            if (nt && dpdkr_copy_nt_fits(dpdkr_prod_buf(&v, i), c->size,
                                         v.buf_size)) {
                dpdkr_copy_nt(dpdkr_prod_buf(&v, i), src, c->size);
                fence = true;
            } else {
                memcpy(dpdkr_prod_buf(&v, i), src, c->size);
            }
            dpdkr_prod_fill(&v, i, c->size);
        }
        if (fence) {
            dpdkr_copy_fence();
        }
        dpdkr_prod_publish(&v, n);
        if (tune) {
            dpdkr_copy_tuner_burst(&tuner, now_ns(), (uint64_t) n * c->size,
                                   c->size >= DPDKR_COPY_NT_MIN ? n : 0);
            __atomic_store_n(&n_trials, tuner.n_trials, __ATOMIC_RELAXED);
            __atomic_store_n(&n_trials_nt, tuner.n_trials_nt,
                             __ATOMIC_RELAXED);
        }
    }
    free(src);
    return NULL;
}

static void *
consumer(void *ctx_)
{
    struct ctx *c = ctx_;
    struct dpdkr_ring_view v;
    uint8_t *dst = aligned_alloc(64, c->buf_size);

    pin(c->cpu);
    dpdkr_ring_view_init(&v, c->base, &c->geo, 0, 0);
    while (!*c->stop) {
        uint32_t n = dpdkr_cons_avail(&v, c->burst);
        uint32_t i, good = 0;
        uint64_t bytes = 0;

        for (i = 0; i < n; i++) {
            struct dpdkr_desc d;
            const uint8_t *p = dpdkr_cons_desc(&v, i, c->buf_size, &d);

            if (p) {
                memcpy(dst, p, d.len);
                good++;
                bytes += d.len;
            }
        }
        dpdkr_cons_release(&v, n, good, bytes);
        __atomic_store_n(&c->packets, v.packets, __ATOMIC_RELAXED);
    }
    free(dst);
    return NULL;
}

static double
cpu_seconds(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
           + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
usage(void)
{
    fprintf(stderr, "usage: dpdkr-ring-ceiling [--size BYTES] "
            "[--seconds S] [--burst B] [--ring-size N] [--buf-size BYTES] "
            "[--cpus P,C] [--nt-copy[=auto|yes|no]]\n");
    exit(2);
}

int
main(int argc, char *argv[])
{
    static const struct option options[] = {
        { "size", required_argument, NULL, 's' },
        { "seconds", required_argument, NULL, 't' },
        { "burst", required_argument, NULL, 'b' },
        { "ring-size", required_argument, NULL, 'r' },
        { "buf-size", required_argument, NULL, 'f' },
        { "cpus", required_argument, NULL, 'c' },
        { "nt-copy", optional_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    uint32_t size = 64, burst = 32, ring_size = 1024;
    uint32_t buf_size = DPDKR_LANE_BUF_SIZE;
    int pcpu = 0, ccpu = 0, opt;
    double seconds = 2, t0, t1, cpu0, cpu1;
    uint64_t n0, n1;
    volatile int stop = 0;
    struct ctx prod, cons;
    pthread_t tp, tc;
    struct dpdkr_geometry geo;
    uint64_t region;
    void *base;

    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 's':
            size = strtoul(optarg, NULL, 10);
            break;
        case 't':
            seconds = strtod(optarg, NULL);
            break;
        case 'b':
            burst = strtoul(optarg, NULL, 10);
            break;
        case 'r':
            ring_size = strtoul(optarg, NULL, 10);
            break;
        case 'f':
            buf_size = strtoul(optarg, NULL, 10);
            break;
        case 'n':
            if (!optarg || !strcmp(optarg, "yes")) {
                nt_copy = true;
                nt_auto = false;
            } else if (!strcmp(optarg, "auto")) {
                nt_copy = nt_auto = true;
            } else if (!strcmp(optarg, "no")) {
                nt_copy = nt_auto = false;
            } else {
                usage();
            }
            break;
        case 'c':
            if (sscanf(optarg, "%d,%d", &pcpu, &ccpu) != 2) {
                usage();
            }
            break;
        default:
            usage();
        }
    }
    if (optind != argc || buf_size < DPDKR_BUF_SIZE_MIN
        || buf_size > DPDKR_BUF_SIZE_MAX || buf_size % 64
        || size < 60 || size > buf_size || !burst
        || burst > ring_size || seconds <= 0
        || ring_size < (1u << DPDKR_LOG2_RING_MIN)
        || ring_size > (1u << DPDKR_LOG2_RING_MAX)
        || ring_size & (ring_size - 1)) {
        usage();
    }

    /* A region as a lane has it: 'ring_size' descriptors, 'buf_size'-byte
     * buffers, shared memory. */
    region = dpdkr_region_layout(__builtin_ctz(ring_size), buf_size, 4096,
                                 &geo);
    base = mmap(NULL, region, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (!region || base == MAP_FAILED) {
        perror("dpdkr-ring-ceiling: cannot map a region");
        return 2;
    }
    dpdkr_region_init(base, &geo, getpid(), 0);

    memset(&prod, 0, sizeof prod);
    prod.base = base;
    prod.geo = geo;
    prod.size = size;
    prod.buf_size = buf_size;
    prod.burst = burst;
    prod.stop = &stop;
    cons = prod;
    prod.cpu = pcpu;
    cons.cpu = ccpu;
    if (pthread_create(&tc, NULL, consumer, &cons)
        || pthread_create(&tp, NULL, producer, &prod)) {
        fprintf(stderr, "dpdkr-ring-ceiling: cannot create threads\n");
        return 2;
    }

    usleep(300 * 1000);         /* Warm-up. */
    t0 = now();
    cpu0 = cpu_seconds();
    n0 = __atomic_load_n(&cons.packets, __ATOMIC_RELAXED);
    usleep(seconds * 1e6);
    n1 = __atomic_load_n(&cons.packets, __ATOMIC_RELAXED);
    cpu1 = cpu_seconds();
    t1 = now();
    stop = 1;
    pthread_join(tp, NULL);
    pthread_join(tc, NULL);

    printf("size=%"PRIu32" cpus=%d,%d seconds=%.3f packets=%"PRIu64
           " mpps=%.3f gbps=%.3f cpu_s=%.3f", size, pcpu, ccpu, t1 - t0,
           n1 - n0, (n1 - n0) / (t1 - t0) / 1e6,
           (n1 - n0) * size * 8.0 / (t1 - t0) / 1e9, cpu1 - cpu0);
    if (nt_auto) {
        printf(" copy_trials=%"PRIu64" copy_trials_nt=%"PRIu64,
               __atomic_load_n(&n_trials, __ATOMIC_RELAXED),
               __atomic_load_n(&n_trials_nt, __ATOMIC_RELAXED));
    }
    printf("\n");
    return 0;
}
