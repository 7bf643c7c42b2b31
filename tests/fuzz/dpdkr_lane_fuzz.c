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
 * (zero beyond the input's end).  The control block is allocated with
 * exactly its size, and before each read everything but the part that the
 * reader may read is poisoned, so AddressSanitizer reports any access
 * outside it.  Each reader runs on each ring, and must:
 *
 *   - refuse a request or acknowledgement whose generation is odd (the
 *     ABI's seqlock: being written), and accept any other (nothing changes
 *     it while it is read here);
 *   - return exactly the fields in shared memory, and nothing else. */

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
    void *mem;
    int i;

    if (posix_memalign(&mem, DPDKR_CACHE_LINE, sizeof *ctrl)) {
        __builtin_trap();
    }
    ctrl = mem;
    memset(ctrl, 0, sizeof *ctrl);
    memcpy(ctrl, data, size < sizeof *ctrl ? size : sizeof *ctrl);

    for (i = 0; i < DPDKR_N_RINGS; i++) {
        check_req(ctrl, i);
        check_ack(ctrl, i);
    }

    UNPOISON(ctrl, sizeof *ctrl);
    free(mem);
    return 0;
}
