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

/* net_dpdkr: the DPDK poll-mode driver of dpdkr shared-memory ports.
 *
 * One driver, two roles:
 *
 *   - role=server: Open vSwitch creates the region file of a dpdkr port
 *     (compiled into ovs-vswitchd, probed by netdev-dpdkr through
 *     dpdk-devargs), owns it and removes it when the port goes.
 *
 *   - role=client (default): an unmodified DPDK application attaches to that
 *     region: "-d librte_net_dpdkr.so --vdev net_dpdkr0,path=REGION".
 *
 * Packets are copied into the producer's ring slots and out of them by the
 * consumer, so no mbuf, pointer or mempool is ever shared: the two sides
 * need neither the same DPDK build nor DPDK multi-process.  Everything the
 * peer writes is validated by the functions of dpdkr-ring.h. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>
#include <rte_spinlock.h>

#include "dpdkr-abi.h"
#include "dpdkr-region.h"
#include "dpdkr-ring.h"
#include "rte_pmd_dpdkr.h"

#define DPDKR_ARG_PATH "path"
#define DPDKR_ARG_ROLE "role"
#define DPDKR_ARG_RING_SIZE "ring-size"
#define DPDKR_ARG_BUF_SIZE "buf-size"
#define DPDKR_ARG_MODE "mode"
#define DPDKR_ARG_OWNER "owner"
#define DPDKR_ARG_GROUP "group"
#define DPDKR_ARG_PCI "pci"
#define DPDKR_ARG_NT_COPY "nt-copy"

#define DPDKR_RX_BURST_MAX 64

static const char *const dpdkr_valid_args[] = {
    DPDKR_ARG_PATH, DPDKR_ARG_ROLE, DPDKR_ARG_RING_SIZE, DPDKR_ARG_BUF_SIZE,
    DPDKR_ARG_NT_COPY,
    DPDKR_ARG_MODE, DPDKR_ARG_OWNER, DPDKR_ARG_GROUP, DPDKR_ARG_PCI, NULL
};

RTE_LOG_REGISTER(dpdkr_logtype, pmd.net.dpdkr, NOTICE);
#define DPDKR_LOG(LEVEL, ...) \
    rte_log(RTE_LOG_ ## LEVEL, dpdkr_logtype, "dpdkr: " __VA_ARGS__)

/* Extended statistics.  OVS shows counters whose names end in "_errors" or
 * "_dropped" as Interface statistics. */
enum dpdkr_xstat {
    DPDKR_XSTAT_RX_BAD_DESC,
    DPDKR_XSTAT_RX_BAD_INDEX,
    DPDKR_XSTAT_TX_BAD_INDEX,
    DPDKR_XSTAT_TX_OVERSIZE,
    DPDKR_XSTAT_TX_NT_PACKETS,
    DPDKR_XSTAT_TX_COPY_TRIALS,
    DPDKR_XSTAT_TX_COPY_TRIALS_NT,
    DPDKR_N_XSTATS
};

static const char *const dpdkr_xstat_names[DPDKR_N_XSTATS] = {
    [DPDKR_XSTAT_RX_BAD_DESC] = "rx_bad_desc_errors",
    [DPDKR_XSTAT_RX_BAD_INDEX] = "rx_bad_index_errors",
    [DPDKR_XSTAT_TX_BAD_INDEX] = "tx_bad_index_errors",
    [DPDKR_XSTAT_TX_OVERSIZE] = "tx_oversize_dropped",
    /* Packets copied with non-temporal stores, and nt-copy=auto's trials
     * (all of them, and those that chose non-temporal stores). */
    [DPDKR_XSTAT_TX_NT_PACKETS] = "tx_nt_copy_packets",
    [DPDKR_XSTAT_TX_COPY_TRIALS] = "tx_copy_trials",
    [DPDKR_XSTAT_TX_COPY_TRIALS_NT] = "tx_copy_trials_nt",
};

/* A port whose region is the BAR 2 of a QEMU ivshmem-plain device (a
 * client in a virtual machine) is named by its PCI address. */
#define DPDKR_PCI_DEVICES "/sys/bus/pci/devices"
#define DPDKR_PCI_ADDR_SIZE 16  /* "dddd:bb:dd.f" and its NUL. */
#define DPDKR_IVSHMEM_VENDOR 0x1af4
#define DPDKR_IVSHMEM_DEVICE 0x1110

struct dpdkr_args {
    char path[PATH_MAX];
    char pci[DPDKR_PCI_ADDR_SIZE]; /* PCI address, "auto" or "" (a file). */
    bool pci_auto;              /* pci=auto: the address was looked up. */
    bool server;
    enum dpdkr_nt_copy {
        DPDKR_NT_COPY_AUTO,     /* nt-copy=auto, the default. */
        DPDKR_NT_COPY_YES,
        DPDKR_NT_COPY_NO,
    } nt_copy;                  /* See dpdkr-ring.h. */
    uint32_t ring_size;
    uint32_t buf_size;
    mode_t mode;
    long long owner;            /* -1: unchanged. */
    long long group;            /* -1: unchanged. */
};

/* A lane region mapped by a client: see dpdkr-abi.h. */
struct dpdkr_lane {
    uint8_t *base;              /* NULL if not mapped. */
    uint64_t size;
    int guard;
    uint64_t epoch;
    uint32_t ring;
    struct dpdkr_geometry geo;
    struct dpdkr_ring_view view;
};

/* A lane that a client in a virtual machine found among its ivshmem
 * devices and mapped in dpdkr_watch(), waiting for the burst that executes
 * the request naming it (dpdkr_lane_map()).  dpdkr_watch() fills it only
 * while EMPTY, then makes it READY; the burst takes it with READY -> EMPTY
 * and dpdkr_watch() withdraws a stale one with READY -> BUSY -> EMPTY, so
 * whoever wins the exchange owns the mapping. */
enum dpdkr_slot_state {
    DPDKR_SLOT_EMPTY,
    DPDKR_SLOT_READY,
    DPDKR_SLOT_BUSY
};

struct dpdkr_lane_slot {
    uint32_t state;             /* enum dpdkr_slot_state, atomic. */
    uint64_t epoch;
    uint8_t *base;
    uint64_t size;
    int guard;
    char pci[DPDKR_PCI_ADDR_SIZE];
    uint64_t waiting_epoch;     /* dpdkr_watch()'s: logged waiting for. */
};

/* A client's transmit side's lane state.  Owned by the transmit path. */
struct dpdkr_tx_lane {
    uint32_t gen;               /* Last request handled. */
    bool direct;                /* Producing into 'lane'? */
    uint32_t max_len;           /* Longest packet for the lane. */
    uint32_t last_head;         /* Lane head when the lane was left. */
    struct dpdkr_lane lane;
};

/* A client's receive side's lane state.  Owned by the receive path. */
struct dpdkr_rx_lane {
    uint32_t gen;               /* Last request handled. */
    bool busy;                  /* Executing a request (below)? */
    bool to_old;                /* Reading the S2C ring up to 'old_seq'. */
    bool draining;              /* Reading the lane up to 'lane_seq'. */
    bool direct;                /* Requested state is DIRECT. */
    bool reading_lane;          /* In DIRECT steady state. */
    uint32_t old_seq;
    uint32_t lane_seq;
    struct dpdkr_lane lane;
};

/* Liveness of a client that holds no lock the server can see (1.3). */
struct dpdkr_liveness {
    rte_spinlock_t lock;
    uint64_t seen;              /* Last client_heartbeat read. */
    uint64_t tsc;               /* When it changed, or 0. */
};

struct pmd_internals {
    struct dpdkr_args args;
    uint16_t port_id;

    /* The mapped region and its private, validated geometry. */
    int fd;                     /* Client: holds the client lock. */
    int probe_fd;               /* Server: used to probe the client's lock. */
    uint8_t *base;
    uint64_t size;
    int guard;                  /* Truncation guard slot, or -1. */
    bool reported_broken;
    struct dpdkr_geometry geo;
    struct dpdkr_region_hdr *hdr;
    struct dpdkr_ctrl *ctrl;

    struct dpdkr_ring_view rx;  /* This side consumes. */
    struct dpdkr_ring_view tx;  /* This side produces. */

    struct rte_mempool *mb_pool;
    uint32_t mbuf_room;         /* Data room of an rx mbuf. */
    uint32_t max_rx_len;        /* Largest packet rx accepts. */
    bool tx_nt;                 /* May copy with non-temporal stores: a
                                 * client with nt-copy=yes or auto, on a CPU
                                 * that can. */
    bool tx_auto;               /* ...and chooses with 'tuner' (auto). */
    struct dpdkr_copy_tuner tuner;
    uint64_t tx_nt_packets;     /* Copied with non-temporal stores. */
    bool started;

    /* Private counters beyond the rings' own. */
    uint64_t rx_nombuf;
    uint64_t tx_oversize;

    /* Rate limit of the data path's complaints about the peer. */
    uint64_t last_complaint_tsc;
    uint64_t complained_errors;

    /* Client: lanes. */
    struct dpdkr_tx_lane txl;
    struct dpdkr_rx_lane rxl;
    uint64_t lane_rx_packets, lane_rx_bytes; /* Received from lanes. */
    uint64_t lane_tx_packets, lane_tx_bytes; /* Sent into lanes. */
    uint32_t tx_busy;           /* Last value of ack[C2S].tx_busy. */
    uint32_t rx_busy;           /* Last value of ack[S2C].rx_busy. */
    uint64_t heartbeat;         /* Last value of client_heartbeat. */

    /* Client in a virtual machine: lanes found by dpdkr_watch(), indexed
     * by the ring of the request, and the epochs of the lanes the bursts
     * have mapped (written by the bursts, read by dpdkr_watch()). */
    struct dpdkr_lane_slot slot[DPDKR_N_RINGS];
    uint64_t mapped_epoch[DPDKR_N_RINGS];

    /* Client: following the switch to the region it re-creates when
     * ovs-vswitchd restarts.  dpdkr_watch() checks every 100 ms from an
     * EAL alarm, and replaces the mapping only while no burst runs: it
     * sets 'paused', which every burst reads (after a full fence) before
     * it touches shared memory, and waits until neither burst is inside,
     * which 'rx_in' and 'tx_in' tell (odd inside). */
    uint32_t paused;
    uint32_t rx_in, tx_in;
    bool watching;              /* Alarm armed. */
    bool reported_gone;         /* Logged that the switch left. */
    dev_t region_dev;           /* Identity of the mapped region file. */
    ino_t region_ino;
    struct {                    /* Counts of earlier attachments. */
        uint64_t rx_packets, rx_bytes, rx_bad_desc, rx_bad_index;
        uint64_t tx_packets, tx_bytes, tx_bad_index;
    } prev;

    /* Server: the switch's control of this port's data path, from its
     * main thread (rte_pmd_dpdkr_*() below); process-local. */
#define DPDKR_RX_HOLD_LIMIT 1   /* Read C2S only to 'rx_limit'. */
#define DPDKR_RX_HOLD_STOP 2    /* Read nothing more: the switch exits. */
    uint32_t rx_hold;           /* DPDKR_RX_HOLD_* bits, or 0. */
    uint32_t rx_limit;
    uint32_t rx_at_limit;       /* Set by rx at 'rx_limit' (or, stopped,
                                 * anywhere): all before it processed by
                                 * the caller. */
    uint32_t tx_head_pub;       /* Copy of tx.idx after each burst. */
    uint32_t generation[DPDKR_N_RINGS]; /* Of the last requests. */
    bool adopted;               /* The region was a predecessor's. */
    struct dpdkr_server_totals adopted_totals; /* As it found them. */
    const char *adopt_why;      /* Why a region found was not adopted. */
    void (*rx_notify)(void *);  /* rte_pmd_dpdkr_notify_rx(). */
    void *rx_notify_aux;
    struct dpdkr_liveness live;

    struct rte_ether_addr mac;
};

/* Truncation guard.
 *
 * Whoever can open a region file read-write, which a client must, can also
 * shrink it, and the other side's next access beyond the new end of file
 * raises SIGBUS.  As Wayland compositors do for client shared memory, a
 * SIGBUS handler recognizes an address inside one of our mappings and
 * replaces the whole mapping with private zero pages, so the access
 * completes: the ring code then sees empty rings and invalid indexes,
 * counts them, and the port stops carrying traffic instead of the process
 * dying.  Any other SIGBUS goes to the previous handler. */

#define DPDKR_GUARD_CHUNK 256   /* Slots per chunk. */

struct dpdkr_mapping {
    uintptr_t base;             /* 0: free slot. */
    uintptr_t size;
    uint32_t broken;            /* Set once the mapping was replaced. */
};

/* The slots: a list of chunks that only grows.  A chunk is allocated (under
 * the mutex, never in the signal handler), filled, then linked with
 * release order, and never freed, so the signal handler can walk the list
 * with acquire loads at any time without a lock.  Slot number k is slot
 * k % DPDKR_GUARD_CHUNK of chunk k / DPDKR_GUARD_CHUNK. */
struct dpdkr_guard_chunk {
    struct dpdkr_mapping slot[DPDKR_GUARD_CHUNK];
    struct dpdkr_guard_chunk *next;
};

static struct dpdkr_guard_chunk dpdkr_guard_chunks; /* The first chunk. */
static struct sigaction dpdkr_old_sigbus;
static pthread_once_t dpdkr_sigbus_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t dpdkr_mappings_mutex = PTHREAD_MUTEX_INITIALIZER;

static struct dpdkr_guard_chunk *
dpdkr_guard_next(const struct dpdkr_guard_chunk *c)
{
    return __atomic_load_n(&c->next, __ATOMIC_ACQUIRE);
}

/* Returns the mapping in slot 'slot' (nonnegative, returned by
 * dpdkr_guard_add()). */
