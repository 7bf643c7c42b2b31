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

#ifndef DPDKR_REGION_H
#define DPDKR_REGION_H 1

/* Creating a region file: the one home of what the switch does to make a
 * region, shared by a port's region (the net_dpdkr driver in its server
 * role) and a lane (lib/dpdkr-lane.c): the default sizes and the size
 * limits, page alignment on hugetlbfs, the epoch, file creation with its
 * mode and owner.  Not part of the ABI (dpdkr-abi.h): a client never
 * creates a region. */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "dpdkr-ring.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

/* Sizes of a port's region when its options do not say. */
#define DPDKR_DEFAULT_RING_SIZE 1024
#define DPDKR_DEFAULT_BUF_SIZE 2048

/* The buffer slots of a lane: room for the largest frame a dpdkr port
 * carries (2048 bytes), and 128 bytes more so that consecutive slots do not
 * start a power of 2 apart.  Slots 2048 bytes apart all start in the same
 * 2 of the 64 sets of a 32 KiB, 8-way L1 data cache, so the 32 small
 * packets of a burst evict each other from it on both sides of the ring;
 * 2176 bytes apart, they spread over 32 sets (staying 128-byte aligned, the
 * pair of lines an adjacent-line prefetcher fetches).  The two-thread ring
 * ceiling at 64 bytes (tests/dpdkr-ring-ceiling) moved 1.4 times as many
 * packets (median of 10 interleaved pairs on the 2-vCPU development VM),
 * and as many at 256 and 1500 bytes. */
#define DPDKR_LANE_BUF_SIZE 2176

/* Every region file is a power of 2 bytes, at least this much, so that QEMU
 * can map it as the BAR of an ivshmem-plain device (a PCI BAR is a power of
 * 2; QEMU aborts on any other size, even on a live device_add), libvirt
 * accepts it as a <shmem> (at least 1 MiB) and hugetlbfs can size it (a
 * multiple of its page).  The layout (the header's offsets) uses what it
 * needs of it; 'region_size' in the header is the file's size. */
#define DPDKR_REGION_FILE_MIN (UINT64_C(1) << 21)

/* The ring sizes a switch accepts (powers of 2 within the ABI's limits). */
#define DPDKR_RING_SIZE_MIN (UINT32_C(1) << DPDKR_LOG2_RING_MIN)
#define DPDKR_RING_SIZE_MAX (UINT32_C(1) << DPDKR_LOG2_RING_MAX)

/* What to create. */
struct dpdkr_region_spec {
    const char *path;           /* Absolute path of the file. */
    unsigned int mode;          /* File mode. */
    long long owner, group;     /* -1: the creator's. */
    uint32_t ring_size;         /* Descriptors per ring, a power of 2
                                 * within DPDKR_RING_SIZE_MIN...MAX. */
    uint32_t buf_size;          /* DPDKR_BUF_SIZE_MIN...MAX. */
};

/* A created region, mapped shared. */
struct dpdkr_region {
    int fd;                     /* Open read-write, or -1. */
    uint8_t *base;              /* NULL if not mapped. */
    uint64_t size;
    struct dpdkr_geometry geo;  /* With a fresh epoch. */
};

/* Returns a fresh region epoch: nonzero, and different for every region a
 * switch creates, so that a client can tell a re-created region from the
 * one it knew. */
static inline uint64_t
dpdkr_region_new_epoch(void)
{
    static uint32_t serial;
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ((((uint64_t) ts.tv_sec << 32) ^ ts.tv_nsec ^ getpid())
            + ((uint64_t) __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED)
               << 1)) | 1;
}

/* Returns true if 'ring_size' is a ring size a switch accepts. */
static inline bool
dpdkr_region_ring_size_ok(uint64_t ring_size)
{
    return (ring_size >= DPDKR_RING_SIZE_MIN
            && ring_size <= DPDKR_RING_SIZE_MAX
            && !(ring_size & (ring_size - 1)));
}

static inline void
dpdkr_region_unmap(struct dpdkr_region *r)
{
    if (r->base) {
        munmap(r->base, r->size);
        r->base = NULL;
    }
    if (r->fd >= 0) {
        close(r->fd);
        r->fd = -1;
    }
}

/* Returns the size of the file of a region whose layout needs 'size' bytes
 * on a file system of page size 'align' (a power of 2): the smallest power
 * of 2 at least as large as 'size', 'align' and DPDKR_REGION_FILE_MIN. */
static inline uint64_t
dpdkr_region_file_size(uint64_t size, uint64_t align)
{
    uint64_t file = DPDKR_REGION_FILE_MIN;

    while (file < size || file < align) {
        file <<= 1;
    }
    return file;
}

/* Creates the file 's->path' (replacing a file left there, and then
 * setting '*replaced'), with its mode and owner, sized for the geometry
 * 's' asks for (a power of 2: dpdkr_region_file_size()), and maps it
 * shared into 'r' with the geometry and a fresh epoch in 'r->geo'.  The
 * header is not written: guard the mapping first, then
 * dpdkr_region_init().
 *
 * Returns NULL, or what failed ("create", "set the mode or owner of",
 * "size", "map") with an errno value in '*err', after removing the file
 * and leaving 'r' unmapped. */
static inline const char *
dpdkr_region_create(const struct dpdkr_region_spec *s, struct dpdkr_region *r,
                    bool *replaced, int *err)
{
    const char *why;
    struct statfs sfs;
    uint64_t align = 4096;
    int log2 = 0;

    memset(r, 0, sizeof *r);
    r->fd = -1;
    *replaced = false;
    if (!dpdkr_region_ring_size_ok(s->ring_size)
        || s->buf_size < DPDKR_BUF_SIZE_MIN
        || s->buf_size > DPDKR_BUF_SIZE_MAX) {
        *err = EINVAL;
        return "size";
    }
    while ((UINT32_C(1) << log2) < s->ring_size) {
        log2++;
    }

    r->fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, s->mode);
    if (r->fd < 0 && errno == EEXIST) {
        /* Left by a switch that crashed: its clients see the old region
         * closed and re-attach to the new one. */
        *replaced = true;
        unlink(s->path);
        r->fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                     s->mode);
    }
    if (r->fd < 0) {
        *err = errno;
        return "create";
    }
    if (fchmod(r->fd, s->mode)
        || ((s->owner >= 0 || s->group >= 0)
            && fchown(r->fd, s->owner, s->group))) {
        why = "set the mode or owner of";
        goto error;
    }
    if (!fstatfs(r->fd, &sfs) && sfs.f_type == HUGETLBFS_MAGIC
        && sfs.f_bsize > 0 && !(sfs.f_bsize & (sfs.f_bsize - 1))) {
        align = sfs.f_bsize;
    }
    r->size = dpdkr_region_layout(log2, s->buf_size, align, &r->geo);
    if (r->size) {
        r->size = dpdkr_region_file_size(r->size, align);
        r->geo.region_size = r->size;
    }
    if (!r->size || r->size > DPDKR_REGION_SIZE_MAX) {
        errno = EFBIG;
        why = "size";
        goto error;
    }
    if (ftruncate(r->fd, r->size)) {
        why = "size";
        goto error;
    }
    r->base = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
                   0);
    if (r->base == MAP_FAILED) {
        r->base = NULL;
        why = "map";
        goto error;
    }
    r->geo.epoch = dpdkr_region_new_epoch();
    return NULL;

error:
    *err = errno;
    dpdkr_region_unmap(r);
    unlink(s->path);
    return why;
}

#endif /* dpdkr-region.h */
