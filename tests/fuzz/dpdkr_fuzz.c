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

/* A libFuzzer target for the dpdkr ring code in include/dpdkr-ring.h, the
 * code that OVS runs over memory that a hostile client writes.  Build and
 * run it as Documentation/dpdkr-fuzzing.rst says:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *         -fno-sanitize-recover=all -I include \
 *         tests/fuzz/dpdkr_fuzz.c -o dpdkr_fuzz
 *   ./dpdkr_fuzz -max_len=4096 CORPUS_DIR
 *
 * An input is:
 *
 *   bytes 0..319    The first five cache lines of a region header (the rest
 *                   of the 4096-byte header is zero).
 *   byte 320        Bit 0 set: the file's size is the header's region_size;
 *                   clear: it is the little-endian 64-bit value at 321.
 *   bytes 329...    Operations, see do_ops().
 *
 * The target gives the header and file size to dpdkr_region_validate().  A
 * region it accepts (and that is small enough) is allocated with exactly
 * its size, so that AddressSanitizer reports any access past its end, and
 * every byte outside the rings and buffer areas that the validated
 * geometry names is poisoned, so that any access by the ring code outside
 * them is reported too.  A region it accepts that is too big to allocate
 * is only checked for consistency: dpdkr_region_validate() must not read
 * past the header, which is all that is in memory then.
 *
 * The operations then play a hostile peer (writing indexes, descriptors and
 * counters) against OVS's consumer and producer on both rings, for a
 * bounded number of rounds.  Every result is compared with a model computed
 * from the shared memory just before the call, every byte of every packet
 * the consumer accepts is read, and any disagreement aborts. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Header bytes taken from the input. */
#define HDR_BYTES (5 * DPDKR_CACHE_LINE)

/* Largest region allocated; bigger valid ones are only validated. */
#define REGION_MAX (UINT64_C(2) << 20)

/* Most operations run per input. */
#define MAX_OPS 256

/* Largest burst of one operation. */
#define MAX_BURST 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with 'msg' if 'cond' is false: the fuzzer reports it as a
 * crash. */
#define ASSERT(COND, MSG)                                       \
    do {                                                        \
        if (!(COND)) {                                          \
            fprintf(stderr, "dpdkr_fuzz: %s (%s:%d: %s)\n",     \
                    MSG, __FILE__, __LINE__, #COND);            \
            __builtin_trap();                                   \
        }                                                       \
    } while (0)

/* The input, consumed from the front. */
struct input {
    const uint8_t *p;
    size_t n;
};

/* Returns the next 'width' bytes of 'in' as a little-endian number, zero
 * past the end. */
static uint64_t
take(struct input *in, int width)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < width; i++) {
        if (in->n) {
            v |= (uint64_t) *in->p++ << (8 * i);
            in->n--;
        }
    }
    return v;
}

/* Checks, independently of dpdkr_region_validate(), that an accepted
 * geometry 'g' fits in a file of 'file_size' bytes. */
static void
check_geometry(const struct dpdkr_geometry *g, uint64_t file_size)
{
    int i;

    ASSERT(g->region_size == file_size, "accepted a wrong region size");
    ASSERT(g->region_size <= DPDKR_REGION_SIZE_MAX, "accepted a huge region");
    ASSERT((__uint128_t) g->ctrl_offset + DPDKR_CTRL_SIZE <= file_size
           && g->ctrl_offset >= DPDKR_HDR_SIZE,
           "accepted a control block out of the region");
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        const struct dpdkr_ring_info *r = &g->ring[i];

        ASSERT(r->log2_size >= DPDKR_LOG2_RING_MIN
               && r->log2_size <= DPDKR_LOG2_RING_MAX,
               "accepted a bad ring size");
        ASSERT(r->buf_size >= DPDKR_BUF_SIZE_MIN
               && r->buf_size <= DPDKR_BUF_SIZE_MAX,
               "accepted a bad buffer size");
        ASSERT(r->buf_area_size == (uint64_t) r->buf_size << r->log2_size,
               "accepted an inconsistent buffer area");
        ASSERT(r->offset % DPDKR_CACHE_LINE == 0
               && r->buf_offset % DPDKR_CACHE_LINE == 0
               && r->offset >= DPDKR_HDR_SIZE
               && r->buf_offset >= DPDKR_HDR_SIZE,
               "accepted a misplaced ring");
        ASSERT((__uint128_t) r->offset + DPDKR_RING_HDR_SIZE
               + (sizeof(struct dpdkr_desc) << r->log2_size) <= file_size
               && (__uint128_t) r->buf_offset + r->buf_area_size
                  <= file_size, "accepted a ring out of the region");
    }
}

