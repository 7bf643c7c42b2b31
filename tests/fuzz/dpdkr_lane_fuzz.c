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

/* A libFuzzer target for the readers of a port's control block in
 * include/dpdkr-ring.h: the lane requests that a client reads (written by
 * the switch) and the acknowledgements that the switch reads (written by a
 * possibly hostile client).  Built like dpdkr_fuzz.c
 * (Documentation/dpdkr-fuzzing.rst):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *         -fno-sanitize-recover=all -I include \
 *         tests/fuzz/dpdkr_lane_fuzz.c -o dpdkr_lane_fuzz
 *
 * An input is the control block itself: its first DPDKR_CTRL_SIZE bytes
 * (zero beyond the input's end), then the little-endian 64-bit size of
 * the lane file that a client would find.  The control block is allocated with
 * exactly its size, and before each read everything but the part that the
 * reader may read is poisoned, so AddressSanitizer reports any access
 * outside it.  Each reader runs on each ring, and must:
 *
 *   - refuse a request or acknowledgement whose generation is odd (the
 *     ABI's seqlock: being written), and accept any other (nothing changes
 *     it while it is read here);
 *   - return exactly the fields in shared memory, and nothing else;
 *   - with a request, return the lane's path NUL-terminated within its
 *     field, and its geometry exactly as the switch wrote it, which
 *     dpdkr_geometry_check() accepts only if it fits the file. */

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ASSERT(COND, MSG)                                       \
    do {                                                        \
        if (!(COND)) {                                          \
            fprintf(stderr, "dpdkr_lane_fuzz: %s (%s:%d: %s)\n", \
                    MSG, __FILE__, __LINE__, #COND);            \
            __builtin_trap();                                   \
        }                                                       \
    } while (0)

/* Makes only [p, p + n) of the control block 'ctrl' readable. */
static void
expose(struct dpdkr_ctrl *ctrl, const void *p, size_t n)
{
    POISON(ctrl, sizeof *ctrl);
    UNPOISON(p, n);
}

static void
check_req(struct dpdkr_ctrl *ctrl, int id)
{
    const struct dpdkr_lane_req *shared = &ctrl->req[id];
    uint32_t gen = shared->generation;
    struct dpdkr_lane_req r;
    bool ok;

    memset(&r, 0xa5, sizeof r);
    expose(ctrl, shared, sizeof *shared);
    ok = dpdkr_lane_req_read(shared, gen, &r);
    UNPOISON(ctrl, sizeof *ctrl);
    ASSERT(ok == !(gen & 1), "request: wrong verdict");
    if (ok) {
        ASSERT(r.generation == gen && r.state == shared->state
               && r.lane_epoch == shared->lane_epoch
               && r.lane_ring == shared->lane_ring
               && r.max_len == shared->max_len
               && r.old_path_seq == shared->old_path_seq
               && r.lane_seq == shared->lane_seq, "request: misread");
    }

    /* A generation read before the request changed is refused. */
    expose(ctrl, shared, sizeof *shared);
    ok = dpdkr_lane_req_read(shared, gen + 2, &r);
    UNPOISON(ctrl, sizeof *ctrl);
    ASSERT(!ok, "request: accepted under another generation");
}

/* Checks, independently of dpdkr_geometry_check(), that an accepted
 * geometry 'g' fits in a file of 'file_size' bytes. */
static void
check_geometry(const struct dpdkr_geometry *g, uint64_t file_size)
{
    int i;

    ASSERT(g->region_size == file_size
           && file_size >= DPDKR_HDR_SIZE + DPDKR_CTRL_SIZE
           && file_size <= DPDKR_REGION_SIZE_MAX,
           "accepted a wrong region size");
    ASSERT((__uint128_t) g->ctrl_offset + DPDKR_CTRL_SIZE <= file_size
           && g->ctrl_offset >= DPDKR_HDR_SIZE,
           "accepted a control block out of the region");
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        const struct dpdkr_ring_info *r = &g->ring[i];

        ASSERT(r->log2_size >= DPDKR_LOG2_RING_MIN
               && r->log2_size <= DPDKR_LOG2_RING_MAX
               && r->buf_size >= DPDKR_BUF_SIZE_MIN
               && r->buf_size <= DPDKR_BUF_SIZE_MAX
               && r->buf_area_size == (uint64_t) r->buf_size << r->log2_size,
               "accepted a bad ring");
        ASSERT((__uint128_t) r->offset + DPDKR_RING_HDR_SIZE
               + (sizeof(struct dpdkr_desc) << r->log2_size) <= file_size
               && (__uint128_t) r->buf_offset + r->buf_area_size
                  <= file_size
               && r->offset >= DPDKR_HDR_SIZE
               && r->buf_offset >= DPDKR_HDR_SIZE,
               "accepted a ring out of the region");
    }
}