static struct dpdkr_mapping *
dpdkr_guard_slot(int slot)
{
    struct dpdkr_guard_chunk *c = &dpdkr_guard_chunks;
    int k;

    for (k = slot / DPDKR_GUARD_CHUNK; k > 0; k--) {
        c = dpdkr_guard_next(c);
    }
    return &c->slot[slot % DPDKR_GUARD_CHUNK];
}

/* Finds the guarded mapping of the faulting address with atomic loads only
 * (no lock, no allocation: async-signal-safe) and replaces it; any other
 * SIGBUS goes to the previous handler. */
static void
dpdkr_sigbus(int sig, siginfo_t *si, void *uc)
{
    uintptr_t addr = (uintptr_t) si->si_addr;
    const struct dpdkr_guard_chunk *c;
    int i;

    for (c = &dpdkr_guard_chunks; c; c = dpdkr_guard_next(c)) {
        for (i = 0; i < DPDKR_GUARD_CHUNK; i++) {
            struct dpdkr_mapping *m = (struct dpdkr_mapping *) &c->slot[i];
            uintptr_t base = __atomic_load_n(&m->base, __ATOMIC_ACQUIRE);
            uintptr_t size = __atomic_load_n(&m->size, __ATOMIC_ACQUIRE);

            if (base && addr - base < size) {
                if (mmap((void *) base, size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
                    != MAP_FAILED) {
                    __atomic_store_n(&m->broken, 1, __ATOMIC_RELEASE);
                    return;
                }
                goto chain;
            }
        }
    }

chain:
    if (dpdkr_old_sigbus.sa_flags & SA_SIGINFO) {
        dpdkr_old_sigbus.sa_sigaction(sig, si, uc);
    } else if (dpdkr_old_sigbus.sa_handler != SIG_DFL
               && dpdkr_old_sigbus.sa_handler != SIG_IGN) {
        dpdkr_old_sigbus.sa_handler(sig);
    } else {
        signal(SIGBUS, SIG_DFL);
        raise(SIGBUS);
    }
}

static int dpdkr_sigbus_error;  /* Set by dpdkr_sigbus_install(). */

static void
dpdkr_sigbus_install(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = dpdkr_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &dpdkr_old_sigbus)) {
        dpdkr_sigbus_error = errno;
        DPDKR_LOG(ERR, "cannot install the SIGBUS handler that guards "
                  "regions against truncation: %s\n", rte_strerror(errno));
    }
}

/* Registers the mapping [base, base + size) with the truncation guard.
 * Returns its slot (nonnegative), or a negative errno value if it cannot
 * be guarded, after logging why: the caller must then not use it.  There
 * is no limit on the number of slots but memory. */
static int
dpdkr_guard_add(void *base, uint64_t size)
{
    struct dpdkr_guard_chunk *c, *last = NULL;
    int i, k = 0, slot = -ENOMEM;

    pthread_once(&dpdkr_sigbus_once, dpdkr_sigbus_install);
    if (dpdkr_sigbus_error) {
        return -dpdkr_sigbus_error;
    }
    pthread_mutex_lock(&dpdkr_mappings_mutex);
    for (c = &dpdkr_guard_chunks; c && slot < 0; c = dpdkr_guard_next(c)) {
        for (i = 0; i < DPDKR_GUARD_CHUNK; i++) {
            if (!c->slot[i].base) {
                slot = k * DPDKR_GUARD_CHUNK + i;
                break;
            }
        }
        last = c;
        k++;
    }
    if (slot < 0 && k < INT_MAX / DPDKR_GUARD_CHUNK) {
        /* Every slot is taken: a new chunk (zeroed pages of its own),
         * linked once it is ready. */
        c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (c != MAP_FAILED) {
            slot = k * DPDKR_GUARD_CHUNK;
            __atomic_store_n(&last->next, c, __ATOMIC_RELEASE);
        }
    }
    if (slot >= 0) {
        struct dpdkr_mapping *m = dpdkr_guard_slot(slot);

        __atomic_store_n(&m->size, (uintptr_t) size, __ATOMIC_RELEASE);
        __atomic_store_n(&m->broken, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&m->base, (uintptr_t) base, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&dpdkr_mappings_mutex);
    if (slot < 0) {
        DPDKR_LOG(ERR, "out of memory for the truncation guard: refusing "
                  "to use a mapping that it cannot guard\n");
    }
    return slot;
}

/* Unregisters guard slot 'slot' (before its memory is unmapped).  Does
 * nothing if 'slot' is negative. */
static void
dpdkr_guard_remove(int slot)
{
    if (slot >= 0) {
        pthread_mutex_lock(&dpdkr_mappings_mutex);
        __atomic_store_n(&dpdkr_guard_slot(slot)->base, 0,
                         __ATOMIC_RELEASE);
        pthread_mutex_unlock(&dpdkr_mappings_mutex);
    }
}

static bool
dpdkr_guard_broken(int slot)
{
    return slot >= 0
           && __atomic_load_n(&dpdkr_guard_slot(slot)->broken,
                              __ATOMIC_ACQUIRE);
}

/* Complains, at most once a second, when the peer has sent invalid
 * descriptors or indexes since the last complaint. */
static void
dpdkr_complain(struct pmd_internals *pi)
{
    uint64_t errors = pi->rx.bad_desc + pi->rx.bad_index + pi->tx.bad_index;
    uint64_t now;

    if (errors == pi->complained_errors) {
        return;
    }
    now = rte_get_timer_cycles();
    if (now - pi->last_complaint_tsc < rte_get_timer_hz()) {
        return;
    }
    pi->last_complaint_tsc = now;
    DPDKR_LOG(WARNING, "%s: peer wrote %"PRIu64" invalid descriptors or "
              "ring indexes (dropped)\n", pi->args.path,
              errors - pi->complained_errors);
    pi->complained_errors = errors;
}

/* Receives at most 'n' packets from ring 'v' into 'bufs', accepting
 * packets of at most 'max_len' bytes.  Stores in '*used' how many
 * descriptors it consumed (valid or not) and returns how many packets it
 * received.  If 'starved' is nonnull, stores in it whether descriptors were
 * ready but left on the ring for lack of mbufs (then '*used' is 0). */
static uint16_t
dpdkr_rx_ring_starved(struct pmd_internals *pi, struct dpdkr_ring_view *v,
                      struct rte_mbuf **bufs, uint32_t n, uint32_t max_len,
                      uint32_t *used, bool *starved)
{
    const uint8_t *src[DPDKR_RX_BURST_MAX];
    uint32_t len[DPDKR_RX_BURST_MAX];
    uint32_t avail, i, got = 0;
    uint64_t bytes = 0;

    *used = 0;
    if (starved) {
        *starved = false;
    }
    avail = dpdkr_cons_avail_min(v, RTE_MIN(n,
                                            (uint32_t) DPDKR_RX_BURST_MAX));
    if (!avail) {
        if (unlikely(v->bad_index != 0)) {
            dpdkr_complain(pi);
        }
        return 0;
    }
    if (unlikely(rte_pktmbuf_alloc_bulk(pi->mb_pool, bufs, avail))) {
        pi->rx_nombuf += avail;
        if (starved) {
            *starved = true;
        }
        return 0;
    }

    /* First validate every descriptor and start fetching the first cache
     * line of its packet, which the producer has just written from another
     * core; then copy, fetching the rest of the next packet meanwhile, so
     * that the loads of one packet overlap the copy of the previous one
     * without a whole burst of large packets filling the cache at once. */
    for (i = 0; i < avail; i++) {
        struct dpdkr_desc d;

        src[i] = dpdkr_cons_desc(v, i, max_len, &d);
        len[i] = d.len;
        if (likely(src[i] != NULL)) {
            rte_prefetch0(src[i]);
        }
    }
    for (i = 0; i < avail; i++) {
        struct rte_mbuf *m = bufs[got];

        if (i + 1 < avail && src[i + 1]) {
            uint32_t off;

            for (off = RTE_CACHE_LINE_SIZE; off < len[i + 1];
                 off += RTE_CACHE_LINE_SIZE) {
                rte_prefetch0(src[i + 1] + off);
            }
        }
        if (unlikely(!src[i])) {
            continue;
        }
        rte_memcpy(rte_pktmbuf_mtod(m, void *), src[i], len[i]);
        m->data_len = len[i];
        m->pkt_len = len[i];
        m->port = pi->port_id;
        bytes += len[i];
        got++;
    }
    if (unlikely(got < avail)) {
        rte_pktmbuf_free_bulk(&bufs[got], avail - got);
        dpdkr_complain(pi);
    }
    dpdkr_cons_release(v, avail, got, bytes);
    *used = avail;
    return got;
}

static uint16_t
dpdkr_rx_ring(struct pmd_internals *pi, struct dpdkr_ring_view *v,
              struct rte_mbuf **bufs, uint32_t n, uint32_t max_len,
              uint32_t *used)
{
    return dpdkr_rx_ring_starved(pi, v, bufs, n, max_len, used, NULL);
}

/* Lanes, client side. */

/* Clients in virtual machines.
 *
 * In a virtual machine, a port's region and each of its lanes are the BAR 2
 * of a QEMU ivshmem-plain device (vendor 1af4, device 1110), which the
 * client maps through sysfs as it maps a file: it opens
 * /sys/bus/pci/devices/ADDRESS/resource2 read-write and maps it shared.
 * Nothing the guest sees tells one ivshmem device from another, so the
 * header at the start of each BAR does: a port's region is a dpdkr region
 * without DPDKR_REGION_F_LANE, and a lane is the one whose epoch and size
 * the switch named in the port's control block.  The lookups run in
 * dpdkr_watch() or at probe time, never in a burst. */

/* Reads the number in sysfs file 'name' of PCI device 'addr' into
 * '*value'.  Returns 0 or a negative errno value. */
static int
dpdkr_pci_read(const char *addr, const char *name, unsigned long *value)
{
    char path[PATH_MAX], buf[32], *end;
    ssize_t n;
    int fd;

    snprintf(path, sizeof path, DPDKR_PCI_DEVICES "/%s/%s", addr, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        return -EIO;
    }
    buf[n] = '\0';
    errno = 0;
    *value = strtoul(buf, &end, 0);
    return errno || end == buf ? -EIO : 0;
}

static bool
dpdkr_pci_is_ivshmem(const char *addr)
{
    unsigned long vendor, device;

    return (!dpdkr_pci_read(addr, "vendor", &vendor)
            && vendor == DPDKR_IVSHMEM_VENDOR
            && !dpdkr_pci_read(addr, "device", &device)
            && device == DPDKR_IVSHMEM_DEVICE);
}

/* Turns on memory decoding of PCI device 'addr', through its sysfs
 * 'enable' file (root only): Linux leaves a device that no driver claims
 * disabled, and QEMU resets a hot-plugged one.  Returns 0 or a negative
 * errno value. */
static int
dpdkr_pci_enable(const char *addr)
{
    char path[PATH_MAX];
    unsigned long on;
    int fd, err = 0;

    if (!dpdkr_pci_read(addr, "enable", &on) && on) {
        return 0;
    }
    snprintf(path, sizeof path, DPDKR_PCI_DEVICES "/%s/enable", addr);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    if (write(fd, "1", 1) != 1) {
        err = errno ? -errno : -EIO;
    }
    close(fd);
    return err;
}

/* Maps the whole BAR 2 of ivshmem device 'addr', guarded, with memory
 * decoding turned on: '*base', '*size' and '*guard'.  Returns 0 or a
 * negative errno value. */
static int
dpdkr_pci_map(const char *addr, size_t len, uint8_t **base, uint64_t *size,
              int *guard)
{
    char path[PATH_MAX];
    struct stat st;
    void *p;
    int fd, err;

    err = dpdkr_pci_enable(addr);
    if (err) {
        return err;
    }
    snprintf(path, sizeof path, DPDKR_PCI_DEVICES "/%s/resource2", addr);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    if (fstat(fd, &st) || st.st_size < DPDKR_HDR_SIZE) {
        close(fd);
        return -EINVAL;
    }
    if (!len) {
        len = st.st_size;
    }
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    err = p == MAP_FAILED ? -errno : 0;
    close(fd);
    if (err) {
        return err;
    }
    *guard = dpdkr_guard_add(p, len);
    if (*guard < 0) {
        munmap(p, len);
        return *guard;
    }
    *base = p;
    *size = st.st_size;
    return 0;
}

/* Copies the region header at the start of BAR 2 of ivshmem device 'addr'
 * into '*h', and the BAR's size into '*size'.  Returns 0 or a negative
 * errno value. */
static int
dpdkr_pci_peek(const char *addr, struct dpdkr_region_hdr *h, uint64_t *size)
{
    uint8_t *base;
    int guard, err;

    err = dpdkr_pci_map(addr, DPDKR_HDR_SIZE, &base, size, &guard);
    if (!err) {
        memcpy(h, base, sizeof *h);
        dpdkr_guard_remove(guard);
        munmap(base, DPDKR_HDR_SIZE);
    }
    return err;
}

/* Looks among the ivshmem devices for a port's region that a switch
 * serves ('lane' false), or for the lane of 'epoch' whose BAR has 'size'
 * bytes, and copies the first one's address into 'addr'.  Returns 0,
 * -ENOENT if there is none, or -EEXIST if 'lane' is false and there are
 * several. */
static int
dpdkr_pci_find(bool lane, uint64_t epoch, uint64_t size,
               char addr[DPDKR_PCI_ADDR_SIZE])
{
    struct dirent *de;
    int n = 0;
    DIR *d;

    d = opendir(DPDKR_PCI_DEVICES);
    if (!d) {
        return -errno;
    }
    while ((de = readdir(d)) != NULL) {
        struct dpdkr_region_hdr h;
        uint64_t bar;
        bool match;

        if (de->d_name[0] == '.' || strlen(de->d_name) >= DPDKR_PCI_ADDR_SIZE
            || !dpdkr_pci_is_ivshmem(de->d_name)
            || dpdkr_pci_peek(de->d_name, &h, &bar)
            || h.magic != DPDKR_MAGIC || h.major != DPDKR_VERSION_MAJOR) {
            continue;
        }
        match = (lane
                 ? (h.flags & DPDKR_REGION_F_LANE) && h.epoch == epoch
                   && bar == size
                 : !(h.flags & DPDKR_REGION_F_LANE)
                   && h.server_state == DPDKR_SERVER_UP);
        if (match && !n++) {
            snprintf(addr, DPDKR_PCI_ADDR_SIZE, "%s", de->d_name);
        }
    }
    closedir(d);
    return !n ? -ENOENT : n > 1 && !lane ? -EEXIST : 0;
}

/* Points 'a->path' at the BAR of the port's ivshmem device: the one that
 * 'a->pci' names, or for pci=auto the only one that holds a port's
 * region.  Returns 0 or a negative errno value, after logging why. */
static int
dpdkr_pci_resolve(struct dpdkr_args *a, const char *name)
{
    int err;

    if (a->pci_auto) {
        err = dpdkr_pci_find(false, 0, 0, a->pci);
        if (err == -ENOENT) {
            DPDKR_LOG(ERR, "%s: no ivshmem device holds a dpdkr port's "
                      "region that a switch serves\n", name);
        } else if (err == -EEXIST) {
            DPDKR_LOG(ERR, "%s: several ivshmem devices hold dpdkr ports' "
                      "regions: choose one with pci=ADDRESS\n", name);
        } else if (err) {
            DPDKR_LOG(ERR, "%s: cannot list PCI devices: %s\n", name,
                      rte_strerror(-err));
        }
        if (err) {
            return err;
        }
    } else if (!dpdkr_pci_is_ivshmem(a->pci)) {
        DPDKR_LOG(ERR, "%s: %s is not an ivshmem device\n", name, a->pci);
        return -ENODEV;
    }
    err = dpdkr_pci_enable(a->pci);
    if (err) {
        DPDKR_LOG(ERR, "%s: cannot enable PCI device %s: %s\n", name,
                  a->pci, rte_strerror(-err));
        return err;
    }
    snprintf(a->path, sizeof a->path, DPDKR_PCI_DEVICES "/%s/resource2",
             a->pci);
    return 0;
}

/* Withdraws the lane in slot 's' if it is READY.  Called by
 * dpdkr_watch() only, or once no burst runs. */
static void
dpdkr_lane_slot_withdraw(struct dpdkr_lane_slot *s)
{
    uint32_t ready = DPDKR_SLOT_READY;

    if (__atomic_compare_exchange_n(&s->state, &ready, DPDKR_SLOT_BUSY,
                                    false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        dpdkr_guard_remove(s->guard);
        munmap(s->base, s->size);
        s->base = NULL;
        s->guard = -1;
        __atomic_store_n(&s->state, DPDKR_SLOT_EMPTY, __ATOMIC_RELEASE);
    }
}

static void
dpdkr_lane_slot_clear(struct pmd_internals *pi)
{
    int i;

    for (i = 0; i < DPDKR_N_RINGS; i++) {
        dpdkr_lane_slot_withdraw(&pi->slot[i]);
        pi->slot[i].waiting_epoch = 0;
    }
}

/* Client in a virtual machine, from dpdkr_watch(): finds and maps the lane
 * that the request of ring 'id' names, if no burst has it mapped, for the
 * burst to take (see struct dpdkr_lane_slot); withdraws one that no
 * request names any more. */
static void
dpdkr_lane_slot_watch(struct pmd_internals *pi, int id)
{
    struct dpdkr_lane_slot *s = &pi->slot[id];
    char path[DPDKR_LANE_PATH_SIZE];
    char addr[DPDKR_PCI_ADDR_SIZE];
    struct dpdkr_geometry geo;
    struct dpdkr_lane_req r;
    uint64_t want, size;
    uint8_t *base;
    int guard;

    if (!dpdkr_lane_req_read_lane(pi->ctrl, id,
                                  dpdkr_load_acquire(
                                      &pi->ctrl->req[id].generation),
                                  &r, path, &geo)) {
        return;                 /* Being written: next time. */
    }
    want = r.lane_epoch;
    if (want == __atomic_load_n(&pi->mapped_epoch[id], __ATOMIC_ACQUIRE)) {
        want = 0;               /* The burst has it. */
    }
    if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == DPDKR_SLOT_READY
        && s->epoch != want) {
        dpdkr_lane_slot_withdraw(s);
    }
    if (!want || __atomic_load_n(&s->state, __ATOMIC_ACQUIRE)
                 != DPDKR_SLOT_EMPTY) {
        return;
    }
    if (dpdkr_pci_find(true, want, geo.region_size, addr)
        || dpdkr_pci_map(addr, 0, &base, &size, &guard)) {
        if (s->waiting_epoch != want) {
            s->waiting_epoch = want;
            DPDKR_LOG(INFO, "%s: waiting for lane %"PRIx64" to be plugged "
                      "in\n", pi->args.path, want);
        }
        return;
    }
    s->epoch = want;
    s->base = base;
    s->size = size;
    s->guard = guard;
    snprintf(s->pci, sizeof s->pci, "%s", addr);
    __atomic_store_n(&s->state, DPDKR_SLOT_READY, __ATOMIC_RELEASE);
    DPDKR_LOG(INFO, "%s: lane %"PRIx64" is PCI device %s\n", pi->args.path,
              want, addr);
}

/* Unmaps the transmit side's lane ('producer') or the receive side's,
 * adding its ring view's packet and byte counts to the port's. */
static void
dpdkr_lane_unmap(struct pmd_internals *pi, bool producer)
{
    struct dpdkr_lane *lane = producer ? &pi->txl.lane : &pi->rxl.lane;
    int id = producer ? DPDKR_RING_C2S : DPDKR_RING_S2C;

    if (producer) {
        pi->lane_tx_packets += lane->view.packets;
        pi->lane_tx_bytes += lane->view.bytes;
    } else {
        pi->lane_rx_packets += lane->view.packets;
        pi->lane_rx_bytes += lane->view.bytes;
    }
    if (lane->base) {
        dpdkr_guard_remove(lane->guard);
        munmap(lane->base, lane->size);
    }
    memset(lane, 0, sizeof *lane);
    lane->guard = -1;
    __atomic_store_n(&pi->mapped_epoch[id], 0, __ATOMIC_RELEASE);
}

/* Maps the lane file at 'path' whole, for dpdkr_lane_map().  Returns 0 or
 * a negative errno value, after logging why. */
static int
dpdkr_lane_map_file(struct pmd_internals *pi, const char *path,
                    struct dpdkr_lane *lane)
{
    struct stat st;
    int fd, err;

    if (path[0] != '/') {
        DPDKR_LOG(ERR, "%s: invalid lane request\n", pi->args.path);
        return -EINVAL;
    }
    fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        err = -errno;
        DPDKR_LOG(ERR, "%s: cannot open lane %s: %s\n", pi->args.path, path,
                  rte_strerror(errno));
        return err;
    }
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        DPDKR_LOG(ERR, "%s: lane %s is not a region\n", pi->args.path, path);
        close(fd);
        return -EINVAL;
    }
    lane->size = st.st_size;
    lane->base = mmap(NULL, lane->size, PROT_READ | PROT_WRITE, MAP_SHARED,
                      fd, 0);
    close(fd);
    if (lane->base == MAP_FAILED) {
        lane->base = NULL;
        DPDKR_LOG(ERR, "%s: cannot map lane %s: %s\n", pi->args.path, path,
                  rte_strerror(errno));
        return -ENOMEM;
    }
    lane->guard = dpdkr_guard_add(lane->base, lane->size);
    if (lane->guard < 0) {
        DPDKR_LOG(ERR, "%s: refusing lane %s: cannot guard it against "
                  "truncation\n", pi->args.path, path);
        munmap(lane->base, lane->size);
        lane->base = NULL;
        return -ENOMEM;
    }
    return 0;
}