/* Reads all 'len' bytes at 'p', so that AddressSanitizer checks them. */
static uint8_t
touch(const uint8_t *p, uint32_t len)
{
    volatile uint8_t sum = 0;
    uint32_t i;

    for (i = 0; i < len; i++) {
        sum += p[i];
    }
    return sum;
}

/* One consumer burst on 'v', checked against a model. */
static void
consume(struct dpdkr_ring_view *v, uint32_t burst, uint32_t max_len)
{
    uint32_t head = v->ring->head;
    uint32_t avail = head - v->idx;
    uint64_t bad_index = v->bad_index, bad_desc = v->bad_desc;
    uint32_t n, i, good = 0;
    uint64_t bytes = 0;

    n = dpdkr_cons_avail(v, burst);
    if (avail > v->size) {
        ASSERT(n == 0 && v->bad_index == bad_index + 1 && v->idx == head
               && v->ring->tail == head, "cons_avail on a bad head");
    } else {
        ASSERT(n == (avail < burst ? avail : burst)
               && v->bad_index == bad_index, "cons_avail on a good head");
    }
    for (i = 0; i < n; i++) {
        struct dpdkr_desc want = v->ring->desc[(v->idx + i) & v->mask];
        bool ok = (!want.flags && want.len && want.len <= max_len
                   && want.len <= v->buf_size
                   && (uint64_t) want.offset + want.len <= v->buf_area_size);
        struct dpdkr_desc d;
        const uint8_t *p = dpdkr_cons_desc(v, i, max_len, &d);

        ASSERT(!p == !ok, "cons_desc disagrees with the model");
        if (p) {
            ASSERT(p == v->buf + d.offset && d.len == want.len
                   && d.offset == want.offset,
                   "cons_desc returned another descriptor");
            touch(p, d.len);
            good++;
            bytes += d.len;
        }
    }
    ASSERT(v->bad_desc == bad_desc + (n - good), "bad_desc miscounted");
    dpdkr_cons_release(v, n, good, bytes);
    ASSERT(!n || v->ring->tail == v->idx, "cons_release: tail");
}

/* One producer burst of 'burst' packets of 'len' bytes on 'v', checked
 * against a model. */
static void
produce(struct dpdkr_ring_view *v, uint32_t burst, uint32_t len)
{
    uint32_t tail = v->ring->tail;
    uint32_t used = v->idx - tail;
    uint32_t space = dpdkr_prod_space(v);
    uint32_t n, i;

    ASSERT(space == (used > v->size ? 0 : v->size - used), "prod_space");
    n = space < burst ? space : burst;
    len = len % v->buf_size + 1;
    for (i = 0; i < n; i++) {
        uint8_t *p = dpdkr_prod_buf(v, i);

        ASSERT(p >= v->buf && p + v->buf_size <= v->buf + v->buf_area_size,
               "prod_buf out of the buffer area");
        memset(p, (int) i, len);
        dpdkr_prod_fill(v, i, len);
    }
    dpdkr_prod_publish(v, n);
    dpdkr_prod_drop(v, burst - n);
    ASSERT(!n || v->ring->head == v->idx, "prod_publish: head");
}

/* Runs the operations in 'in' against the two rings in 'views'.  Each
 * operation is a byte: its low 3 bits select what it does (see below), on
 * ring (byte >> 3) & 1, taking its arguments from the following bytes. */
