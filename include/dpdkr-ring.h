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

#ifndef DPDKR_RING_H
#define DPDKR_RING_H 1

/* The dpdkr ring algorithms, free of DPDK and OVS types, shared by the
 * net_dpdkr poll-mode driver (in both roles), the tests and the fuzz
 * targets, so that what the fuzzer and the hostile-peer tests exercise is
 * exactly what runs.
 *
 * Everything read from shared memory goes through the functions here, and
 * each of them reads a peer-written word once, into a local, and bounds it
 * before use (see the rules in dpdkr-abi.h). */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DPDKR_HAVE_COPY_NT 1
#endif
#include "dpdkr-abi.h"

/* Linux's open-file-description locks, whose names <fcntl.h> only gives
 * with _GNU_SOURCE. */
#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#endif

/* A side's private, validated view of one ring.  Only 'ring' and 'buf'
 * point into shared memory. */
struct dpdkr_ring_view {
    struct dpdkr_ring *ring;    /* Shared: indexes, counters, descriptors. */
    uint8_t *buf;               /* Shared: the ring's buffer area. */
    uint64_t buf_area_size;     /* Private copy of the validated size. */
    uint32_t size;              /* Descriptors (a power of 2). */
    uint32_t mask;              /* size - 1. */
    uint32_t buf_size;          /* Bytes per buffer slot. */

    /* The truth, kept privately: the producer's head or consumer's tail. */
    uint32_t idx;

    /* The peer's index as last read and validated (the consumer's tail for
     * a producer, the producer's head for a consumer), if 'peer_valid'.
     * dpdkr_prod_space_min() and dpdkr_cons_avail_min() work from it and
     * read the peer's word again only when it does not promise enough: the
     * peer's cache line then moves between the cores once every few bursts
     * instead of at every burst. */
    uint32_t peer;
    bool peer_valid;

    /* Private counters of this side. */
    uint64_t packets;
    uint64_t bytes;
    uint64_t drops;             /* Producer: ring full, too big, peer gone. */
    uint64_t drop_bytes;        /* Producer: bytes of packets too big. */
    uint64_t bad_desc;          /* Consumer: descriptors that failed checks. */
    uint64_t bad_index;         /* Peer's index out of range (resynced). */
};

/* A region's geometry, as validated by dpdkr_region_validate(). */
struct dpdkr_geometry {
    uint64_t region_size;
    uint64_t epoch;
    uint64_t ctrl_offset;
    struct dpdkr_ring_info ring[DPDKR_N_RINGS];
};

static inline uint32_t
dpdkr_load_acquire(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void
dpdkr_store_release(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void
dpdkr_store_relaxed64(uint64_t *p, uint64_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Returns true if [offset, offset + len) lies within [0, limit), without
 * overflowing. */
static inline bool
dpdkr_range_ok(uint64_t offset, uint64_t len, uint64_t limit)
{
    return offset <= limit && len <= limit - offset;
}

/* Computes the layout of a region with rings of 1 << 'log2_size'
 * descriptors and buffers of 'buf_size' bytes (both already within the
 * DPDKR_* limits), rounding the region up to a multiple of 'align' (a power
 * of 2: the page size of the file system that holds it).  Fills 'g' and
 * returns the region size, or 0 if it would exceed DPDKR_REGION_SIZE_MAX
 * (which no geometry within the limits does). */
static inline uint64_t
dpdkr_region_layout(uint32_t log2_size, uint32_t buf_size, uint64_t align,
                    struct dpdkr_geometry *g)
{
    uint64_t n = UINT64_C(1) << log2_size;
    uint64_t ring_bytes = DPDKR_RING_HDR_SIZE + n * sizeof(struct dpdkr_desc);
    uint64_t off;
    int i;

    memset(g, 0, sizeof *g);
    g->ctrl_offset = DPDKR_HDR_SIZE;
    off = DPDKR_HDR_SIZE + DPDKR_CTRL_SIZE;
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        g->ring[i].offset = off;
        g->ring[i].log2_size = log2_size;
        g->ring[i].buf_size = buf_size;
        off += (ring_bytes + 4095) & ~UINT64_C(4095);
    }
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        g->ring[i].buf_offset = off;
        g->ring[i].buf_area_size = n * buf_size;
        off += (g->ring[i].buf_area_size + 4095) & ~UINT64_C(4095);
    }
    g->region_size = (off + align - 1) & ~(align - 1);
    return g->region_size <= DPDKR_REGION_SIZE_MAX ? g->region_size : 0;
}

/* Returns true if any two parts of the region described by 'g' (whose
 * parts are each within the region) overlap: each word must have a single
 * writer. */
static inline bool
dpdkr_geometry_overlaps(const struct dpdkr_geometry *g)
{
    enum { N_PARTS = 2 + 2 * DPDKR_N_RINGS };
    uint64_t start[N_PARTS], end[N_PARTS];
    int i, j, n = 0;

    start[n] = 0;
    end[n++] = DPDKR_HDR_SIZE;
    start[n] = g->ctrl_offset;
    end[n++] = g->ctrl_offset + DPDKR_CTRL_SIZE;
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        const struct dpdkr_ring_info *r = &g->ring[i];

        start[n] = r->offset;
        end[n++] = r->offset + DPDKR_RING_HDR_SIZE
                   + (sizeof(struct dpdkr_desc) << r->log2_size);
        start[n] = r->buf_offset;
        end[n++] = r->buf_offset + r->buf_area_size;
    }
    for (i = 0; i < N_PARTS; i++) {
        for (j = i + 1; j < N_PARTS; j++) {
            if (start[i] < end[j] && start[j] < end[i]) {
                return true;
            }
        }
    }
    return false;
}