/* Maps the lane that request 'r' names, with geometry 'geo' (the
 * switch's, copied from the control block with the request, unchecked),
 * into the transmit side's lane ('producer') or the receive side's (unless
 * it is already mapped), as producer or consumer of its ring.  A client in
 * a virtual machine takes the lane that dpdkr_watch() found among its
 * ivshmem devices; any other client maps the file at 'path'.  Only 'geo'
 * is used, never the geometry in the lane's header, which both
 * applications on the lane can write.  Returns 0, -EAGAIN if the lane is
 * not (yet) plugged into the virtual machine, or another negative errno
 * value after logging why. */
static int
dpdkr_lane_map(struct pmd_internals *pi, const struct dpdkr_lane_req *r,
               const char *path, const struct dpdkr_geometry *geo,
               bool producer)
{
    int id = producer ? DPDKR_RING_C2S : DPDKR_RING_S2C;
    struct dpdkr_lane *lane = producer ? &pi->txl.lane : &pi->rxl.lane;
    struct dpdkr_lane_slot *slot = &pi->slot[id];
    const struct dpdkr_region_hdr *h;
    const char *why = NULL;
    const char *name = path;
    uint32_t ready = DPDKR_SLOT_READY;
    int err;

    if (lane->base && lane->epoch == r->lane_epoch
        && lane->ring == r->lane_ring) {
        return 0;
    }
    if (r->lane_ring >= DPDKR_N_RINGS) {
        DPDKR_LOG(ERR, "%s: invalid lane request\n", pi->args.path);
        return -EINVAL;
    }
    if (pi->args.pci[0]
        && (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE)
            != DPDKR_SLOT_READY || slot->epoch != r->lane_epoch)) {
        return -EAGAIN;
    }
    dpdkr_lane_unmap(pi, producer);

    if (pi->args.pci[0]) {
        lane->base = slot->base;
        lane->size = slot->size;
        lane->guard = slot->guard;
        name = slot->pci;
        if (!__atomic_compare_exchange_n(&slot->state, &ready,
                                         DPDKR_SLOT_EMPTY, false,
                                         __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE)) {
            /* dpdkr_watch() withdrew it just now. */
            memset(lane, 0, sizeof *lane);
            lane->guard = -1;
            return -EAGAIN;
        }
    } else {
        err = dpdkr_lane_map_file(pi, path, lane);
        if (err) {
            return err;
        }
    }

    /* The switch's geometry, bounded by the file or BAR as it is now.  (A
     * peer that shrinks the file later is the truncation guard's
     * business.) */
    why = dpdkr_geometry_check(geo, lane->size);
    if (!why && geo->epoch != r->lane_epoch) {
        why = "the switch's lane geometry is not the requested lane's";
    }
    lane->geo = *geo;

    /* Of the lane's header, only what says that it is the switch's live
     * lane of that epoch: each word read once. */
    h = (const struct dpdkr_region_hdr *) lane->base;
    if (why) {
        /* Said above. */
    } else if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != DPDKR_MAGIC) {
        why = "bad magic";
    } else if (__atomic_load_n(&h->epoch, __ATOMIC_RELAXED)
               != r->lane_epoch) {
        why = "stale lane (epoch differs)";
    } else if (__atomic_load_n(&h->server_state, __ATOMIC_ACQUIRE)
               != DPDKR_SERVER_UP) {
        why = "the switch is not serving this lane";
    }
    if (why) {
        DPDKR_LOG(ERR, "%s: refusing lane %s: %s\n", pi->args.path, name,
                  why);
        dpdkr_lane_unmap(pi, producer);
        return -EINVAL;
    }
    lane->epoch = r->lane_epoch;
    lane->ring = r->lane_ring;
    __atomic_store_n(&pi->mapped_epoch[id], lane->epoch, __ATOMIC_RELEASE);
    dpdkr_ring_view_init(&lane->view, lane->base, &lane->geo, r->lane_ring,
                         0);
    if (producer) {
        /* A fresh count for this session, which the switch reads. */
        dpdkr_ring_view_set_idx(&lane->view,
                                dpdkr_load_acquire(&lane->view.ring->head));
        dpdkr_store_relaxed64(&lane->view.ring->prod_packets, 0);
        dpdkr_store_relaxed64(&lane->view.ring->prod_bytes, 0);
        dpdkr_store_relaxed64(&lane->view.ring->prod_drops, 0);
        dpdkr_store_relaxed64(&lane->view.ring->prod_drop_bytes, 0);
    } else {
        dpdkr_ring_view_set_idx(&lane->view,
                                dpdkr_load_acquire(&lane->view.ring->tail));
    }
    DPDKR_LOG(INFO, "%s: %s lane %s\n", pi->args.path,
              producer ? "sending into" : "receiving from", name);
    return 0;
}

/* The time at which an acknowledgement's path was taken (ABI 1.6), for the
 * switch to time hand-overs: CLOCK_MONOTONIC in ns, or 0 if unknown.  Runs
 * once per request, not per packet. */