static void
do_ops(struct dpdkr_ring_view views[2][DPDKR_N_RINGS], struct input *in)
{
    int k;

    for (k = 0; k < MAX_OPS && in->n; k++) {
        uint8_t op = take(in, 1);
        int id = (op >> 3) & 1;
        struct dpdkr_ring_view *prod = &views[0][id];
        struct dpdkr_ring_view *cons = &views[1][id];
        struct dpdkr_ring *ring = cons->ring;

        switch (op & 7) {
        case 0:
            /* Peer writes a head: absolute, or relative to the tail. */
            if (op & 0x10) {
                ring->head = cons->idx + (uint32_t) take(in, 2);
            } else {
                ring->head = take(in, 4);
            }
            break;
        case 1:
            /* Peer writes a tail: absolute, or relative to the head. */
            if (op & 0x10) {
                ring->tail = prod->idx - (uint32_t) take(in, 2);
            } else {
                ring->tail = take(in, 4);
            }
            break;
        case 2: {
            /* Peer writes a descriptor near the consumer's tail. */
            struct dpdkr_desc *d;

            d = &ring->desc[(cons->idx + take(in, 1)) & cons->mask];
            d->offset = take(in, 4);
            d->len = take(in, 4);
            d->flags = op & 0x10 ? take(in, 2) : 0;
            break;
        }
        case 3: {
            /* Peer fills descriptors with offsets and lengths derived from
             * two numbers: many plausible ones in a few bytes. */
            uint32_t base = take(in, 4), step = take(in, 2);
            uint32_t len = take(in, 2), n = take(in, 1) % (cons->size + 1);
            uint32_t i;

            for (i = 0; i < n; i++) {
                struct dpdkr_desc *d = &ring->desc[(cons->idx + i)
                                                   & cons->mask];

                d->offset = base + i * step;
                d->len = len + (op & 0x10 ? i : 0);
                d->flags = 0;
            }
            break;
        }
        case 4:
            consume(cons, take(in, 1) % MAX_BURST + 1,
                    op & 0x10 ? take(in, 2) : UINT32_MAX);
            break;
        case 5:
            produce(prod, take(in, 1) % MAX_BURST + 1, take(in, 2));
            break;
        case 6:
            /* Peer writes counters. */
            ring->prod_packets = take(in, 8);
            ring->cons_errors = take(in, 8);
            ring->prod_rsvd = take(in, 4);
            break;
        default:
            /* The honest peer again: indexes as they should be. */
            ring->head = prod->idx;
            ring->tail = cons->idx;
            break;
        }
    }
}

/* Poisons every byte of the 'size'-byte region at 'base' that the ring
 * code must not touch under geometry 'g'. */
static void
poison_region(uint8_t *base, uint64_t size, const struct dpdkr_geometry *g)
{
    int i;

    POISON(base, size);
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        const struct dpdkr_ring_info *r = &g->ring[i];

        UNPOISON(base + r->offset, DPDKR_RING_HDR_SIZE
                 + (sizeof(struct dpdkr_desc) << r->log2_size));
        UNPOISON(base + r->buf_offset, r->buf_area_size);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dpdkr_ring_view views[2][DPDKR_N_RINGS];
    struct dpdkr_region_hdr *hdr;
    struct dpdkr_geometry g;
    struct input in = { data, size };
    uint64_t file_size, alloc;
    const char *error;
    uint8_t *base;
    uint8_t flags;
    void *mem;
    int i;

    /* The header: the input's bytes, zero beyond them. */
    if (posix_memalign(&mem, DPDKR_CACHE_LINE, DPDKR_HDR_SIZE)) {
        __builtin_trap();
    }
    hdr = mem;
    memset(hdr, 0, DPDKR_HDR_SIZE);
    memcpy(hdr, data, size < HDR_BYTES ? size : HDR_BYTES);
    in.p += size < HDR_BYTES ? size : HDR_BYTES;
    in.n -= size < HDR_BYTES ? size : HDR_BYTES;
    flags = take(&in, 1);
    file_size = flags & 1 ? hdr->region_size : take(&in, 8);

    /* The region: exactly file_size bytes, or only the header and control
     * block if that is too big. */
    alloc = file_size <= REGION_MAX ? file_size
            : DPDKR_HDR_SIZE + DPDKR_CTRL_SIZE;
    if (alloc < DPDKR_HDR_SIZE) {
        alloc = DPDKR_HDR_SIZE;
    }
    if (posix_memalign(&mem, 4096, alloc)) {
        __builtin_trap();
    }
    base = mem;
    memcpy(base, hdr, DPDKR_HDR_SIZE);
    memset(base + DPDKR_HDR_SIZE, 0, alloc - DPDKR_HDR_SIZE);
    free(hdr);

    if (alloc < file_size) {
        /* Only the header is real: the validator must stay in it. */
        POISON(base + DPDKR_HDR_SIZE, alloc - DPDKR_HDR_SIZE);
    }
    error = dpdkr_region_validate(base, file_size, &g);
    if (error || alloc < file_size) {
        if (!error) {
            check_geometry(&g, file_size);
        }
        UNPOISON(base, alloc);
        free(mem);
        return 0;
    }
    check_geometry(&g, file_size);

    /* The rings, with OVS's producer and consumer on each, starting from
     * indexes in the input. */
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        uint32_t start = take(&in, 4);

        dpdkr_ring_view_init(&views[0][i], base, &g, i, start);
        dpdkr_ring_view_init(&views[1][i], base, &g, i, start);
        views[0][i].ring->head = start;
        views[0][i].ring->tail = start;
    }
    poison_region(base, file_size, &g);
    do_ops(views, &in);

    UNPOISON(base, alloc);
    free(mem);
    return 0;
}