/* Checks geometry 'g' (a private copy) for a region file of 'file_size'
 * bytes.  Returns NULL if it describes a usable region, otherwise a static
 * string saying why not. */
static inline const char *
dpdkr_geometry_check(const struct dpdkr_geometry *g, uint64_t file_size)
{
    int i;

    if (file_size < DPDKR_HDR_SIZE + DPDKR_CTRL_SIZE) {
        return "region smaller than its header";
    }
    if (g->region_size > DPDKR_REGION_SIZE_MAX) {
        return "region too large";
    }
    if (g->region_size != file_size) {
        return "region size does not match the file";
    }
    if (g->ctrl_offset % DPDKR_CACHE_LINE
        || !dpdkr_range_ok(g->ctrl_offset, DPDKR_CTRL_SIZE, g->region_size)
        || g->ctrl_offset < DPDKR_HDR_SIZE) {
        return "control block out of bounds";
    }
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        const struct dpdkr_ring_info *r = &g->ring[i];
        uint64_t n, end;

        if (r->log2_size < DPDKR_LOG2_RING_MIN
            || r->log2_size > DPDKR_LOG2_RING_MAX) {
            return "ring size out of range";
        }
        if (r->buf_size < DPDKR_BUF_SIZE_MIN
            || r->buf_size > DPDKR_BUF_SIZE_MAX) {
            return "buffer size out of range";
        }
        n = UINT64_C(1) << r->log2_size;
        if (r->buf_area_size != n * r->buf_size) {
            return "buffer area size inconsistent";
        }
        if (r->offset % DPDKR_CACHE_LINE || r->buf_offset % DPDKR_CACHE_LINE
            || r->offset < DPDKR_HDR_SIZE || r->buf_offset < DPDKR_HDR_SIZE) {
            return "ring misaligned";
        }
        end = DPDKR_RING_HDR_SIZE + n * sizeof(struct dpdkr_desc);
        if (!dpdkr_range_ok(r->offset, end, g->region_size)
            || !dpdkr_range_ok(r->buf_offset, r->buf_area_size,
                               g->region_size)) {
            return "ring out of bounds";
        }
    }
    if (dpdkr_geometry_overlaps(g)) {
        return "parts of the region overlap";
    }
    return NULL;
}

/* Validates the header of a region of 'file_size' bytes mapped at 'base'
 * (shared, hostile memory) and copies its geometry into 'g'.  Each header
 * field is read exactly once.  Returns NULL if the region is usable,
 * otherwise a static string saying why not (for a log line). */
static inline const char *
dpdkr_region_validate(const void *base, uint64_t file_size,
                      struct dpdkr_geometry *g)
{
    const volatile struct dpdkr_region_hdr *h = base;
    uint32_t hdr_size;
    uint64_t magic;
    int i;

    if (file_size < DPDKR_HDR_SIZE + DPDKR_CTRL_SIZE) {
        return "region smaller than its header";
    }
    magic = __atomic_load_n(&((const struct dpdkr_region_hdr *) base)->magic,
                            __ATOMIC_ACQUIRE);
    if (magic != DPDKR_MAGIC) {
        return "bad magic (not a dpdkr region, or not ready yet)";
    }
    if (h->major != DPDKR_VERSION_MAJOR) {
        return "incompatible ABI major version";
    }
    hdr_size = h->hdr_size;
    if (hdr_size < DPDKR_HDR_SIZE_1_3
        || hdr_size > DPDKR_HDR_SIZE) {
        return "bad header size";
    }
    if (h->n_rings != DPDKR_N_RINGS) {
        return "bad number of rings";
    }

    memset(g, 0, sizeof *g);
    g->region_size = h->region_size;
    g->epoch = h->epoch;
    g->ctrl_offset = h->ctrl_offset;
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        struct dpdkr_ring_info *r = &g->ring[i];

        r->offset = h->ring[i].offset;
        r->buf_offset = h->ring[i].buf_offset;
        r->log2_size = h->ring[i].log2_size;
        r->buf_size = h->ring[i].buf_size;
        r->buf_area_size = h->ring[i].buf_area_size;
    }
    if (h->ctrl_size != DPDKR_CTRL_SIZE) {
        return "bad control block size";
    }
    return dpdkr_geometry_check(g, file_size);
}