static uint64_t
dpdkr_switched_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts)) {
        return 0;
    }
    return (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Transmit side: executes the C2S request of generation 'gen'. */
static void
dpdkr_tx_lane_update(struct pmd_internals *pi, uint32_t gen)
{
    struct dpdkr_tx_lane *tl = &pi->txl;
    char path[DPDKR_LANE_PATH_SIZE];
    struct dpdkr_geometry geo;
    struct dpdkr_lane_req r;
    struct dpdkr_lane_ack a;
    int err;

    if (!dpdkr_lane_req_read_lane(pi->ctrl, DPDKR_RING_C2S, gen, &r, path,
                                  &geo)) {
        return;
    }
    if (r.state == DPDKR_LANE_DIRECT) {
        err = dpdkr_lane_map(pi, &r, path, &geo, true);
        if (err == -EAGAIN) {
            /* Not plugged in yet: the next burst looks again. */
            return;
        }
        tl->gen = gen;
        if (err) {
            tl->direct = false;
            a.state = DPDKR_LANE_REFUSED;
        } else {
            tl->direct = true;
            tl->max_len = RTE_MIN(r.max_len ? r.max_len : UINT32_MAX,
                                  tl->lane.view.buf_size);
            a.state = DPDKR_LANE_DIRECT;
        }
    } else {
        tl->gen = gen;
        if (tl->lane.base) {
            tl->last_head = tl->lane.view.idx;
            dpdkr_lane_unmap(pi, true);
        }
        tl->direct = false;
        a.state = DPDKR_LANE_SWITCHED;
    }
    a.generation = gen;
    a.old_path_seq = pi->tx.idx;
    a.lane_seq = tl->direct ? tl->lane.view.idx : tl->last_head;
    a.switched_ns = dpdkr_switched_ns();
    dpdkr_lane_ack_publish(&pi->ctrl->ack[DPDKR_RING_C2S], &a);
}

static void
dpdkr_rx_lane_ack(struct pmd_internals *pi, uint32_t state)
{
    struct dpdkr_lane_ack a = {
        .generation = pi->rxl.gen,
        .state = state,
        .old_path_seq = pi->rx.idx,
        .lane_seq = pi->rxl.lane.base ? pi->rxl.lane.view.idx : 0,
        .switched_ns = dpdkr_switched_ns(),
    };

    dpdkr_lane_ack_publish(&pi->ctrl->ack[DPDKR_RING_S2C], &a);
}

/* Receive side: takes up the S2C request of generation 'gen'. */
static void
dpdkr_rx_lane_update(struct pmd_internals *pi, uint32_t gen)
{
    struct dpdkr_rx_lane *rl = &pi->rxl;
    char path[DPDKR_LANE_PATH_SIZE];
    struct dpdkr_geometry geo;
    struct dpdkr_lane_req r;
    int err = 0;

    if (!dpdkr_lane_req_read_lane(pi->ctrl, DPDKR_RING_S2C, gen, &r, path,
                                  &geo)) {
        return;
    }
    if (r.lane_epoch) {
        err = dpdkr_lane_map(pi, &r, path, &geo, false);
        if (err == -EAGAIN) {
            /* Not plugged in yet: the next burst looks again. */
            return;
        }
    }
    rl->gen = gen;
    rl->direct = r.state == DPDKR_LANE_DIRECT;
    rl->old_seq = r.old_path_seq;
    rl->lane_seq = r.lane_seq;
    rl->to_old = true;
    rl->reading_lane = false;
    rl->draining = false;
    if ((rl->direct && !r.lane_epoch) || err) {
        /* Nothing can be read from a lane that cannot be mapped. */
        rl->busy = false;
        rl->direct = false;
        dpdkr_rx_lane_ack(pi, DPDKR_LANE_REFUSED);
        return;
    }
    rl->draining = !rl->direct && rl->lane.base;
    rl->busy = true;
}

/* Receives while a lane request is being executed or a lane is in use. */
static uint16_t
dpdkr_rx_lane_burst(struct pmd_internals *pi, struct rte_mbuf **bufs,
                    uint16_t n)
{
    struct dpdkr_rx_lane *rl = &pi->rxl;
    uint32_t used, left;
    bool starved;
    uint16_t got;

    /* A step below ends only on an empty ring or at its index, never for
     * lack of mbufs: without mbufs, the burst receives nothing and stays
     * in the step, since going on would let the next path's packets
     * overtake those left behind (or unmap a lane with packets on it). */
    if (rl->to_old) {
        /* Every packet of the old path precedes 'old_seq' on the S2C
         * ring, where the switch put it before the request.  An index
         * already passed, or one that cannot be reached, ends this step:
         * there is nothing to wait for. */
        left = rl->old_seq - pi->rx.idx;
        if (left && left <= pi->rx.size) {
            got = dpdkr_rx_ring_starved(pi, &pi->rx, bufs, RTE_MIN(n, left),
                                        pi->max_rx_len, &used, &starved);
            if (used || starved) {
                return got;
            }
        }
        rl->to_old = false;
    }
    if (rl->draining) {
        /* The lane's packets up to 'lane_seq' are all there: the producer
         * put them before acknowledging.  An empty lane ends this step. */
        left = rl->lane_seq - rl->lane.view.idx;
        if (left && left <= rl->lane.view.size) {
            got = dpdkr_rx_ring_starved(pi, &rl->lane.view, bufs,
                                        RTE_MIN(n, left), pi->max_rx_len,
                                        &used, &starved);
            if (used || starved) {
                return got;
            }
        }
        rl->draining = false;
    }
    if (rl->busy) {
        rl->busy = false;
        if (rl->direct) {
            rl->reading_lane = true;
            dpdkr_rx_lane_ack(pi, DPDKR_LANE_DIRECT);
        } else {
            dpdkr_rx_lane_ack(pi, DPDKR_LANE_SWITCHED);
            dpdkr_lane_unmap(pi, false);
        }
    }
    if (!rl->reading_lane) {
        return dpdkr_rx_ring(pi, &pi->rx, bufs, n, pi->max_rx_len, &used);
    }

    /* Direct: the lane, then what the switch still sends. */
    got = dpdkr_rx_ring(pi, &rl->lane.view, bufs, n, pi->max_rx_len, &used);
    if (got < n) {
        got += dpdkr_rx_ring(pi, &pi->rx, bufs + got, n - got,
                             pi->max_rx_len, &used);
    }
    return got;
}

/* Receives as a client, from the mapping. */
static uint16_t
dpdkr_rx_client(struct pmd_internals *pi, struct rte_mbuf **bufs,
                uint16_t n)
{
    /* A burst that may read the lane tells the switch so first (see
     * dpdkr-abi.h).  Then one word per burst: the generation of the lane
     * request. */
    bool mark = pi->rxl.reading_lane;
    uint32_t gen, used;
    uint16_t got;

    if (unlikely(mark)) {
        __atomic_store_n(&pi->ctrl->ack[DPDKR_RING_S2C].rx_busy,
                         ++pi->rx_busy, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    gen = dpdkr_load_acquire(&pi->ctrl->req[DPDKR_RING_S2C].generation);
    if (unlikely(gen != pi->rxl.gen)) {
        dpdkr_rx_lane_update(pi, gen);
    }
    if (unlikely(pi->rxl.busy || pi->rxl.reading_lane)) {
        got = dpdkr_rx_lane_burst(pi, bufs, n);
    } else {
        got = dpdkr_rx_ring(pi, &pi->rx, bufs, n, pi->max_rx_len, &used);
    }
    if (unlikely(mark)) {
        __atomic_store_n(&pi->ctrl->ack[DPDKR_RING_S2C].rx_busy,
                         ++pi->rx_busy, __ATOMIC_RELEASE);
    }
    return got;
}

static void dpdkr_rx_notify(struct pmd_internals *);

static uint16_t
dpdkr_rx_burst(void *q, struct rte_mbuf **bufs, uint16_t n)
{
    struct pmd_internals *pi = q;
    uint32_t used, hold;

    if (unlikely(!pi->started)) {
        return 0;
    }
    if (!pi->args.server) {
        /* In (odd), then make sure the mapping is not being replaced
         * (see 'paused'). */
        uint32_t in = pi->rx_in + 1;
        uint16_t got = 0;

        __atomic_store_n(&pi->rx_in, in, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (likely(!__atomic_load_n(&pi->paused, __ATOMIC_ACQUIRE))) {
            got = dpdkr_rx_client(pi, bufs, n);
        }
        __atomic_store_n(&pi->rx_in, in + 1, __ATOMIC_RELEASE);
        return got;
    }

    /* Server: while the switch holds this port's input (a lane carries
     * it), read no further than the point the client left the ring at;
     * once it stops (it exits), read nothing more. */
    hold = __atomic_load_n(&pi->rx_hold, __ATOMIC_ACQUIRE);
    if (unlikely(hold)) {
        uint32_t left = __atomic_load_n(&pi->rx_limit, __ATOMIC_ACQUIRE)
                        - pi->rx.idx;

        if (hold & DPDKR_RX_HOLD_STOP || !left || left > pi->rx.size) {
            /* Everything before was returned by earlier calls, which the
             * caller has processed before calling again. */
            __atomic_store_n(&pi->rx_at_limit, 1, __ATOMIC_RELEASE);
            return 0;
        }
        n = RTE_MIN(n, left);
    }
    n = dpdkr_rx_ring(pi, &pi->rx, bufs, n, pi->max_rx_len, &used);
    if (unlikely(n && __atomic_load_n(&pi->rx_notify, __ATOMIC_RELAXED))) {
        dpdkr_rx_notify(pi);
    }
    return n;
}

/* Calls the callback that rte_pmd_dpdkr_notify_rx() set, once. */
static void
dpdkr_rx_notify(struct pmd_internals *pi)
{
    void (*cb)(void *) = __atomic_exchange_n(&pi->rx_notify, NULL,
                                             __ATOMIC_ACQ_REL);

    if (cb) {
        cb(__atomic_load_n(&pi->rx_notify_aux, __ATOMIC_ACQUIRE));
    }
}

/* Copies 'm' (possibly multi-segment) into 'dst', which has room for it. */
static void
dpdkr_copy_mbuf(uint8_t *dst, const struct rte_mbuf *m)
{
    if (likely(m->nb_segs == 1)) {
        rte_memcpy(dst, rte_pktmbuf_mtod(m, const void *), m->data_len);
        return;
    }
    for (; m; m = m->next) {
        rte_memcpy(dst, rte_pktmbuf_mtod(m, const void *), m->data_len);
        dst += m->data_len;
    }
}

/* Returns true if the client sends into a lane that the switch has not
 * closed (it closes a lane it removes while running, not when it exits). */
static bool
dpdkr_tx_lane_open(const struct pmd_internals *pi)
{
    const struct dpdkr_region_hdr *h;

    if (!pi->txl.direct || !pi->txl.lane.base) {
        return false;
    }
    h = (const struct dpdkr_region_hdr *) pi->txl.lane.base;
    return __atomic_load_n(&h->server_state, __ATOMIC_RELAXED)
           == DPDKR_SERVER_UP;
}

/* Sends, to the mapping. */
static uint16_t
dpdkr_tx_mapped(struct pmd_internals *pi, struct rte_mbuf **bufs, uint16_t n)
{
    struct dpdkr_ring_view *v = &pi->tx;
    uint32_t space, i, k, j = 0;
    uint32_t max_len = pi->tx.buf_size;
    uint64_t drop_bytes = 0;
    uint64_t bytes0;
    uint32_t peer_state;
    uint32_t large = 0, n_nt = 0;
    bool nt;

    /* A client stops sending when the server has gone, except into a
     * direct lane, which needs no server: it keeps carrying the packets
     * until the client re-attaches to the next server (as the kernel
     * datapath keeps forwarding while ovs-vswitchd restarts).  A server
     * sends nothing that no running client would ever read.  The caller
     * drops and counts what is not sent.  One word, read once per
     * burst. */
    peer_state = pi->args.server
                 ? __atomic_load_n(&pi->hdr->client_state, __ATOMIC_RELAXED)
                 : __atomic_load_n(&pi->hdr->server_state, __ATOMIC_RELAXED);
    if (unlikely(pi->args.server ? peer_state != DPDKR_CLIENT_RUNNING
                                 : (peer_state != DPDKR_SERVER_UP
                                    && !dpdkr_tx_lane_open(pi)))) {
        return 0;
    }
    if (!pi->args.server) {
        /* Tell the switch we are in a burst (see dpdkr-abi.h), then read
         * one more word: the generation of the lane request. */
        uint32_t gen;

        __atomic_store_n(&pi->ctrl->ack[DPDKR_RING_C2S].tx_busy,
                         ++pi->tx_busy, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        gen = dpdkr_load_acquire(&pi->ctrl->req[DPDKR_RING_C2S].generation);

        if (unlikely(gen != pi->txl.gen)) {
            dpdkr_tx_lane_update(pi, gen);
        }
        if (unlikely(pi->txl.direct)) {
            v = &pi->txl.lane.view;
            max_len = pi->txl.max_len;
        }
    }

    /* The copy: nt-copy=auto's tuner chose it after the previous burst. */
    nt = pi->tx_nt && (!pi->tx_auto || pi->tuner.nt);
    bytes0 = v->bytes;
    space = dpdkr_prod_space_min(v, n);
    k = RTE_MIN(space, (uint32_t) n);
    for (i = 0; i < k; i++) {
        const struct rte_mbuf *m = bufs[i];
        uint8_t *dst;

        if (unlikely(m->pkt_len > max_len)) {
            pi->tx_oversize++;
            drop_bytes += m->pkt_len;
            continue;
        }
        dst = dpdkr_prod_buf(v, j);
        if (nt && m->nb_segs == 1
            && dpdkr_copy_nt_fits(dst, m->pkt_len, v->buf_size)) {
            dpdkr_copy_nt(dst, rte_pktmbuf_mtod(m, const void *),
                          m->pkt_len);
            n_nt++;
        } else {
            dpdkr_copy_mbuf(dst, m);
        }
        dpdkr_prod_fill(v, j, m->pkt_len);
        large += m->pkt_len >= DPDKR_COPY_NT_MIN;
        j++;
    }
    if (n_nt) {
        dpdkr_copy_fence();
        pi->tx_nt_packets += n_nt;
    }
    dpdkr_prod_publish(v, j);
    if (unlikely(j < k)) {
        dpdkr_prod_drop(v, k - j);
        dpdkr_prod_drop_bytes(v, drop_bytes);
    }
    if (unlikely(v->bad_index != 0)) {
        dpdkr_complain(pi);
    }
    if (pi->args.server) {
        __atomic_store_n(&pi->tx_head_pub, v->idx, __ATOMIC_RELEASE);
    } else {
        __atomic_store_n(&pi->ctrl->ack[DPDKR_RING_C2S].tx_busy,
                         ++pi->tx_busy, __ATOMIC_RELEASE);
    }
    rte_pktmbuf_free_bulk(bufs, k);
    if (pi->tx_auto) {
        dpdkr_copy_tuner_burst(&pi->tuner, rte_rdtsc(), v->bytes - bytes0,
                               large);
    }
    return k;
}

static uint16_t
dpdkr_tx_burst(void *q, struct rte_mbuf **bufs, uint16_t n)
{
    struct pmd_internals *pi = q;
    uint32_t in;
    uint16_t sent = 0;

    if (unlikely(!pi->started || !n)) {
        return 0;
    }
    if (pi->args.server) {
        return dpdkr_tx_mapped(pi, bufs, n);
    }
    /* As dpdkr_rx_burst(). */
    in = pi->tx_in + 1;
    __atomic_store_n(&pi->tx_in, in, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (likely(!__atomic_load_n(&pi->paused, __ATOMIC_ACQUIRE))) {
        sent = dpdkr_tx_mapped(pi, bufs, n);
    }
    __atomic_store_n(&pi->tx_in, in + 1, __ATOMIC_RELEASE);
    return sent;
}

/* Returns true if an application has the port open: a client holds the
 * region's lock, or, for a client in a virtual machine, whose lock the
 * switch cannot see, advanced its heartbeat within the last
 * DPDKR_HEARTBEAT_TIMEOUT_MS (see dpdkr-abi.h).  Called from the switch's
 * threads (main and watchdog). */
static bool
dpdkr_client_present(struct pmd_internals *pi)
{
    struct dpdkr_liveness *l = &pi->live;
    uint64_t hb, now;
    bool alive;

    if (pi->probe_fd >= 0 && dpdkr_client_locked(pi->probe_fd)) {
        return true;
    }
    if (!pi->hdr
        || __atomic_load_n(&pi->hdr->client_state, __ATOMIC_ACQUIRE)
           == DPDKR_CLIENT_DETACHED) {
        /* A client that left says so; the link goes down with it, which
         * makes OVS read the port's status again. */
        return false;
    }
    hb = __atomic_load_n(&pi->hdr->client_heartbeat, __ATOMIC_RELAXED);
    now = rte_get_timer_cycles();
    rte_spinlock_lock(&l->lock);
    if (hb != l->seen) {
        l->seen = hb;
        l->tsc = now;
    }
    alive = (l->tsc
             && now - l->tsc < rte_get_timer_hz() / 1000
                               * DPDKR_HEARTBEAT_TIMEOUT_MS);
    rte_spinlock_unlock(&l->lock);
    return alive;
}

/* Region life cycle. */

/* Set by rte_pmd_dpdkr_keep_regions(): a server that closes its ports
 * leaves their regions to the switch that comes next. */
static bool dpdkr_keep_regions;

static void
dpdkr_unmap(struct pmd_internals *pi)
{
    dpdkr_lane_unmap(pi, true);
    dpdkr_lane_unmap(pi, false);
    dpdkr_lane_slot_clear(pi);
    pi->txl.direct = false;
    pi->rxl.busy = pi->rxl.reading_lane = false;
    if (pi->base) {
        /* 'hdr' is set only once the region is ours to serve or was
         * validated and attached to. */
        if (pi->hdr && pi->args.server && dpdkr_keep_regions) {
            /* Left serving: its application goes on and a restarted
             * switch adopts it (dpdkr_server_adopt()). */
            DPDKR_LOG(INFO, "%s: kept for the next switch\n",
                      pi->args.path);
        } else if (pi->hdr && pi->args.server) {
            __atomic_store_n(&pi->hdr->server_state, DPDKR_SERVER_CLOSED,
                             __ATOMIC_RELEASE);
            if (unlink(pi->args.path) && errno != ENOENT) {
                DPDKR_LOG(WARNING, "%s: cannot remove: %s\n", pi->args.path,
                          rte_strerror(errno));
            }
        } else if (pi->hdr) {
            __atomic_store_n(&pi->hdr->client_state, DPDKR_CLIENT_DETACHED,
                             __ATOMIC_RELEASE);
        }
        dpdkr_guard_remove(pi->guard);
        pi->guard = -1;
        munmap(pi->base, pi->size);
        pi->base = NULL;
        pi->hdr = NULL;
    }
    if (pi->fd >= 0) {
        close(pi->fd);          /* Releases a client's lock. */
        pi->fd = -1;
    }
    if (pi->probe_fd >= 0) {
        close(pi->probe_fd);
        pi->probe_fd = -1;
    }
}

/* Adoption.
 *
 * A switch that restarts (an upgrade, 'ovs-appctl exit', a crash, kill -9)
 * finds at the port's path the region that its predecessor served, with
 * the application still attached: the application's driver noticed
 * nothing, and while no switch ran it kept sending until its ring was
 * full.  dpdkr_server_adopt() takes such a region over as it is, so that
 * the application never re-attaches: same file, same epoch, packets on
 * the rings kept, the switch's own counters continued from the values it
 * last published in the rings, lane requests continued from their
 * generations.  Only a region that the port's options would create anew
 * (same geometry, owner and mode) and that is served, with an application
 * alive on it, is adopted; the new switch reads back its predecessor's
 * words like any other shared memory: once, bounded. */

/* Returns the log2 of 'n', a power of 2. */
static uint32_t
dpdkr_log2(uint32_t n)
{
    uint32_t log2 = 0;

    while ((UINT32_C(1) << log2) < n) {
        log2++;
    }
    return log2;
}

/* Takes over the region at the port's path, if it may.  Returns NULL if it
 * did, "" if there is no region there, or why it did not (for a log line),
 * with nothing mapped. */
static const char *
dpdkr_server_adopt(struct pmd_internals *pi)
{
    const struct dpdkr_args *a = &pi->args;
    struct dpdkr_geometry g, want;
    const char *why = NULL;
    struct dpdkr_ring *c2s, *s2c;
    uint32_t head, tail, gen;
    uint64_t align = 4096;
    struct statfs sfs;
    struct stat st;
    bool in_vm;
    int i;

    pi->fd = open(a->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (pi->fd < 0) {
        return errno == ENOENT ? "" : "cannot open it";
    }
    if (fstat(pi->fd, &st) || !S_ISREG(st.st_mode)) {
        why = "not a regular file";
        goto error;
    }
    if (st.st_uid != (a->owner >= 0 ? (uid_t) a->owner : geteuid())
        || (a->group >= 0 && st.st_gid != (gid_t) a->group)
        || (st.st_mode & 07777) != a->mode) {
        why = "its owner, group or mode differs from the port's options";
        goto error;
    }
    if (!fstatfs(pi->fd, &sfs) && sfs.f_type == HUGETLBFS_MAGIC
        && sfs.f_bsize > 0 && !(sfs.f_bsize & (sfs.f_bsize - 1))) {
        align = sfs.f_bsize;
    }
    if (!dpdkr_region_layout(dpdkr_log2(a->ring_size), a->buf_size, align,
                             &want)) {
        why = "bad geometry";
        goto error;
    }
    want.region_size = dpdkr_region_file_size(want.region_size, align);
    if ((uint64_t) st.st_size != want.region_size) {
        why = "its size differs from the port's geometry";
        goto error;
    }
    pi->size = st.st_size;
    pi->base = mmap(NULL, pi->size, PROT_READ | PROT_WRITE, MAP_SHARED,
                    pi->fd, 0);
    if (pi->base == MAP_FAILED) {
        pi->base = NULL;
        why = "cannot map it";
        goto error;
    }
    pi->guard = dpdkr_guard_add(pi->base, pi->size);
    if (pi->guard < 0) {
        why = "cannot guard it against truncation";
        goto error;
    }
    why = dpdkr_region_validate(pi->base, pi->size, &g);
    if (why) {
        goto error;
    }
    want.epoch = g.epoch;
    if (memcmp(&g, &want, sizeof g)
        || ((struct dpdkr_region_hdr *) pi->base)->flags) {
        why = "its geometry differs from the port's options";
        goto error;
    }
    pi->hdr = (struct dpdkr_region_hdr *) pi->base;
    if (__atomic_load_n(&pi->hdr->server_state, __ATOMIC_ACQUIRE)
        != DPDKR_SERVER_UP) {
        why = "no switch served it";
        goto error;
    }

    /* An application alive on it: holding the lock, or, in a virtual
     * machine (whose lock the host cannot see), started. */
    pi->probe_fd = open(a->path, O_RDONLY | O_CLOEXEC);
    in_vm = (__atomic_load_n(&pi->hdr->client_flags, __ATOMIC_RELAXED)
             & DPDKR_CLIENT_F_VM);
    if (!(pi->probe_fd >= 0 && dpdkr_client_locked(pi->probe_fd))
        && !(in_vm && __atomic_load_n(&pi->hdr->client_state,
                                      __ATOMIC_ACQUIRE)
                      == DPDKR_CLIENT_RUNNING)) {
        why = "no application is attached to it";
        goto error;
    }

    pi->geo = g;
    pi->ctrl = (struct dpdkr_ctrl *) (pi->base + g.ctrl_offset);
    dpdkr_ring_view_init(&pi->rx, pi->base, &g, DPDKR_RING_C2S, 0);
    dpdkr_ring_view_init(&pi->tx, pi->base, &g, DPDKR_RING_S2C, 0);
    c2s = pi->rx.ring;
    s2c = pi->tx.ring;

    /* Resume receiving where the switch before stopped, unless that is
     * not a place the application's ring can be (then skip to its head:
     * what lies between cannot be trusted to be packets). */
    head = dpdkr_load_acquire(&c2s->head);
    tail = dpdkr_load_acquire(&c2s->tail);
    if (head - tail > pi->rx.size) {
        DPDKR_LOG(WARNING, "%s: inconsistent ring to the switch (head %"
                  PRIu32", tail %"PRIu32"): resuming at its head\n",
                  a->path, head, tail);
        tail = head;
    }
    dpdkr_ring_view_set_idx(&pi->rx, tail);
    /* Until the switch has decided what becomes of the port's traffic (its
     * flows are back: rte_pmd_dpdkr_rx_hold()), what the application sends
     * waits on its ring. */
    pi->rx_limit = tail;
    pi->rx_hold = DPDKR_RX_HOLD_LIMIT;

    /* Resume sending after the last packet the switch before put on the
     * application's ring, within a ring of what it has read. */
    head = dpdkr_load_acquire(&s2c->head);
    tail = dpdkr_load_acquire(&s2c->tail);
    if (head - tail > pi->tx.size) {
        DPDKR_LOG(WARNING, "%s: inconsistent ring to the application "
                  "(head %"PRIu32", tail %"PRIu32"): resuming at its tail\n",
                  a->path, head, tail);
        head = tail;
        dpdkr_store_release(&s2c->head, head);
    }
    dpdkr_ring_view_set_idx(&pi->tx, head);
    __atomic_store_n(&pi->tx_head_pub, head, __ATOMIC_RELEASE);

    /* The switch's counters, as its predecessor last published them. */
    pi->rx.packets = __atomic_load_n(&c2s->cons_packets, __ATOMIC_RELAXED);
    pi->rx.bytes = __atomic_load_n(&c2s->cons_bytes, __ATOMIC_RELAXED);
    pi->tx.packets = __atomic_load_n(&s2c->prod_packets, __ATOMIC_RELAXED);
    pi->tx.bytes = __atomic_load_n(&s2c->prod_bytes, __ATOMIC_RELAXED);
    pi->tx.drops = __atomic_load_n(&s2c->prod_drops, __ATOMIC_RELAXED);
    if (pi->hdr->hdr_size >= sizeof *pi->hdr) {
        memcpy(&pi->adopted_totals, &pi->hdr->server_totals,
               sizeof pi->adopted_totals);
    } else {
        memset(&pi->hdr->server_totals, 0, sizeof pi->hdr->server_totals);
    }

    /* Lane requests go on from the last generation published; one that
     * was being written when the switch before stopped is finished by the
     * next request, whose generation is greater. */
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        gen = __atomic_load_n(&pi->ctrl->req[i].generation,
                              __ATOMIC_ACQUIRE);
        pi->generation[i] = (gen + 1) & ~UINT32_C(1);
    }

    DPDKR_LOG(INFO, "%s: adopted the region that switch pid %"PRIu32
              " served, with its application (pid %"PRIu32"%s) attached\n",
              a->path, pi->hdr->server_pid, pi->hdr->client_pid,
              in_vm ? ", in a virtual machine" : "");
    pi->hdr->server_pid = getpid();
    pi->adopted = true;
    return NULL;

error:
    pi->hdr = NULL;             /* So that dpdkr_unmap() leaves it as is. */
    dpdkr_unmap(pi);
    return why;
}

static int
dpdkr_server_create(struct pmd_internals *pi)
{
    const struct dpdkr_args *a = &pi->args;
    struct dpdkr_region_spec spec = {
        .path = a->path,
        .mode = a->mode,
        .owner = a->owner,
        .group = a->group,
        .ring_size = a->ring_size,
        .buf_size = a->buf_size,
    };
    struct dpdkr_region r;
    struct dpdkr_geometry g;
    const char *why;
    bool replaced;
    int err;

    why = dpdkr_server_adopt(pi);
    if (!why) {
        return 0;
    } else if (*why) {
        DPDKR_LOG(INFO, "%s: not adopting the region left there (%s): "
                  "creating it anew\n", a->path, why);
        pi->adopt_why = why;
    }
    why = dpdkr_region_create(&spec, &r, &replaced, &err);
    if (replaced) {
        DPDKR_LOG(INFO, "%s: replacing stale region\n", a->path);
    }
    if (why) {
        DPDKR_LOG(ERR, "%s: cannot %s region (ring-size %"PRIu32", "
                  "buf-size %"PRIu32"): %s\n", a->path, why, a->ring_size,
                  a->buf_size, rte_strerror(err));
        return -err;
    }
    pi->fd = r.fd;
    pi->base = r.base;
    pi->size = r.size;
    g = r.geo;
    pi->guard = dpdkr_guard_add(pi->base, pi->size);
    if (pi->guard < 0) {
        DPDKR_LOG(ERR, "%s: cannot guard the region against truncation\n",
                  a->path);
        goto error;
    }

    dpdkr_region_init(pi->base, &g, getpid(), 0);
    pi->hdr = (struct dpdkr_region_hdr *) pi->base;
    pi->ctrl = (struct dpdkr_ctrl *) (pi->base + g.ctrl_offset);
    pi->geo = g;
    dpdkr_ring_view_init(&pi->rx, pi->base, &g, DPDKR_RING_C2S, 0);
    dpdkr_ring_view_init(&pi->tx, pi->base, &g, DPDKR_RING_S2C, 0);

    pi->probe_fd = open(a->path, O_RDONLY | O_CLOEXEC);
    DPDKR_LOG(INFO, "%s: created region of %"PRIu64" bytes, %"PRIu32
              " descriptors per ring\n", a->path, pi->size, a->ring_size);
    return 0;

error:
    dpdkr_unmap(pi);
    unlink(a->path);
    return -ENOMEM;
}

static int
dpdkr_client_attach(struct pmd_internals *pi)
{
    const char *path = pi->args.path;
    const char *why;
    struct stat st;
    uint32_t state;
    int error;

    pi->fd = open(path, O_RDWR | O_CLOEXEC);
    if (pi->fd < 0) {
        DPDKR_LOG(ERR, "%s: cannot open region: %s\n", path,
                  rte_strerror(errno));
        return -errno;
    }
    error = dpdkr_client_lock(pi->fd);
    if (error) {
        DPDKR_LOG(ERR, "%s: %s\n", path, error == EAGAIN
                  ? "another application is attached to this port"
                  : rte_strerror(error));
        goto error;
    }
    if (fstat(pi->fd, &st) || st.st_size <= 0) {
        DPDKR_LOG(ERR, "%s: cannot stat region\n", path);
        goto error;
    }
    pi->region_dev = st.st_dev;
    pi->region_ino = st.st_ino;
    pi->size = st.st_size;
    pi->base = mmap(NULL, pi->size, PROT_READ | PROT_WRITE, MAP_SHARED,
                    pi->fd, 0);
    if (pi->base == MAP_FAILED) {
        pi->base = NULL;
        DPDKR_LOG(ERR, "%s: cannot map region: %s\n", path,
                  rte_strerror(errno));
        goto error;
    }
    pi->guard = dpdkr_guard_add(pi->base, pi->size);
    if (pi->guard < 0) {
        DPDKR_LOG(ERR, "%s: refusing region: cannot guard it against "
                  "truncation\n", path);
        goto error;
    }
    why = dpdkr_region_validate(pi->base, pi->size, &pi->geo);
    if (why) {
        DPDKR_LOG(ERR, "%s: refusing region: %s (this driver speaks dpdkr "
                  "ABI %d.%d)\n", path, why, DPDKR_VERSION_MAJOR,
                  DPDKR_VERSION_MINOR);
        goto error;
    }
    state = __atomic_load_n(
        &((struct dpdkr_region_hdr *) pi->base)->server_state,
        __ATOMIC_ACQUIRE);
    if (state != DPDKR_SERVER_UP) {
        DPDKR_LOG(ERR, "%s: the switch is not serving this region\n", path);
        goto error;
    }

    /* Resume from where a previous client of this port left its own
     * indexes; the peer's checks resynchronize if they are bad. */
    dpdkr_ring_view_init(&pi->rx, pi->base, &pi->geo, DPDKR_RING_S2C, 0);
    dpdkr_ring_view_init(&pi->tx, pi->base, &pi->geo, DPDKR_RING_C2S, 0);
    dpdkr_ring_view_set_idx(&pi->rx, dpdkr_load_acquire(&pi->rx.ring->tail));
    dpdkr_ring_view_set_idx(&pi->tx, dpdkr_load_acquire(&pi->tx.ring->head));
    pi->hdr = (struct dpdkr_region_hdr *) pi->base;
    pi->ctrl = (struct dpdkr_ctrl *) (pi->base + pi->geo.ctrl_offset);
    pi->hdr->client_pid = getpid();
    pi->hdr->client_attaches++;
    pi->hdr->client_flags = pi->args.pci[0] ? DPDKR_CLIENT_F_VM : 0;
    __atomic_store_n(&pi->hdr->client_state, DPDKR_CLIENT_ATTACHED,
                     __ATOMIC_RELEASE);
    DPDKR_LOG(INFO, "%s: attached (ABI %u.%u, %"PRIu32" descriptors)\n",
              path, pi->hdr->major, pi->hdr->minor, pi->rx.size);
    return 0;

error:
    dpdkr_unmap(pi);
    return -EINVAL;
}

/* Tells the switch that the client attached to the mapped region runs,
 * outside any burst (which clears the burst markers that a predecessor
 * that died inside one may have left). */
static void
dpdkr_client_run(struct pmd_internals *pi)
{
    __atomic_store_n(&pi->ctrl->ack[DPDKR_RING_C2S].tx_busy, pi->tx_busy,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&pi->ctrl->ack[DPDKR_RING_S2C].rx_busy, pi->rx_busy,
                     __ATOMIC_RELAXED);
    pi->heartbeat = __atomic_load_n(&pi->hdr->client_heartbeat,
                                    __ATOMIC_RELAXED) + 1;
    __atomic_store_n(&pi->hdr->client_heartbeat, pi->heartbeat,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&pi->hdr->client_state, DPDKR_CLIENT_RUNNING,
                     __ATOMIC_RELEASE);
}

/* Re-attachment (client). */

#define DPDKR_WATCH_US (DPDKR_HEARTBEAT_MS * 1000) /* How often
                                                   * dpdkr_watch() looks. */
#define DPDKR_QUIESCE_MS 100    /* How long it waits for a burst to end. */

/* Returns true if the switch no longer serves the mapped region: it closed
 * it, or the path names another file now, or there is no mapping. */
static bool
dpdkr_switch_left(struct pmd_internals *pi)
{
    struct stat st;

    if (!pi->base || dpdkr_guard_broken(pi->guard)
        || __atomic_load_n(&pi->hdr->server_state, __ATOMIC_ACQUIRE)
           != DPDKR_SERVER_UP) {
        return true;
    }
    if (pi->args.pci[0]) {
        /* The BAR stays the same file: a region re-created in place has a
         * new epoch (dpdkr_new_region_ready()). */
        return __atomic_load_n(&pi->hdr->epoch, __ATOMIC_RELAXED)
               != pi->geo.epoch;
    }
    return !stat(pi->args.path, &st)
           && (st.st_ino != pi->region_ino || st.st_dev != pi->region_dev);
}

/* Returns true if 'path' names a region, other than the mapped one, that
 * a switch serves.  Reads its header with pread(): nothing is mapped. */
static bool
dpdkr_new_region_ready(struct pmd_internals *pi)
{
    struct dpdkr_region_hdr h;
    struct stat st;
    uint64_t size;
    bool ready;
    int fd;

    if (pi->args.pci[0]) {
        /* A BAR cannot be read(), only mapped.  With pci=auto, the port's
         * region may come back as another device. */
        char addr[DPDKR_PCI_ADDR_SIZE];

        if (pi->args.pci_auto && dpdkr_pci_find(false, 0, 0, addr)) {
            return false;
        }
        return (!dpdkr_pci_peek(pi->args.pci_auto ? addr : pi->args.pci, &h,
                                &size)
                && h.magic == DPDKR_MAGIC
                && h.server_state == DPDKR_SERVER_UP
                && !(h.flags & DPDKR_REGION_F_LANE)
                && (!pi->base || dpdkr_guard_broken(pi->guard)
                    || h.epoch != pi->geo.epoch));
    }
    fd = open(pi->args.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return false;
    }
    ready = (!fstat(fd, &st)
             && (!pi->base || st.st_ino != pi->region_ino
                 || st.st_dev != pi->region_dev)
             && pread(fd, &h, sizeof h, 0) == (ssize_t) sizeof h
             && h.magic == DPDKR_MAGIC
             && h.server_state == DPDKR_SERVER_UP);
    close(fd);
    return ready;
}

/* Stops the bursts from touching the mapping: sets 'paused' and waits, for
 * at most DPDKR_QUIESCE_MS, until no burst that may not have seen it is
 * running.  Returns false (and unpauses) if one did not end in time. */
static bool
dpdkr_quiesce(struct pmd_internals *pi)
{
    uint64_t deadline = rte_get_timer_cycles()
                        + rte_get_timer_hz() * DPDKR_QUIESCE_MS / 1000;
    uint32_t rx, tx;

    __atomic_store_n(&pi->paused, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    rx = __atomic_load_n(&pi->rx_in, __ATOMIC_ACQUIRE);
    tx = __atomic_load_n(&pi->tx_in, __ATOMIC_ACQUIRE);
    /* An even count: outside, and the next burst sees 'paused'.  An odd
     * one: wait until it changes (that burst is over). */
    while (((rx & 1) && __atomic_load_n(&pi->rx_in, __ATOMIC_ACQUIRE) == rx)
           || ((tx & 1)
               && __atomic_load_n(&pi->tx_in, __ATOMIC_ACQUIRE) == tx)) {
        if (rte_get_timer_cycles() > deadline) {
            __atomic_store_n(&pi->paused, 0, __ATOMIC_RELEASE);
            return false;
        }
        rte_delay_us_sleep(100);
    }
    return true;
}

/* The switch left the region: attach to the one it re-created, if any,
 * keeping the port's counters. */
static void
dpdkr_reattach(struct pmd_internals *pi)
{
    if (!pi->reported_gone) {
        pi->reported_gone = true;
        DPDKR_LOG(WARNING, "%s: the switch left the region; the port is down "
                  "until it serves it again\n", pi->args.path);
    }
    if (!dpdkr_new_region_ready(pi) || !dpdkr_quiesce(pi)) {
        return;
    }

    /* No burst touches the mapping now. */
    pi->prev.rx_packets += pi->rx.packets;
    pi->prev.rx_bytes += pi->rx.bytes;
    pi->prev.rx_bad_desc += pi->rx.bad_desc;
    pi->prev.rx_bad_index += pi->rx.bad_index;
    pi->prev.tx_packets += pi->tx.packets;
    pi->prev.tx_bytes += pi->tx.bytes;
    pi->prev.tx_bad_index += pi->tx.bad_index;
    memset(&pi->rx, 0, sizeof pi->rx);
    memset(&pi->tx, 0, sizeof pi->tx);
    dpdkr_unmap(pi);            /* Also forgets the lanes. */
    pi->txl.gen = pi->rxl.gen = 0;
    pi->rxl.to_old = pi->rxl.draining = pi->rxl.direct = false;
    if ((pi->args.pci_auto && dpdkr_pci_resolve(&pi->args, pi->args.path))
        || dpdkr_client_attach(pi)) {
        /* Stays paused, with nothing mapped; tried again later. */
        return;
    }
    dpdkr_client_run(pi);
    pi->reported_gone = false;
    pi->reported_broken = false;
    DPDKR_LOG(NOTICE, "%s: re-attached to the region the switch "
              "re-created\n", pi->args.path);
    __atomic_store_n(&pi->paused, 0, __ATOMIC_RELEASE);
}

/* EAL alarm, every DPDKR_WATCH_US while a client port is started. */
static void
dpdkr_watch(void *pi_)
{
    struct pmd_internals *pi = pi_;
    int i;

    if (dpdkr_switch_left(pi)) {
        dpdkr_reattach(pi);
    } else {
        __atomic_store_n(&pi->hdr->client_heartbeat, ++pi->heartbeat,
                         __ATOMIC_RELEASE);
        for (i = 0; pi->args.pci[0] && i < DPDKR_N_RINGS; i++) {
            dpdkr_lane_slot_watch(pi, i);
        }
    }
    if (rte_eal_alarm_set(DPDKR_WATCH_US, dpdkr_watch, pi)) {
        pi->watching = false;
        DPDKR_LOG(ERR, "%s: cannot watch the region any more\n",
                  pi->args.path);
    }
}

static void
dpdkr_watch_start(struct pmd_internals *pi)
{
    if (!pi->args.server && !pi->watching) {
        pi->watching = !rte_eal_alarm_set(DPDKR_WATCH_US, dpdkr_watch, pi);
    }
}

static void
dpdkr_watch_stop(struct pmd_internals *pi)
{
    if (pi->watching) {
        /* Waits for a running dpdkr_watch() to end. */
        rte_eal_alarm_cancel(dpdkr_watch, pi);
        pi->watching = false;
    }
}

/* ethdev operations. */

static int
dpdkr_dev_configure(struct rte_eth_dev *dev __rte_unused)
{
    return 0;
}

static int
dpdkr_dev_start(struct rte_eth_dev *dev)
{
    struct pmd_internals *pi = dev->data->dev_private;

    if (!pi->base || !pi->mb_pool) {
        return -EIO;
    }
    /* Like a NIC, receive no frame longer than the MTU allows; longer ones
     * are dropped and counted with the invalid descriptors. */
    pi->max_rx_len = (uint32_t) dev->data->mtu + RTE_ETHER_HDR_LEN
                     + RTE_ETHER_CRC_LEN;
    pi->max_rx_len = RTE_MIN(pi->max_rx_len, pi->args.buf_size);
    pi->max_rx_len = RTE_MIN(pi->max_rx_len, pi->mbuf_room);
    if (!pi->args.server) {
        dpdkr_client_run(pi);
    }
    pi->started = true;
    dpdkr_watch_start(pi);
    dev->data->dev_link.link_status = RTE_ETH_LINK_UP;
    dev->data->rx_queue_state[0] = RTE_ETH_QUEUE_STATE_STARTED;
    dev->data->tx_queue_state[0] = RTE_ETH_QUEUE_STATE_STARTED;
    return 0;
}

static int
dpdkr_dev_stop(struct rte_eth_dev *dev)
{
    struct pmd_internals *pi = dev->data->dev_private;

    dpdkr_watch_stop(pi);
    pi->started = false;
    if (pi->base && !pi->args.server) {
        __atomic_store_n(&pi->hdr->client_state, DPDKR_CLIENT_ATTACHED,
                         __ATOMIC_RELEASE);
    }
    dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
    dev->data->rx_queue_state[0] = RTE_ETH_QUEUE_STATE_STOPPED;
    dev->data->tx_queue_state[0] = RTE_ETH_QUEUE_STATE_STOPPED;
    return 0;
}

static int
dpdkr_dev_close(struct rte_eth_dev *dev)
{
    struct pmd_internals *pi = dev->data->dev_private;

    if (rte_eal_process_type() != RTE_PROC_PRIMARY || !pi) {
        return 0;
    }
    dpdkr_watch_stop(pi);
    pi->started = false;
    dpdkr_unmap(pi);
    /* mac_addrs points into 'pi'; ethdev must not free it. */
    dev->data->mac_addrs = NULL;
    return 0;
}

static int
dpdkr_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
    struct pmd_internals *pi = dev->data->dev_private;

    info->max_mac_addrs = 1;
    info->max_rx_pktlen = pi->args.buf_size;
    info->max_rx_queues = 1;
    info->max_tx_queues = 1;
    info->min_rx_bufsize = 0;
    info->min_mtu = RTE_ETHER_MIN_MTU;
    info->max_mtu = pi->args.buf_size - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
    info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
    info->rx_desc_lim.nb_max = UINT16_MAX;
    info->tx_desc_lim.nb_max = UINT16_MAX;
    return 0;
}

static int
dpdkr_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
                     uint16_t nb_desc __rte_unused,
                     unsigned int socket_id __rte_unused,
                     const struct rte_eth_rxconf *conf __rte_unused,
                     struct rte_mempool *mb_pool)
{
    struct pmd_internals *pi = dev->data->dev_private;
    uint32_t room = rte_pktmbuf_data_room_size(mb_pool);

    if (qid != 0 || room <= RTE_PKTMBUF_HEADROOM) {
        return -EINVAL;
    }
    pi->mb_pool = mb_pool;
    pi->mbuf_room = room - RTE_PKTMBUF_HEADROOM;
    dev->data->rx_queues[qid] = pi;
    return 0;
}

static int
dpdkr_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
                     uint16_t nb_desc __rte_unused,
                     unsigned int socket_id __rte_unused,
                     const struct rte_eth_txconf *conf __rte_unused)
{
    if (qid != 0) {
        return -EINVAL;
    }
    dev->data->tx_queues[qid] = dev->data->dev_private;
    return 0;
}

static void
dpdkr_queue_release(struct rte_eth_dev *dev __rte_unused,
                    uint16_t qid __rte_unused)
{
}

static int
dpdkr_link_update(struct rte_eth_dev *dev,
                  int wait_to_complete __rte_unused)
{
    struct pmd_internals *pi = dev->data->dev_private;
    struct rte_eth_link link = {
        .link_speed = RTE_ETH_SPEED_NUM_10G,
        .link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
        .link_autoneg = RTE_ETH_LINK_FIXED,
    };
    bool up = false;

    if (dpdkr_guard_broken(pi->guard)) {
        if (!pi->reported_broken) {
            pi->reported_broken = true;
            DPDKR_LOG(ERR, "%s: the peer truncated the region; the port is "
                      "down until it is re-created\n", pi->args.path);
        }
    } else if (pi->started && pi->base) {
        if (pi->args.server) {
            up = dpdkr_client_present(pi)
                 && __atomic_load_n(&pi->hdr->client_state, __ATOMIC_RELAXED)
                    == DPDKR_CLIENT_RUNNING;
        } else {
            up = __atomic_load_n(&pi->hdr->server_state, __ATOMIC_RELAXED)
                 == DPDKR_SERVER_UP;
        }
    }
    link.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
    return rte_eth_linkstatus_set(dev, &link);
}

static int
dpdkr_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats)
{
    struct pmd_internals *pi = dev->data->dev_private;

    stats->ipackets = pi->prev.rx_packets + pi->rx.packets
                      + pi->lane_rx_packets + pi->rxl.lane.view.packets;
    stats->ibytes = pi->prev.rx_bytes + pi->rx.bytes + pi->lane_rx_bytes
                    + pi->rxl.lane.view.bytes;
    stats->ierrors = (pi->prev.rx_bad_desc + pi->prev.rx_bad_index
                      + pi->rx.bad_desc + pi->rx.bad_index);
    stats->rx_nombuf = pi->rx_nombuf;
    stats->opackets = pi->prev.tx_packets + pi->tx.packets
                      + pi->lane_tx_packets + pi->txl.lane.view.packets;
    stats->obytes = pi->prev.tx_bytes + pi->tx.bytes + pi->lane_tx_bytes
                    + pi->txl.lane.view.bytes;
    stats->oerrors = pi->tx_oversize;
    stats->q_ipackets[0] = stats->ipackets;
    stats->q_ibytes[0] = stats->ibytes;
    stats->q_opackets[0] = stats->opackets;
    stats->q_obytes[0] = stats->obytes;
    return 0;
}

static int
dpdkr_stats_reset(struct rte_eth_dev *dev)
{
    struct pmd_internals *pi = dev->data->dev_private;

    pi->rx.packets = pi->rx.bytes = pi->rx.bad_desc = pi->rx.bad_index = 0;
    pi->tx.packets = pi->tx.bytes = pi->tx.drops = pi->tx.bad_index = 0;
    pi->rx_nombuf = pi->tx_oversize = pi->tx_nt_packets = 0;
    pi->tuner.n_trials = pi->tuner.n_trials_nt = 0;
    memset(&pi->prev, 0, sizeof pi->prev);
    pi->lane_rx_packets = pi->lane_rx_bytes = 0;
    pi->lane_tx_packets = pi->lane_tx_bytes = 0;
    pi->rxl.lane.view.packets = pi->rxl.lane.view.bytes = 0;
    pi->txl.lane.view.packets = pi->txl.lane.view.bytes = 0;
    pi->complained_errors = 0;
    return 0;
}

static int
dpdkr_xstats_get_names(struct rte_eth_dev *dev __rte_unused,
                       struct rte_eth_xstat_name *names, unsigned int size)
{
    unsigned int i;

    if (names && size >= DPDKR_N_XSTATS) {
        for (i = 0; i < DPDKR_N_XSTATS; i++) {
            strlcpy(names[i].name, dpdkr_xstat_names[i],
                    sizeof names[i].name);
        }
    }
    return DPDKR_N_XSTATS;
}

static int
dpdkr_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats,
                 unsigned int n)
{
    struct pmd_internals *pi = dev->data->dev_private;
    uint64_t values[DPDKR_N_XSTATS] = {
        [DPDKR_XSTAT_RX_BAD_DESC] = pi->prev.rx_bad_desc + pi->rx.bad_desc,
        [DPDKR_XSTAT_RX_BAD_INDEX] = (pi->prev.rx_bad_index
                                      + pi->rx.bad_index),
        [DPDKR_XSTAT_TX_BAD_INDEX] = (pi->prev.tx_bad_index
                                      + pi->tx.bad_index),
        [DPDKR_XSTAT_TX_OVERSIZE] = pi->tx_oversize,
        [DPDKR_XSTAT_TX_NT_PACKETS] = pi->tx_nt_packets,
        [DPDKR_XSTAT_TX_COPY_TRIALS] = pi->tuner.n_trials,
        [DPDKR_XSTAT_TX_COPY_TRIALS_NT] = pi->tuner.n_trials_nt,
    };
    unsigned int i;

    if (xstats && n >= DPDKR_N_XSTATS) {
        for (i = 0; i < DPDKR_N_XSTATS; i++) {
            xstats[i].id = i;
            xstats[i].value = values[i];
        }
    }
    return DPDKR_N_XSTATS;
}

static int
dpdkr_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
    struct pmd_internals *pi = dev->data->dev_private;

    if ((uint32_t) mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN
        > pi->args.buf_size) {
        return -EINVAL;
    }
    return 0;
}

static int
dpdkr_noop(struct rte_eth_dev *dev __rte_unused)
{
    return 0;
}

static int
dpdkr_mac_addr_set(struct rte_eth_dev *dev __rte_unused,
                   struct rte_ether_addr *addr __rte_unused)
{
    return 0;
}

static const struct eth_dev_ops dpdkr_ops = {
    .dev_configure = dpdkr_dev_configure,
    .dev_start = dpdkr_dev_start,
    .dev_stop = dpdkr_dev_stop,
    .dev_close = dpdkr_dev_close,
    .dev_infos_get = dpdkr_dev_infos_get,
    .rx_queue_setup = dpdkr_rx_queue_setup,
    .tx_queue_setup = dpdkr_tx_queue_setup,
    .rx_queue_release = dpdkr_queue_release,
    .tx_queue_release = dpdkr_queue_release,
    .link_update = dpdkr_link_update,
    .stats_get = dpdkr_stats_get,
    .stats_reset = dpdkr_stats_reset,
    .xstats_get = dpdkr_xstats_get,
    .xstats_get_names = dpdkr_xstats_get_names,
    .xstats_reset = dpdkr_stats_reset,
    .mtu_set = dpdkr_mtu_set,
    .promiscuous_enable = dpdkr_noop,
    .promiscuous_disable = dpdkr_noop,
    .allmulticast_enable = dpdkr_noop,
    .allmulticast_disable = dpdkr_noop,
    .mac_addr_set = dpdkr_mac_addr_set,
};

/* Probing. */

static int
dpdkr_parse_arg(const char *key, const char *value, void *args_)
{
    struct dpdkr_args *a = args_;
    char *end;
    long long v;

    if (!strcmp(key, DPDKR_ARG_PATH)) {
        if (strlen(value) >= sizeof a->path || value[0] != '/') {
            DPDKR_LOG(ERR, "path must be absolute and shorter than %zu\n",
                      sizeof a->path);
            return -EINVAL;
        }
        snprintf(a->path, sizeof a->path, "%s", value);
        return 0;
    }
    if (!strcmp(key, DPDKR_ARG_PCI)) {
        unsigned int dom = 0, bus, dev, fn;
        int len = 0;
        bool ok;

        if (!strcmp(value, "auto")) {
            a->pci_auto = true;
            snprintf(a->pci, sizeof a->pci, "auto");
            return 0;
        }
        ok = (sscanf(value, "%x:%x:%x.%x%n", &dom, &bus, &dev, &fn, &len) == 4
              && !value[len]);
        if (!ok) {
            /* BUS:DEVICE.FUNCTION, in domain 0. */
            dom = len = 0;
            ok = (sscanf(value, "%x:%x.%x%n", &bus, &dev, &fn, &len) == 3
                  && !value[len]);
        }
        if (!ok || dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7) {
            DPDKR_LOG(ERR, "pci must be a PCI address (DOMAIN:BUS:DEVICE."
                      "FUNCTION, e.g. 0000:00:05.0) or auto\n");
            return -EINVAL;
        }
        a->pci_auto = false;
        snprintf(a->pci, sizeof a->pci, "%04x:%02x:%02x.%x", dom, bus, dev,
                 fn);
        return 0;
    }
    if (!strcmp(key, DPDKR_ARG_NT_COPY)) {
        if (!strcmp(value, "auto")) {
            a->nt_copy = DPDKR_NT_COPY_AUTO;
        } else if (!strcmp(value, "yes")) {
            a->nt_copy = DPDKR_NT_COPY_YES;
        } else if (!strcmp(value, "no")) {
            a->nt_copy = DPDKR_NT_COPY_NO;
        } else {
            DPDKR_LOG(ERR, "nt-copy must be auto, yes or no\n");
            return -EINVAL;
        }
        return 0;
    }
    if (!strcmp(key, DPDKR_ARG_ROLE)) {
        if (!strcmp(value, "server")) {
            a->server = true;
        } else if (!strcmp(value, "client")) {
            a->server = false;
        } else {
            DPDKR_LOG(ERR, "role must be server or client\n");
            return -EINVAL;
        }
        return 0;
    }

    errno = 0;
    v = strtoll(value, &end, strcmp(key, DPDKR_ARG_MODE) ? 10 : 8);
    if (errno || *end || end == value) {
        DPDKR_LOG(ERR, "%s=%s: not a number\n", key, value);
        return -EINVAL;
    }
    if (!strcmp(key, DPDKR_ARG_RING_SIZE)) {
        if (v < (1 << DPDKR_LOG2_RING_MIN) || v > (1 << DPDKR_LOG2_RING_MAX)
            || (v & (v - 1))) {
            DPDKR_LOG(ERR, "ring-size must be a power of 2 from %d to %d\n",
                      1 << DPDKR_LOG2_RING_MIN, 1 << DPDKR_LOG2_RING_MAX);
            return -EINVAL;
        }
        a->ring_size = v;
    } else if (!strcmp(key, DPDKR_ARG_BUF_SIZE)) {
        if (v < DPDKR_BUF_SIZE_MIN || v > DPDKR_BUF_SIZE_MAX || v % 64) {
            DPDKR_LOG(ERR, "buf-size must be a multiple of 64 from %d to "
                      "%d\n", DPDKR_BUF_SIZE_MIN, DPDKR_BUF_SIZE_MAX);
            return -EINVAL;
        }
        a->buf_size = v;
    } else if (!strcmp(key, DPDKR_ARG_MODE)) {
        if (v < 0 || v > 0777) {
            DPDKR_LOG(ERR, "mode must be octal, at most 0777\n");
            return -EINVAL;
        }
        a->mode = v;
    } else if (!strcmp(key, DPDKR_ARG_OWNER)) {
        a->owner = v;
    } else if (!strcmp(key, DPDKR_ARG_GROUP)) {
        a->group = v;
    }
    return 0;
}

static int
rte_pmd_dpdkr_probe(struct rte_vdev_device *vdev)
{
    const char *name = rte_vdev_device_name(vdev);
    struct rte_kvargs *kvlist = NULL;
    struct pmd_internals *pi;
    struct rte_eth_dev *dev;
    struct dpdkr_args args = {
        .ring_size = DPDKR_DEFAULT_RING_SIZE,
        .buf_size = DPDKR_DEFAULT_BUF_SIZE,
        .mode = 0600,
        .owner = -1,
        .group = -1,
    };
    int ret;

    if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
        DPDKR_LOG(ERR, "%s: secondary processes are not supported\n", name);
        return -ENOTSUP;
    }

    if (rte_vdev_device_args(vdev)) {
        kvlist = rte_kvargs_parse(rte_vdev_device_args(vdev),
                                  dpdkr_valid_args);
        if (!kvlist) {
            DPDKR_LOG(ERR, "%s: invalid arguments \"%s\"\n", name,
                      rte_vdev_device_args(vdev));
            return -EINVAL;
        }
        ret = rte_kvargs_process(kvlist, NULL, dpdkr_parse_arg, &args);
        rte_kvargs_free(kvlist);
        if (ret) {
            return -EINVAL;
        }
    }
    if (args.pci[0] && (args.path[0] || args.server)) {
        DPDKR_LOG(ERR, "%s: pci=ADDRESS is for clients in virtual machines: "
                  "give no path and no role\n", name);
        return -EINVAL;
    }
    if (args.pci[0] && dpdkr_pci_resolve(&args, name)) {
        return -ENODEV;
    }
    if (!args.path[0]) {
        DPDKR_LOG(ERR, "%s: missing path=REGION (or pci=ADDRESS in a "
                  "virtual machine)\n", name);
        return -EINVAL;
    }

    dev = rte_eth_vdev_allocate(vdev, sizeof *pi);
    if (!dev) {
        return -ENOMEM;
    }
    pi = dev->data->dev_private;
    pi->args = args;
    pi->port_id = dev->data->port_id;
    /* The switch's side (role=server) copies as it always has. */
    pi->tx_nt = (!args.server && args.nt_copy != DPDKR_NT_COPY_NO
                 && dpdkr_copy_nt_supported());
    pi->tx_auto = pi->tx_nt && args.nt_copy == DPDKR_NT_COPY_AUTO;
    if (pi->tx_auto) {
        dpdkr_copy_tuner_init(&pi->tuner, rte_get_tsc_hz(), rte_rdtsc());
    }
    if (args.nt_copy == DPDKR_NT_COPY_YES && !pi->tx_nt && !args.server) {
        DPDKR_LOG(WARNING, "%s: nt-copy=yes needs AVX2, which this CPU "
                  "lacks: copying as with nt-copy=no\n", name);
    }
    pi->fd = -1;
    pi->probe_fd = -1;
    pi->guard = -1;
    pi->txl.lane.guard = -1;
    pi->rxl.lane.guard = -1;
    pi->slot[0].guard = pi->slot[1].guard = -1;
    rte_spinlock_init(&pi->live.lock);

    ret = args.server ? dpdkr_server_create(pi) : dpdkr_client_attach(pi);
    if (ret) {
        rte_eth_dev_release_port(dev);
        return ret;
    }

    rte_eth_random_addr(pi->mac.addr_bytes);
    dev->data->mac_addrs = &pi->mac;
    dev->data->nb_rx_queues = 1;
    dev->data->nb_tx_queues = 1;
    dev->data->dev_link.link_speed = RTE_ETH_SPEED_NUM_10G;
    dev->data->dev_link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
    if (!args.server) {
        /* Not in OVS: a lane's packets are added to the port's statistics
         * there, and per-queue counters would show that they bypassed. */
        dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
    }
    dev->dev_ops = &dpdkr_ops;
    dev->rx_pkt_burst = dpdkr_rx_burst;
    dev->tx_pkt_burst = dpdkr_tx_burst;
    rte_eth_dev_probing_finish(dev);
    return 0;
}