static void
check_req_lane(struct dpdkr_ctrl *ctrl, int id, uint64_t file_size)
{
    const struct dpdkr_lane_req *shared = &ctrl->req[id];
    const struct dpdkr_lane_geo *lg = &ctrl->lane_geo[id];
    uint32_t gen = shared->generation;
    char path[DPDKR_LANE_PATH_SIZE];
    struct dpdkr_geometry g;
    struct dpdkr_lane_req r;
    bool ok;
    int i;

    POISON(ctrl, sizeof *ctrl);
    UNPOISON(shared, sizeof *shared);
    UNPOISON(ctrl->lane_path[id], sizeof ctrl->lane_path[id]);
    UNPOISON(lg, sizeof *lg);
    ok = dpdkr_lane_req_read_lane(ctrl, id, gen, &r, path, &g);
    UNPOISON(ctrl, sizeof *ctrl);
    ASSERT(ok == !(gen & 1), "request with lane: wrong verdict");
    if (!ok) {
        return;
    }
    ASSERT(r.generation == gen && r.state == shared->state
           && r.lane_epoch == shared->lane_epoch
           && r.lane_ring == shared->lane_ring
           && r.max_len == shared->max_len
           && r.old_path_seq == shared->old_path_seq
           && r.lane_seq == shared->lane_seq, "request with lane: misread");
    ASSERT(memchr(path, '\0', sizeof path) != NULL
           && !memcmp(path, ctrl->lane_path[id], sizeof path - 1),
           "request with lane: path misread");
    ASSERT(g.region_size == lg->region_size && g.epoch == lg->epoch
           && g.ctrl_offset == lg->ctrl_offset, "lane geometry misread");
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        ASSERT(!memcmp(&g.ring[i], &lg->ring[i], sizeof g.ring[i]),
               "lane ring geometry misread");
    }
    if (!dpdkr_geometry_check(&g, file_size)) {
        check_geometry(&g, file_size);
    }
}

static void
check_ack(struct dpdkr_ctrl *ctrl, int id)
{
    const struct dpdkr_lane_ack *shared = &ctrl->ack[id];
    uint32_t gen = shared->generation;
    struct dpdkr_lane_ack a;
    bool ok;

    memset(&a, 0xa5, sizeof a);
    expose(ctrl, shared, sizeof *shared);
    ok = dpdkr_lane_ack_read(shared, &a);
    UNPOISON(ctrl, sizeof *ctrl);
    ASSERT(ok == !(gen & 1), "acknowledgement: wrong verdict");
    if (ok) {
        ASSERT(!(a.generation & 1), "acknowledgement: odd generation");
        ASSERT(a.generation == gen && a.state == shared->state
               && a.old_path_seq == shared->old_path_seq
               && a.lane_seq == shared->lane_seq,
               "acknowledgement: misread");
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dpdkr_ctrl *ctrl;
    uint64_t file_size = 0;
    void *mem;
    int i;

    if (posix_memalign(&mem, DPDKR_CACHE_LINE, sizeof *ctrl)) {
        __builtin_trap();
    }
    ctrl = mem;
    memset(ctrl, 0, sizeof *ctrl);
    memcpy(ctrl, data, size < sizeof *ctrl ? size : sizeof *ctrl);

    if (size > sizeof *ctrl) {
        size_t n = size - sizeof *ctrl;

        memcpy(&file_size, data + sizeof *ctrl,
               n < sizeof file_size ? n : sizeof file_size);
    }
    for (i = 0; i < DPDKR_N_RINGS; i++) {
        check_req(ctrl, i);
        check_req_lane(ctrl, i, file_size);
        check_ack(ctrl, i);
    }

    UNPOISON(ctrl, sizeof *ctrl);
    free(mem);
    return 0;
}