/* Initializes 'v' for ring 'id' of the region mapped at 'base', whose
 * geometry 'g' was validated or computed by this side.  The private index
 * starts from 'idx'. */
static inline void
dpdkr_ring_view_init(struct dpdkr_ring_view *v, void *base,
                     const struct dpdkr_geometry *g, int id, uint32_t idx)
{
    const struct dpdkr_ring_info *r = &g->ring[id];

    memset(v, 0, sizeof *v);
    v->ring = (void *) ((uint8_t *) base + r->offset);
    v->buf = (uint8_t *) base + r->buf_offset;
    v->buf_area_size = r->buf_area_size;
    v->size = UINT32_C(1) << r->log2_size;
    v->mask = v->size - 1;
    v->buf_size = r->buf_size;
    v->idx = idx;
}

/* Sets the private index of 'v' to 'idx' (e.g. when a side resumes a ring
 * where its peer left it), forgetting the peer's cached index. */
static inline void
dpdkr_ring_view_set_idx(struct dpdkr_ring_view *v, uint32_t idx)
{
    v->idx = idx;
    v->peer_valid = false;
}

/* Attachment. */

/* Takes the client's lock on the region file open as 'fd' (see
 * dpdkr-abi.h).  Returns 0, or an errno value: EAGAIN if another client
 * holds it. */
static inline int
dpdkr_client_lock(int fd)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

    if (fcntl(fd, F_OFD_SETLK, &fl)) {
        return errno == EACCES ? EAGAIN : errno;
    }
    return 0;
}

/* Returns true if a client holds the lock on the region file open as 'fd'.
 * Takes no lock, so it never makes a client's dpdkr_client_lock() fail. */
static inline bool
dpdkr_client_locked(int fd)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

    return !fcntl(fd, F_OFD_GETLK, &fl) && fl.l_type != F_UNLCK;
}

/* Producer side. */

/* Returns how many descriptors the producer may fill now.  Reads the
 * consumer's 'tail' once; a tail that claims more than a ring's worth of
 * free space is impossible, so the ring is treated as full and the error
 * counted: a hostile consumer can only stop its own traffic. */
static inline uint32_t
dpdkr_prod_space(struct dpdkr_ring_view *v)
{
    uint32_t tail = dpdkr_load_acquire(&v->ring->tail);
    uint32_t used = v->idx - tail;

    if (used > v->size) {
        v->bad_index++;
        v->peer_valid = false;
        return 0;
    }
    v->peer = tail;
    v->peer_valid = true;
    return v->size - used;
}

/* Returns how many descriptors the producer may fill now, as
 * dpdkr_prod_space(), but without reading the consumer's 'tail' if the
 * tail it last read leaves room for 'want' descriptors: then it returns
 * that room, which the consumer can only have made larger since. */
static inline uint32_t
dpdkr_prod_space_min(struct dpdkr_ring_view *v, uint32_t want)
{
    if (v->peer_valid) {
        /* 'peer' passed the check in dpdkr_prod_space(), and 'idx' has
         * advanced by at most the space it gave, so this cannot wrap. */
        uint32_t space = v->size - (v->idx - v->peer);

        if (space >= want) {
            return space;
        }
    }
    return dpdkr_prod_space(v);
}

/* Returns the buffer of the 'i'th descriptor after the producer's head,
 * which has v->buf_size bytes. */
static inline uint8_t *
dpdkr_prod_buf(const struct dpdkr_ring_view *v, uint32_t i)
{
    return v->buf + (uint64_t) ((v->idx + i) & v->mask) * v->buf_size;
}

/* Copying packets into a ring's buffers.
 *
 * A ring's consumer usually runs on another core, whose cache holds the
 * buffer slots it copied packets out of on the ring's previous lap.
 * Ordinary stores into a slot first take each of its cache lines back from
 * that core (a read for ownership per line); where the two cores share no
 * cache, that makes the producer's copy, not the ring, the limit for large
 * packets.  Non-temporal stores write whole lines to memory without reading
 * them, and the consumer then reads them from memory, which is slower where
 * the cores do share a cache: so net_dpdkr uses them where measuring shows
 * they pay (nt-copy=auto, the default: see "Choosing the copy by measuring"
 * below), always (nt-copy=yes) or never (nt-copy=no).
 *
 * A producer that makes that choice copies packets of DPDKR_COPY_NT_MIN
 * bytes or more with dpdkr_copy_nt() (32-byte non-temporal stores; only if
 * dpdkr_copy_nt_supported(), i.e. the CPU has AVX2) into slots for which
 * dpdkr_copy_nt_fits(): 32-byte aligned, with room for the packet rounded
 * up to 32 bytes, since the bytes after the packet up to that multiple of
 * 32 are written as zeros.  Non-temporal stores are not ordered by a
 * release store: after such copies, the producer calls dpdkr_copy_fence()
 * before it publishes them.  Smaller packets gain nothing from them. */