static int
rte_pmd_dpdkr_remove(struct rte_vdev_device *vdev)
{
    struct rte_eth_dev *dev;

    dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
    if (!dev) {
        return 0;
    }
    dpdkr_dev_close(dev);
    rte_eth_dev_release_port(dev);
    return 0;
}

/* The switch's control of a server port (see rte_pmd_dpdkr.h). */

static struct pmd_internals *
dpdkr_server_port(uint16_t port_id)
{
    struct rte_eth_dev *dev;
    struct pmd_internals *pi;

    if (!rte_eth_dev_is_valid_port(port_id)) {
        return NULL;
    }
    dev = &rte_eth_devices[port_id];
    if (dev->dev_ops != &dpdkr_ops) {
        return NULL;
    }
    pi = dev->data->dev_private;
    return pi && pi->args.server && pi->ctrl ? pi : NULL;
}

int
rte_pmd_dpdkr_lane_request(uint16_t port_id, int ring,
                           const struct dpdkr_lane_req *req,
                           const char *lane_path,
                           const struct dpdkr_geometry *lane_geo,
                           uint32_t *generation)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi || ring < 0 || ring >= DPDKR_N_RINGS) {
        return -ENODEV;
    }
    if (!lane_path != !lane_geo) {
        return -EINVAL;
    }
    if (lane_path && strlen(lane_path) >= DPDKR_LANE_PATH_SIZE) {
        return -ENAMETOOLONG;
    }
    /* Even generations, from 2 (0 means "no request yet"); the odd one in
     * between marks the request being written (dpdkr-ring.h). */
    pi->generation[ring] += 2;
    if (!pi->generation[ring]) {
        pi->generation[ring] = 2;
    }
    dpdkr_lane_req_publish_lane(pi->ctrl, ring, req, pi->generation[ring],
                                lane_path, lane_geo);
    *generation = pi->generation[ring];
    return 0;
}

int
rte_pmd_dpdkr_lane_ack(uint16_t port_id, int ring,
                       struct dpdkr_lane_ack *ack)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi || ring < 0 || ring >= DPDKR_N_RINGS) {
        return -ENODEV;
    }
    return dpdkr_lane_ack_read(&pi->ctrl->ack[ring], ack) ? 0 : -EAGAIN;
}

int
rte_pmd_dpdkr_guard(void *base, uint64_t size)
{
    return dpdkr_guard_add(base, size);
}

void
rte_pmd_dpdkr_unguard(int slot)
{
    dpdkr_guard_remove(slot);
}

int
rte_pmd_dpdkr_busy(uint16_t port_id, int ring, uint32_t *busy)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);
    const struct dpdkr_lane_ack *ack;

    if (!pi || (ring != DPDKR_RING_C2S && ring != DPDKR_RING_S2C)) {
        return pi ? -EINVAL : -ENODEV;
    }
    ack = &pi->ctrl->ack[ring];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *busy = __atomic_load_n(ring == DPDKR_RING_C2S ? &ack->tx_busy
                                                   : &ack->rx_busy,
                            __ATOMIC_ACQUIRE);
    return 0;
}

int
rte_pmd_dpdkr_notify_rx(uint16_t port_id, void (*cb)(void *), void *aux)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi) {
        return -ENODEV;
    }
    __atomic_store_n(&pi->rx_notify_aux, aux, __ATOMIC_RELEASE);
    __atomic_store_n(&pi->rx_notify, cb, __ATOMIC_RELEASE);
    return 0;
}