#define DPDKR_COPY_NT_MIN 256

/* Returns true if dpdkr_copy_nt() may be used on this CPU. */
static inline bool
dpdkr_copy_nt_supported(void)
{
#ifdef DPDKR_HAVE_COPY_NT
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

/* Returns true if a 'len'-byte packet may be copied with dpdkr_copy_nt()
 * into 'dst', a slot of 'buf_size' bytes. */
static inline bool
dpdkr_copy_nt_fits(const void *dst, uint32_t len, uint32_t buf_size)
{
    return (len >= DPDKR_COPY_NT_MIN
            && !((uintptr_t) dst & 31)
            && ((uint64_t) len + 31) / 32 * 32 <= buf_size);
}

#ifdef DPDKR_HAVE_COPY_NT
/* Copies 'len' bytes from 'src' into 'dst' with non-temporal stores, and
 * zeros up to the next multiple of 32 bytes (see above). */
__attribute__((target("avx2"))) static inline void
dpdkr_copy_nt(void *dst_, const void *src_, uint32_t len)
{
    uint8_t *dst = dst_;
    const uint8_t *src = src_;
    uint32_t off;

    /* 'void *' arguments: 'dst' is 32-byte aligned, 'src' need not be. */
    for (off = 0; len - off >= 32; off += 32) {
        const void *from = src + off;
        void *to = dst + off;

        _mm256_stream_si256(to, _mm256_loadu_si256(from));
    }
    if (off < len) {
        uint8_t tail[32] = { 0 };
        const void *from = tail;
        void *to = dst + off;

        memcpy(tail, src + off, len - off);
        _mm256_stream_si256(to, _mm256_loadu_si256(from));
    }
}

/* Orders the non-temporal stores made so far before later stores. */
static inline void
dpdkr_copy_fence(void)
{
    _mm_sfence();
}
#else
static inline void
dpdkr_copy_nt(void *dst, const void *src, uint32_t len)
{
    memcpy(dst, src, len);
}

static inline void
dpdkr_copy_fence(void)
{
}
#endif

/* Choosing the copy by measuring (net_dpdkr's nt-copy=auto, the default).
 *
 * Whether non-temporal stores pay depends on where the consumer runs, which
 * the producer cannot know and which may change (threads move, virtual CPUs
 * move on the host).  So a producer that may use them measures both copies
 * on its own traffic, in turns, and keeps the one that moved more bytes:
 *
 *   - every DPDKR_TUNE_PERIOD_MS (and DPDKR_TUNE_FIRST_MS after the start) it
 *     runs a trial of DPDKR_TUNE_WINDOWS windows, with the ordinary copy,
 *     then twice the non-temporal one, then the ordinary one again (so that
 *     a trend during the trial weighs on both);
 *
 *   - in each window it counts the bytes its bursts sent (whatever the ring
 *     took: a consumer that falls behind fills the ring and slows the
 *     producer down, so this is the rate delivered end to end) and the time
 *     between consecutive bursts, leaving out any gap of more than
 *     DPDKR_TUNE_GAP_US (the thread was preempted, or had nothing to send);
 *     a window ends when it has counted DPDKR_TUNE_WINDOW_MS, or at the
 *     latest DPDKR_TUNE_WINDOW_MAX_MS after it started;
 *
 *   - it then uses non-temporal stores until the next trial if, in each of
 *     their windows, bytes per unit of time were higher by more than a 1/8
 *     margin than in each window of the ordinary copy, and each copy sent at
 *     least DPDKR_TUNE_MIN_LARGE packets large enough for them; otherwise
 *     (no clear gain, or too few large packets to tell) it uses the
 *     ordinary copy.  A producer that sends less than either copy could
 *     (rate-limited, or fed by a slower input) sees about the same rate in
 *     every window, and keeps the ordinary copy.
 *
 * The cost is the trial: 4 windows of 2 ms of sending in every second, half
 * of them with the copy that loses.  The tuner is private to the producer and
 * reads nothing from shared memory.  Its clock is the caller's, in ticks of
 * 'hz' per second. */
#define DPDKR_TUNE_FIRST_MS 10
#define DPDKR_TUNE_PERIOD_MS 1000
#define DPDKR_TUNE_WINDOW_MS 2
#define DPDKR_TUNE_WINDOW_MAX_MS 10
#define DPDKR_TUNE_WINDOWS 4
#define DPDKR_TUNE_GAP_US 200
#define DPDKR_TUNE_MIN_LARGE 256

struct dpdkr_copy_tuner {
    uint64_t window_ticks;      /* DPDKR_TUNE_WINDOW_MS in ticks. */
    uint64_t window_max_ticks;  /* DPDKR_TUNE_WINDOW_MAX_MS in ticks. */
    uint64_t period_ticks;      /* DPDKR_TUNE_PERIOD_MS in ticks. */
    uint64_t gap_ticks;         /* DPDKR_TUNE_GAP_US in ticks. */
    uint64_t next;              /* When the next trial starts. */
    uint64_t window_end;        /* When the current window ends at the
                                 * latest. */
    uint64_t last;              /* The previous burst's end, in a trial. */
    uint64_t busy[DPDKR_TUNE_WINDOWS];  /* Ticks counted, per window. */
    uint64_t bytes[DPDKR_TUNE_WINDOWS]; /* Bytes sent in them. */
    uint64_t large[2];          /* Packets of DPDKR_COPY_NT_MIN or more,
                                 * per copy (0: ordinary, 1: NT). */
    unsigned int window;        /* 0: between trials, else 1...WINDOWS. */
    bool nt;                    /* The copy for the next burst. */

    /* Statistics. */
    uint64_t n_trials;          /* Trials completed. */
    uint64_t n_trials_nt;       /* ...that chose non-temporal stores. */
};

/* Returns true if window 'w' (1...DPDKR_TUNE_WINDOWS) of a trial uses
 * non-temporal stores: the middle ones. */
static inline bool
dpdkr_copy_tuner_window_nt(unsigned int w)
{
    return w > 1 && w < DPDKR_TUNE_WINDOWS;
}

/* Initializes 't' for a clock of 'hz' ticks per second that reads 'now'. */
static inline void
dpdkr_copy_tuner_init(struct dpdkr_copy_tuner *t, uint64_t hz, uint64_t now)
{
    memset(t, 0, sizeof *t);
    t->window_ticks = hz / 1000 * DPDKR_TUNE_WINDOW_MS;
    t->window_max_ticks = hz / 1000 * DPDKR_TUNE_WINDOW_MAX_MS;
    t->period_ticks = hz / 1000 * DPDKR_TUNE_PERIOD_MS;
    t->gap_ticks = hz / 1000000 * DPDKR_TUNE_GAP_US;
    t->next = now + hz / 1000 * DPDKR_TUNE_FIRST_MS;
}

/* Decides, at the end of a trial, which copy to keep until the next. */
static inline bool
dpdkr_copy_tuner_decide(const struct dpdkr_copy_tuner *t)
{
    double best_plain = 0, worst_nt = -1;
    unsigned int w;

    if (t->large[0] < DPDKR_TUNE_MIN_LARGE
        || t->large[1] < DPDKR_TUNE_MIN_LARGE) {
        return false;
    }
    for (w = 0; w < DPDKR_TUNE_WINDOWS; w++) {
        double rate;

        if (!t->busy[w]) {
            return false;
        }
        rate = (double) t->bytes[w] / t->busy[w];
        if (!dpdkr_copy_tuner_window_nt(w + 1)) {
            best_plain = rate > best_plain ? rate : best_plain;
        } else if (worst_nt < 0 || rate < worst_nt) {
            worst_nt = rate;
        }
    }
    return worst_nt > best_plain * 9 / 8;
}

/* Accounts a burst that has just ended at 'now', made with the copy
 * 't->nt' said, that sent 'bytes' bytes in packets of which 'large' were of
 * DPDKR_COPY_NT_MIN bytes or more ('bytes' and 'large' may be 0: a burst
 * that found the ring full counts as time).  Returns the copy for the next
 * burst: true for non-temporal stores. */
static inline bool
dpdkr_copy_tuner_burst(struct dpdkr_copy_tuner *t, uint64_t now,
                       uint64_t bytes, uint32_t large)
{
    if (!t->window) {
        if (now < t->next) {
            return t->nt;
        }
        /* A trial starts; this burst's time is not counted. */
        memset(t->busy, 0, sizeof t->busy);
        memset(t->bytes, 0, sizeof t->bytes);
        memset(t->large, 0, sizeof t->large);
        t->window = 1;
        t->window_end = now + t->window_max_ticks;
        t->last = now;
        t->nt = dpdkr_copy_tuner_window_nt(1);
        return t->nt;
    }

    if (now - t->last <= t->gap_ticks) {
        t->busy[t->window - 1] += now - t->last;
        t->bytes[t->window - 1] += bytes;
        t->large[t->nt] += large;
    }
    t->last = now;
    if (t->busy[t->window - 1] >= t->window_ticks || now >= t->window_end) {
        if (t->window < DPDKR_TUNE_WINDOWS) {
            t->window++;
            t->window_end = now + t->window_max_ticks;
            t->nt = dpdkr_copy_tuner_window_nt(t->window);
        } else {
            t->window = 0;
            t->next = now + t->period_ticks;
            t->nt = dpdkr_copy_tuner_decide(t);
            t->n_trials++;
            t->n_trials_nt += t->nt;
        }
    }
    return t->nt;
}

/* Fills the 'i'th descriptor after the producer's head for a packet of
 * 'len' bytes already copied into dpdkr_prod_buf(v, i). */
static inline void
dpdkr_prod_fill(struct dpdkr_ring_view *v, uint32_t i, uint32_t len)
{
    uint32_t slot = (v->idx + i) & v->mask;
    struct dpdkr_desc *d = &v->ring->desc[slot];

    d->offset = slot * v->buf_size;
    d->len = len;
    d->flags = 0;
    d->rsvd0 = 0;
    d->rsvd1 = 0;
    v->bytes += len;
}

/* Publishes 'n' filled descriptors to the consumer. */
static inline void
dpdkr_prod_publish(struct dpdkr_ring_view *v, uint32_t n)
{
    if (n) {
        v->idx += n;
        v->packets += n;
        dpdkr_store_release(&v->ring->head, v->idx);
        dpdkr_store_relaxed64(&v->ring->prod_packets, v->packets);
        dpdkr_store_relaxed64(&v->ring->prod_bytes, v->bytes);
    }
}

/* Counts 'n' packets the producer dropped and publishes the count. */
static inline void
dpdkr_prod_drop(struct dpdkr_ring_view *v, uint32_t n)
{
    if (n) {
        v->drops += n;
        dpdkr_store_relaxed64(&v->ring->prod_drops, v->drops);
    }
}

/* Counts 'bytes' more bytes of packets the producer dropped as too big and
 * publishes the count. */
static inline void
dpdkr_prod_drop_bytes(struct dpdkr_ring_view *v, uint64_t bytes)
{
    if (bytes) {
        v->drop_bytes += bytes;
        dpdkr_store_relaxed64(&v->ring->prod_drop_bytes, v->drop_bytes);
    }
}

/* Consumer side. */

/* Returns how many descriptors are ready for the consumer, at most 'max'.
 * Reads the producer's 'head' once; a head more than a ring ahead of the
 * private tail is impossible, so the consumer counts the error and
 * resynchronizes on it, dropping what it cannot trust. */
static inline uint32_t
dpdkr_cons_avail(struct dpdkr_ring_view *v, uint32_t max)
{
    uint32_t head = dpdkr_load_acquire(&v->ring->head);
    uint32_t avail = head - v->idx;

    if (avail > v->size) {
        v->bad_index++;
        v->idx = head;
        v->peer_valid = false;
        dpdkr_store_release(&v->ring->tail, v->idx);
        dpdkr_store_relaxed64(&v->ring->cons_errors,
                              v->bad_index + v->bad_desc);
        return 0;
    }
    v->peer = head;
    v->peer_valid = true;
    return avail < max ? avail : max;
}

/* Returns how many descriptors are ready for the consumer, at most 'max',
 * as dpdkr_cons_avail(), but without reading the producer's 'head' if the
 * head it last read already has 'max' ready: the descriptors before that
 * head were published (and acquired) when it was read. */
static inline uint32_t
dpdkr_cons_avail_min(struct dpdkr_ring_view *v, uint32_t max)
{
    /* 'peer' passed the check in dpdkr_cons_avail() and 'idx' has not gone
     * past it since, so this cannot wrap. */
    if (v->peer_valid && v->peer - v->idx >= max) {
        return max;
    }
    return dpdkr_cons_avail(v, max);
}

/* Copies the 'i'th ready descriptor into 'd' (a single read of shared
 * memory) and validates it against the ring's private geometry and
 * 'max_len'.  Returns a pointer to the packet's first byte in the buffer
 * area, or NULL if the descriptor is invalid (counted). */
static inline const uint8_t *
dpdkr_cons_desc(struct dpdkr_ring_view *v, uint32_t i, uint32_t max_len,
                struct dpdkr_desc *d)
{
    const volatile struct dpdkr_desc *sd = &v->ring->desc[(v->idx + i)
                                                          & v->mask];

    d->offset = sd->offset;
    d->len = sd->len;
    d->flags = sd->flags;
    if (d->flags || !d->len || d->len > max_len || d->len > v->buf_size
        || !dpdkr_range_ok(d->offset, d->len, v->buf_area_size)) {
        v->bad_desc++;
        return NULL;
    }
    return v->buf + d->offset;
}

/* Releases 'n' consumed descriptors ('packets' of them valid, carrying
 * 'bytes') back to the producer. */
static inline void
dpdkr_cons_release(struct dpdkr_ring_view *v, uint32_t n, uint32_t packets,
                   uint64_t bytes)
{
    if (n) {
        v->idx += n;
        v->packets += packets;
        v->bytes += bytes;
        dpdkr_store_release(&v->ring->tail, v->idx);
        dpdkr_store_relaxed64(&v->ring->cons_packets, v->packets);
        dpdkr_store_relaxed64(&v->ring->cons_bytes, v->bytes);
        if (packets != n) {
            dpdkr_store_relaxed64(&v->ring->cons_errors,
                                  v->bad_index + v->bad_desc);
        }
    }
}

/* Lane control (see dpdkr-abi.h).
 *
 * A request and an acknowledgement are each published under a seqlock:
 * the writer stores the odd value 'gen' - 1 into 'generation', then (after
 * a release fence) the other fields, then the even 'gen' with release
 * order.  A reader that reads an odd generation leaves the fields alone
 * (they are being written: it tries again at its next burst); otherwise it
 * copies the fields into private memory and accepts them only if the
 * generation, read again after an acquire fence, has not changed.  So an
 * accepted copy is exactly what one writer published under one
 * generation. */

static inline uint32_t
dpdkr_load_relaxed(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint64_t
dpdkr_load_relaxed64(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void
dpdkr_store_relaxed32(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Starts a seqlock write of the word 'generation' towards the even value
 * 'gen': makes it odd, and orders that before the writes that follow. */
static inline void
dpdkr_seq_write_begin(uint32_t *generation, uint32_t gen)
{
    __atomic_store_n(generation, gen - 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

/* Ends a seqlock read that began by reading 'gen' (acquire) from
 * 'generation': returns true if the copy made since is consistent. */
static inline bool
dpdkr_seq_read_end(const uint32_t *generation, uint32_t gen)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n(generation, __ATOMIC_RELAXED) == gen;
}

/* Stores every field of request 'r' but its generation into 'shared',
 * inside a write section (dpdkr_seq_write_begin()). */
static inline void
dpdkr_lane_req_store_fields(struct dpdkr_lane_req *shared,
                            const struct dpdkr_lane_req *r)
{
    dpdkr_store_relaxed32(&shared->state, r->state);
    dpdkr_store_relaxed64(&shared->lane_epoch, r->lane_epoch);
    dpdkr_store_relaxed32(&shared->lane_ring, r->lane_ring);
    dpdkr_store_relaxed32(&shared->max_len, r->max_len);
    dpdkr_store_relaxed64(&shared->old_path_seq, r->old_path_seq);
    dpdkr_store_relaxed64(&shared->lane_seq, r->lane_seq);
}

/* Copies every field of the request in 'shared' but its generation into
 * 'r', inside a read section (checked by dpdkr_seq_read_end()). */
static inline void
dpdkr_lane_req_load_fields(const struct dpdkr_lane_req *shared,
                           struct dpdkr_lane_req *r)
{
    r->state = dpdkr_load_relaxed(&shared->state);
    r->lane_epoch = dpdkr_load_relaxed64(&shared->lane_epoch);
    r->lane_ring = dpdkr_load_relaxed(&shared->lane_ring);
    r->max_len = dpdkr_load_relaxed(&shared->max_len);
    r->old_path_seq = dpdkr_load_relaxed64(&shared->old_path_seq);
    r->lane_seq = dpdkr_load_relaxed64(&shared->lane_seq);
}

/* Publishes request 'r' into 'shared' under generation 'gen', which is
 * even (the switch's generations start at 2 and advance by 2). */
static inline void
dpdkr_lane_req_publish(struct dpdkr_lane_req *shared,
                       const struct dpdkr_lane_req *r, uint32_t gen)
{
    dpdkr_seq_write_begin(&shared->generation, gen);
    dpdkr_lane_req_store_fields(shared, r);
    dpdkr_store_release(&shared->generation, gen);
}

/* Reads the request in 'shared', whose generation the caller read (with
 * acquire order) as 'gen', into 'r'.  Returns false if 'gen' is odd (the
 * request is being written) or the request changed meanwhile: try again
 * later. */
static inline bool
dpdkr_lane_req_read(const struct dpdkr_lane_req *shared, uint32_t gen,
                    struct dpdkr_lane_req *r)
{
    if (gen & 1) {
        return false;
    }
    r->generation = gen;
    dpdkr_lane_req_load_fields(shared, r);
    return dpdkr_seq_read_end(&shared->generation, gen);
}

/* Publishes acknowledgement 'a' into 'shared' under its generation, the
 * (even) generation of the request it answers.  Leaves the burst markers
 * alone. */
static inline void
dpdkr_lane_ack_publish(struct dpdkr_lane_ack *shared,
                       const struct dpdkr_lane_ack *a)
{
    dpdkr_seq_write_begin(&shared->generation, a->generation);
    dpdkr_store_relaxed32(&shared->state, a->state);
    dpdkr_store_relaxed64(&shared->old_path_seq, a->old_path_seq);
    dpdkr_store_relaxed64(&shared->lane_seq, a->lane_seq);
    dpdkr_store_relaxed64(&shared->switched_ns, a->switched_ns);
    dpdkr_store_release(&shared->generation, a->generation);
}

/* Reads the acknowledgement in 'shared' into 'a'.  Returns false if it is
 * being written (odd generation) or changed while being read: try again
 * later. */
static inline bool
dpdkr_lane_ack_read(const struct dpdkr_lane_ack *shared,
                    struct dpdkr_lane_ack *a)
{
    uint32_t gen = dpdkr_load_acquire(&shared->generation);

    if (gen & 1) {
        return false;
    }
    a->generation = gen;
    a->state = dpdkr_load_relaxed(&shared->state);
    a->old_path_seq = dpdkr_load_relaxed64(&shared->old_path_seq);
    a->lane_seq = dpdkr_load_relaxed64(&shared->lane_seq);
    a->switched_ns = dpdkr_load_relaxed64(&shared->switched_ns);
    return dpdkr_seq_read_end(&shared->generation, gen);
}

/* Publishes into control block 'ctrl' request 'r' for ring 'id' under
 * generation 'gen' (even), as dpdkr_lane_req_publish() does, together
 * with the path and geometry of the lane it names, 'path' (shorter than
 * DPDKR_LANE_PATH_SIZE) and 'g', or with neither if both are NULL. */
static inline void
dpdkr_lane_req_publish_lane(struct dpdkr_ctrl *ctrl, int id,
                            const struct dpdkr_lane_req *r, uint32_t gen,
                            const char *path, const struct dpdkr_geometry *g)
{
    struct dpdkr_lane_req *shared = &ctrl->req[id];
    struct dpdkr_lane_geo *lg = &ctrl->lane_geo[id];
    size_t len = path ? strlen(path) : 0;
    int i;

    dpdkr_seq_write_begin(&shared->generation, gen);
    memset(ctrl->lane_path[id], 0, sizeof ctrl->lane_path[id]);
    if (len < sizeof ctrl->lane_path[id]) {
        memcpy(ctrl->lane_path[id], path, len);
    }
    memset(lg, 0, sizeof *lg);
    if (g) {
        lg->region_size = g->region_size;
        lg->epoch = g->epoch;
        lg->ctrl_offset = g->ctrl_offset;
        for (i = 0; i < DPDKR_N_RINGS; i++) {
            lg->ring[i] = g->ring[i];
        }
    }
    dpdkr_lane_req_store_fields(shared, r);
    dpdkr_store_release(&shared->generation, gen);
}

/* Reads request 'id' of control block 'ctrl', whose generation the caller
 * read (with acquire order) as 'gen', into 'r', as dpdkr_lane_req_read()
 * does, together with the path of the lane it names into 'path'
 * (DPDKR_LANE_PATH_SIZE bytes, always NUL-terminated) and that lane's
 * geometry into 'g', all as one consistent copy in private memory.  The
 * geometry is as the switch wrote it, not validated: see
 * dpdkr_geometry_check().  Returns false if the request is being written
 * or changed meanwhile: try again later. */
static inline bool
dpdkr_lane_req_read_lane(const struct dpdkr_ctrl *ctrl, int id, uint32_t gen,
                         struct dpdkr_lane_req *r, char *path,
                         struct dpdkr_geometry *g)
{
    const volatile char *sp = ctrl->lane_path[id];
    const struct dpdkr_lane_geo *lg = &ctrl->lane_geo[id];
    int i;

    if (gen & 1) {
        return false;
    }
    r->generation = gen;
    dpdkr_lane_req_load_fields(&ctrl->req[id], r);
    for (i = 0; i < DPDKR_LANE_PATH_SIZE; i++) {
        path[i] = sp[i];
    }
    path[DPDKR_LANE_PATH_SIZE - 1] = '\0';
    memset(g, 0, sizeof *g);
    g->region_size = dpdkr_load_relaxed64(&lg->region_size);
    g->epoch = dpdkr_load_relaxed64(&lg->epoch);
    g->ctrl_offset = dpdkr_load_relaxed64(&lg->ctrl_offset);
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        const struct dpdkr_ring_info *sr = &lg->ring[i];
        struct dpdkr_ring_info *ri = &g->ring[i];

        ri->offset = dpdkr_load_relaxed64(&sr->offset);
        ri->buf_offset = dpdkr_load_relaxed64(&sr->buf_offset);
        ri->log2_size = dpdkr_load_relaxed(&sr->log2_size);
        ri->buf_size = dpdkr_load_relaxed(&sr->buf_size);
        ri->buf_area_size = dpdkr_load_relaxed64(&sr->buf_area_size);
    }
    return dpdkr_seq_read_end(&ctrl->req[id].generation, gen);
}

/* Writes a new region header for geometry 'g' at 'base' (a zeroed
 * mapping of g->region_size bytes), publishing 'magic' last. */
static inline void
dpdkr_region_init(void *base, const struct dpdkr_geometry *g,
                  uint32_t server_pid, uint32_t flags)
{
    struct dpdkr_region_hdr *h = base;
    int i;

    h->major = DPDKR_VERSION_MAJOR;
    h->minor = DPDKR_VERSION_MINOR;
    h->hdr_size = sizeof *h;
    h->region_size = g->region_size;
    h->epoch = g->epoch;
    h->n_rings = DPDKR_N_RINGS;
    h->flags = flags;
    h->ctrl_offset = g->ctrl_offset;
    h->ctrl_size = DPDKR_CTRL_SIZE;
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        h->ring[i] = g->ring[i];
    }
    h->server_pid = server_pid;
    h->server_state = DPDKR_SERVER_UP;
    __atomic_store_n(&h->magic, DPDKR_MAGIC, __ATOMIC_RELEASE);
}

#endif /* dpdkr-ring.h */