int
rte_pmd_dpdkr_rx_hold(uint16_t port_id, bool hold, uint32_t limit)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);
    uint32_t old;

    if (!pi) {
        return -ENODEV;
    }
    old = __atomic_load_n(&pi->rx_hold, __ATOMIC_ACQUIRE);
    if (old & DPDKR_RX_HOLD_STOP) {
        return 0;
    }
    __atomic_store_n(&pi->rx_at_limit, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pi->rx_limit, limit, __ATOMIC_RELEASE);
    /* Unless rte_pmd_dpdkr_rx_stop() came meanwhile (from another thread,
     * as ovs-vswitchd dies of a signal): stopped is for good. */
    while (!(old & DPDKR_RX_HOLD_STOP)
           && !__atomic_compare_exchange_n(&pi->rx_hold, &old,
                                           hold ? DPDKR_RX_HOLD_LIMIT : 0,
                                           false, __ATOMIC_RELEASE,
                                           __ATOMIC_ACQUIRE)) {
        continue;
    }
    return 0;
}

int
rte_pmd_dpdkr_rx_stop(uint16_t port_id)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi) {
        return -ENODEV;
    }
    /* A port that is not started receives nothing: it is there. */
    __atomic_store_n(&pi->rx_at_limit, !pi->started, __ATOMIC_RELAXED);
    __atomic_fetch_or(&pi->rx_hold, DPDKR_RX_HOLD_STOP, __ATOMIC_SEQ_CST);
    return 0;
}

int
rte_pmd_dpdkr_rx_state(uint16_t port_id, uint32_t *idx, bool *at_limit)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi) {
        return -ENODEV;
    }
    *at_limit = __atomic_load_n(&pi->rx_at_limit, __ATOMIC_ACQUIRE);
    *idx = __atomic_load_n(&pi->rx.idx, __ATOMIC_RELAXED);
    return 0;
}

int
rte_pmd_dpdkr_rx_head(uint16_t port_id, uint32_t *head)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);
    uint32_t h, idx;

    if (!pi) {
        return -ENODEV;
    }
    h = dpdkr_load_acquire(&pi->rx.ring->head);
    idx = __atomic_load_n(&pi->rx.idx, __ATOMIC_RELAXED);
    if (h - idx > pi->rx.size) {
        return -EPROTO;
    }
    *head = h;
    return 0;
}

int
rte_pmd_dpdkr_tx_head(uint16_t port_id, uint32_t *head)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi) {
        return -ENODEV;
    }
    *head = __atomic_load_n(&pi->tx_head_pub, __ATOMIC_ACQUIRE);
    return 0;
}

int
rte_pmd_dpdkr_client_running(uint16_t port_id, bool *running)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi) {
        return -ENODEV;
    }
    *running = (dpdkr_client_present(pi)
                && __atomic_load_n(&pi->hdr->client_state, __ATOMIC_RELAXED)
                   == DPDKR_CLIENT_RUNNING);
    return 0;
}

int
rte_pmd_dpdkr_client_in_vm(uint16_t port_id, bool *in_vm)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi) {
        return -ENODEV;
    }
    *in_vm = (__atomic_load_n(&pi->hdr->client_flags, __ATOMIC_RELAXED)
              & DPDKR_CLIENT_F_VM) != 0;
    return 0;
}

int
rte_pmd_dpdkr_client_attached(uint16_t port_id, bool *attached)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi) {
        return -ENODEV;
    }
    *attached = dpdkr_client_present(pi);
    return 0;
}

int
rte_pmd_dpdkr_geometry(uint16_t port_id, uint32_t *ring_size,
                       uint32_t *buf_size)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi) {
        return -ENODEV;
    }
    *ring_size = pi->args.ring_size;
    *buf_size = pi->args.buf_size;
    return 0;
}

void
rte_pmd_dpdkr_keep_regions(bool keep)
{
    dpdkr_keep_regions = keep;
}

int
rte_pmd_dpdkr_adopted(uint16_t port_id, bool *adopted,
                      struct dpdkr_server_totals *totals, const char **why)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);

    if (!pi) {
        return -ENODEV;
    }
    *adopted = pi->adopted;
    *why = pi->adopt_why;
    if (totals) {
        *totals = pi->adopted_totals;
    }
    return 0;
}

int
rte_pmd_dpdkr_publish_totals(uint16_t port_id,
                             const struct dpdkr_server_totals *totals)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);
    volatile struct dpdkr_server_totals *t;

    if (!pi) {
        return -ENODEV;
    }
    t = &pi->hdr->server_totals;
    t->lane_rx_packets = totals->lane_rx_packets;
    t->lane_rx_bytes = totals->lane_rx_bytes;
    t->lane_tx_packets = totals->lane_tx_packets;
    t->lane_tx_bytes = totals->lane_tx_bytes;
    t->lane_tx_dropped = totals->lane_tx_dropped;
    t->switch_rx_dropped = totals->switch_rx_dropped;
    t->switch_tx_dropped = totals->switch_tx_dropped;
    t->mark_epoch = totals->mark_epoch;
    t->mark_packets = totals->mark_packets;
    t->mark_bytes = totals->mark_bytes;
    t->mark_drops = totals->mark_drops;
    t->mark_drop_bytes = totals->mark_drop_bytes;
    return 0;
}

int
rte_pmd_dpdkr_lane_current(uint16_t port_id, int ring,
                           struct dpdkr_lane_req *req, char *lane_path,
                           struct dpdkr_geometry *lane_geo)
{
    struct pmd_internals *pi = dpdkr_server_port(port_id);
    char path[DPDKR_LANE_PATH_SIZE];

    if (!pi || ring < 0 || ring >= DPDKR_N_RINGS) {
        return -ENODEV;
    }
    if (!dpdkr_lane_req_read_lane(pi->ctrl, ring,
                                  dpdkr_load_acquire(
                                      &pi->ctrl->req[ring].generation),
                                  req, path, lane_geo)) {
        return -EAGAIN;
    }
    memcpy(lane_path, path, DPDKR_LANE_PATH_SIZE);
    return 0;
}

/* Lets a program that links this driver statically make sure that the
 * linker keeps it (its registration runs from a constructor). */
int rte_pmd_dpdkr_linked(void);
int
rte_pmd_dpdkr_linked(void)
{
    return 1;
}

static struct rte_vdev_driver pmd_dpdkr_drv = {
    .probe = rte_pmd_dpdkr_probe,
    .remove = rte_pmd_dpdkr_remove,
};

RTE_PMD_REGISTER_VDEV(net_dpdkr, pmd_dpdkr_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_dpdkr,
    "path=<absolute path of the region> "
    "pci=<PCI address of the ivshmem device|auto, in a VM> "
    "role=<server|client> "
    "nt-copy=<yes|no> "
    "ring-size=<power of 2, server only> "
    "buf-size=<bytes, server only> "
    "mode=<octal, server only> "
    "owner=<uid, server only> "
    "group=<gid, server only>");
