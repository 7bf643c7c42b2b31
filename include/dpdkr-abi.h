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

#ifndef DPDKR_ABI_H
#define DPDKR_ABI_H 1

/* The dpdkr shared-memory ABI, version 1.4.
 *
 * This header is the whole contract between Open vSwitch (the "server",
 * which creates a region per dpdkr port) and the application attached to
 * that port (the "client", through the net_dpdkr poll-mode driver).  It is
 * shared, unchanged, by both sides and by the tests; see
 * Documentation/dpdkr-abi.rst for the picture.
 *
 * Rules that make the region safe against a hostile or buggy peer:
 *
 *   - Shared memory holds offsets and lengths, never pointers.
 *
 *   - The server writes the header once, before it publishes 'magic'.  Each
 *     side validates the geometry once (dpdkr_region_validate() in
 *     dpdkr-ring.h), keeps a private copy and never reads it again.
 *
 *   - Each word has exactly one writer, named in its comment.  A side reads
 *     the other side's words once per burst, bounds them against its
 *     private copy of the geometry (indexes are masked, offsets and lengths
 *     bounded) and never trusts its own words read back from shared memory:
 *     it keeps the truth in private memory.
 *
 *   - Counters in the region are informational copies that their writer
 *     maintains for the peer; nobody derives anything from them unchecked.
 *
 * Layout of a region (every offset is published in the header, in the
 * spirit of io_uring's ring offsets; readers never hard-code them):
 *
 *   0                 struct dpdkr_region_hdr (DPDKR_HDR_SIZE bytes)
 *   ctrl_offset       struct dpdkr_ctrl (lane hand-over, DPDKR_CTRL_SIZE)
 *   ring[i].offset    struct dpdkr_ring + desc[1 << log2_size], for
 *                     i = DPDKR_RING_S2C (server to client) and
 *                     DPDKR_RING_C2S (client to server)
 *   ring[i].buf_offset  buffer area of ring i: (1 << log2_size) slots of
 *                     buf_size bytes; a descriptor's 'offset' is relative
 *                     to the start of its own ring's buffer area.
 *
 * Attachment: a client holds an open-file-description write lock over the
 * whole region file (fcntl F_OFD_SETLK) while attached; the server tests
 * for it with F_OFD_GETLK, which takes no lock, and the kernel drops it when
 * the client exits or crashes (dpdkr_client_lock() in dpdkr-ring.h).
 * A lock means nothing across a host/guest boundary: a client in a virtual
 * machine, which maps the region as the BAR of a QEMU ivshmem-plain device,
 * holds a lock only inside the guest.  So a client of 1.3 also advances
 * 'client_heartbeat' at least every DPDKR_HEARTBEAT_MS while it is started,
 * and the server takes a client for present if it holds the lock or if the
 * heartbeat changed within the last DPDKR_HEARTBEAT_TIMEOUT_MS.  The
 * heartbeat only ever makes a client look alive, which a hostile client
 * could claim anyway by holding the lock.
 *
 * Compatibility: a reader accepts a region whose 'major' equals its own and
 * whose 'minor' is any value; fields added in a later minor version sit in
 * space that earlier versions reserve as zero, and 'hdr_size' tells how
 * much of the header the writer knew about.
 *
 * 1.2 changed how lane requests and acknowledgements are published (a
 * seqlock, with even generations) and added the lanes' geometry to the
 * control block.  A 1.2 client of a 1.1 switch takes no lane: it waits out
 * the odd generations of such a switch and refuses the lanes of its even
 * ones, whose geometry is zero, so the port stays switched.  A 1.1 client
 * of a 1.2 switch works as 1.1 did, with 1.1's weaknesses (see "Lanes").
 *
 * 1.4 added the switch's totals (struct dpdkr_server_totals), which let a
 * restarted switch take over the regions and lanes of the switch before it
 * (see "Restart" below).  Clients ignore them.
 *
 * 1.5 added to those totals what the switch dropped on the port itself
 * (the counters of its rings do not count it), so that a restarted switch
 * goes on counting drops too.  A 1.4 switch leaves them zero.
 *
 * 1.6 added to each acknowledgement when the client switched paths
 * ('switched_ns', its CLOCK_MONOTONIC), for timing hand-overs.  The switch
 * only logs it, and only if it lies between its request and its reading of
 * the answer (a client in a virtual machine has a clock of its own); a 1.5
 * client leaves it zero. */

#include <stddef.h>
#include <stdint.h>

#define DPDKR_MAGIC UINT64_C(0x3250325052444b50) /* "PKDRP2P2", LE. */
#define DPDKR_VERSION_MAJOR 1
#define DPDKR_VERSION_MINOR 6

#define DPDKR_CACHE_LINE 64

/* Sizes of the fixed parts. */
#define DPDKR_HDR_SIZE 4096
#define DPDKR_CTRL_SIZE 4096
#define DPDKR_RING_HDR_SIZE (2 * DPDKR_CACHE_LINE)

/* Limits a reader enforces on a region's geometry. */
#define DPDKR_LOG2_RING_MIN 6           /* 64 descriptors. */
#define DPDKR_LOG2_RING_MAX 15          /* 32768 descriptors. */
#define DPDKR_BUF_SIZE_MIN 256
#define DPDKR_BUF_SIZE_MAX 65535
#define DPDKR_REGION_SIZE_MAX (UINT64_C(1) << 33) /* Fits the largest rings. */

/* Liveness of a client that cannot be seen through its lock (1.3). */
#define DPDKR_HEARTBEAT_MS 100          /* Client: period of its beats. */
#define DPDKR_HEARTBEAT_TIMEOUT_MS 2000 /* Server: gone after so long. */

/* Bits of dpdkr_region_hdr.flags (1.3). */
#define DPDKR_REGION_F_LANE 0x1 /* A lane, not a port's region. */

/* Bits of dpdkr_region_hdr.client_flags (1.3). */
#define DPDKR_CLIENT_F_VM 0x1   /* The client is in a virtual machine: it
                                 * maps lanes that an agent plugs into it as
                                 * ivshmem devices, not files. */

/* Rings, indexed by direction. */
enum dpdkr_ring_id {
    DPDKR_RING_S2C = 0,         /* Server (OVS) to client: client's rx. */
    DPDKR_RING_C2S = 1,         /* Client to server (OVS): client's tx. */
    DPDKR_N_RINGS = 2
};

/* Values of dpdkr_region_hdr.server_state. */
enum dpdkr_server_state {
    DPDKR_SERVER_INIT = 0,      /* Region being built: do not attach. */
    DPDKR_SERVER_UP = 1,        /* Server is serving this region. */
    DPDKR_SERVER_CLOSED = 2     /* Server is gone; region is unlinked. */
};

/* Values of dpdkr_region_hdr.client_state. */
enum dpdkr_client_state {
    DPDKR_CLIENT_DETACHED = 0,
    DPDKR_CLIENT_ATTACHED = 1,  /* Mapped, but not started. */
    DPDKR_CLIENT_RUNNING = 2    /* Started: polls and sends. */
};

/* Where a ring and its buffers are.  Written by the server only. */
struct dpdkr_ring_info {
    uint64_t offset;            /* Of struct dpdkr_ring, from region start. */
    uint64_t buf_offset;        /* Of the buffer area, from region start. */
    uint32_t log2_size;         /* Number of descriptors, log2. */
    uint32_t buf_size;          /* Bytes per buffer slot. */
    uint64_t buf_area_size;     /* Bytes in the buffer area. */
};

/* The region header, at offset 0.  All of it is written by the server
 * before 'magic' (release order), except the client's cache line. */
struct dpdkr_region_hdr {
    uint64_t magic;             /* DPDKR_MAGIC, written last. */
    uint16_t major;             /* DPDKR_VERSION_MAJOR. */
    uint16_t minor;             /* DPDKR_VERSION_MINOR. */
    uint32_t hdr_size;          /* Bytes of header the writer defined. */
    uint64_t region_size;       /* Size of the whole file, in bytes. */
    uint64_t epoch;             /* Differs for every region the server
                                 * creates, so a client can tell a
                                 * re-created region from the old one. */
    uint32_t n_rings;           /* DPDKR_N_RINGS. */
    uint32_t flags;             /* DPDKR_REGION_F_* (1.3; zero before). */
    uint64_t ctrl_offset;       /* Of struct dpdkr_ctrl. */
    uint32_t ctrl_size;         /* DPDKR_CTRL_SIZE. */
    uint32_t pad0;
    struct dpdkr_ring_info ring[DPDKR_N_RINGS];
    uint8_t pad1[DPDKR_CACHE_LINE * 3 - 120];

    /* Cache line 3: written by the server only. */
    uint32_t server_state;      /* enum dpdkr_server_state. */
    uint32_t server_pid;        /* Informational. */
    uint8_t pad2[DPDKR_CACHE_LINE - 8];

    /* Cache line 4: written by the client only. */
    uint32_t client_state;      /* enum dpdkr_client_state. */
    uint32_t client_pid;        /* Informational. */
    uint64_t client_attaches;   /* Incremented at every attach. */
    uint64_t client_heartbeat;  /* 1.3: advanced while started. */
    uint32_t client_flags;      /* 1.3: DPDKR_CLIENT_F_*. */
    uint8_t pad3[DPDKR_CACHE_LINE - 28];

    /* Cache lines 5 and 6: written by the server only (1.4). */
    struct dpdkr_server_totals {
        /* What lanes carried for this port, as the server added it to the
         * port's statistics. */
        uint64_t lane_rx_packets;
        uint64_t lane_rx_bytes;
        uint64_t lane_tx_packets;
        uint64_t lane_tx_bytes;
        uint64_t lane_tx_dropped;
        /* 1.5: what the server itself dropped on the port (a full ring to
         * the client, QoS, MTU, no buffers), which no ring counts. */
        uint64_t switch_rx_dropped;
        uint64_t switch_tx_dropped;
        uint64_t pad0;
        /* The counters of the lane ring that carries this port's
         * application's packets (its transmit request's lane and ring), as
         * the server last read and credited them. */
        uint64_t mark_epoch;    /* Of that lane, or 0. */
        uint64_t mark_packets;
        uint64_t mark_bytes;
        uint64_t mark_drops;
        uint64_t mark_drop_bytes;
        uint64_t pad1[3];
    } server_totals;

    uint8_t reserved[DPDKR_HDR_SIZE - 7 * DPDKR_CACHE_LINE];
};

/* The size of a 1.3 header: a 1.4 reader accepts a 'hdr_size' this small
 * (the totals are then zero). */
#define DPDKR_HDR_SIZE_1_3 (5 * DPDKR_CACHE_LINE)

/* Restart (1.4).
 * ==============
 * A server that stops without closing its regions (it is killed, or it is
 * told to leave them for the next server) leaves them served: 'magic',
 * 'epoch' and 'server_state' (DPDKR_SERVER_UP) unchanged.  Its clients
 * notice nothing; while no server runs they fill their rings.  A server
 * that starts and finds such a region, of the geometry, owner and mode it
 * would create, with a client attached, adopts it instead of re-creating
 * it: it resumes consuming at its C2S 'tail' and producing at its S2C
 * 'head' (within a ring of the client's indexes, or it skips to them),
 * continues its ring counters, request generations and 'server_totals',
 * and writes its own 'server_pid'.  It takes over the lane that the
 * port's requests name, if that lane's file is where the server would
 * create it, with the geometry it would give it and the epoch the request
 * names, and credits what the lane carried since 'server_totals.mark_*'.
 * Every value it reads back was writable by the client: indexes and
 * geometry are bounded like any other; counters and totals are taken as
 * they are, since they only describe that client's own port (which it
 * could make count anything by sending). */

/* A descriptor: one packet in the buffer area of the descriptor's ring.
 * Written by the ring's producer; the consumer copies it out once and
 * checks 'offset' + 'len' <= buf_area_size, 'len' <= buf_size and 'flags'
 * before it touches a byte. */
struct dpdkr_desc {
    uint32_t offset;            /* From the start of the buffer area. */
    uint32_t len;               /* Bytes of packet data. */
    uint16_t flags;             /* None defined in 1.0: zero. */
    uint16_t rsvd0;
    uint32_t rsvd1;
};

/* A single-producer single-consumer ring.  'head' and 'tail' are
 * free-running 32-bit counters: the producer has filled descriptors
 * [tail, head) (modulo 2**32), masked by size - 1 to index 'desc'. */
struct dpdkr_ring {
    /* Cache line 0: written by the producer only. */
    uint32_t head;              /* Next descriptor the producer fills. */
    uint32_t prod_rsvd;
    uint64_t prod_packets;      /* Packets enqueued. */
    uint64_t prod_bytes;        /* Bytes enqueued. */
    uint64_t prod_drops;        /* Packets dropped: ring full or too big. */
    uint64_t prod_drop_bytes;   /* 1.1: bytes of packets dropped as too
                                 * big (for a lane: over the output
                                 * port's MTU). */
    uint8_t prod_pad[DPDKR_CACHE_LINE - 40];

    /* Cache line 1: written by the consumer only. */
    uint32_t tail;              /* Next descriptor the consumer reads. */
    uint32_t cons_rsvd;
    uint64_t cons_packets;      /* Packets dequeued. */
    uint64_t cons_bytes;        /* Bytes dequeued. */
    uint64_t cons_errors;       /* Invalid descriptors or indexes seen. */
    uint8_t cons_pad[DPDKR_CACHE_LINE - 32];

    struct dpdkr_desc desc[];   /* 1 << log2_size of them. */
};

/* Lanes (ABI 1.1).
 * ===============
 *
 * When the switch's OpenFlow rules make port A a point-to-point link to
 * port B, the switch creates a lane: a region of the same format as a
 * port's (header, two rings, buffers), mapped only by the applications on
 * A and B.  Ring 'lane_ring' of the lane carries A's packets straight to
 * B; the other ring may carry B->A.  The control block of each port's
 * region holds one request (switch to client) and one acknowledgement
 * (client to switch) per ring of the port, on separate cache lines:
 *
 *   req[DPDKR_RING_C2S]/ack[DPDKR_RING_C2S] steer the client's transmit
 *     side.  DIRECT: produce into the lane instead of the port's C2S ring,
 *     dropping (and counting in the lane ring's prod_drops) packets longer
 *     than 'max_len'.  SWITCHED: produce into the C2S ring again.  The
 *     acknowledgement reports where the producer stopped on each path:
 *     'old_path_seq' is its C2S head and 'lane_seq' its lane head at the
 *     moment it acknowledged.
 *
 *   req[DPDKR_RING_S2C]/ack[DPDKR_RING_S2C] steer the client's receive
 *     side.  The consumer first reads its S2C ring up to index
 *     'old_path_seq' (the switch has put every packet of the old path
 *     before it), then, for SWITCHED, reads the lane ring up to 'lane_seq'
 *     or until it is empty, and only then goes on with the new path:
 *     lane and S2C ring for DIRECT, S2C ring alone for SWITCHED.  It
 *     acknowledges once it is on the new path.
 *
 * A side publishes a request or acknowledgement under a seqlock (1.2):
 * request generations are even, from 2, advancing by 2, and an
 * acknowledgement's generation is that of the request it answers.  The
 * writer first stores the odd value generation - 1 into 'generation', then
 * (after a release fence) every other field, then the new even
 * 'generation' with release order.  The reader reads 'generation' with
 * acquire order (one word per burst); an odd value means "being written,
 * look again later".  Only when it is even and changed does the reader
 * copy the other fields into private memory, then, after an acquire fence,
 * read 'generation' again, and it accepts the copy only if both reads are
 * equal.  (In 1.1 the writer did not store the odd value first, so a
 * reader could accept fields of two generations.)  The switch
 * never waits for a client without a time limit: a client that does not
 * acknowledge in time is taken back to the switched path (see
 * Documentation/dpdkr-lanes.rst).
 *
 * An application that sends nothing never runs its transmit burst and so
 * never acknowledges a C2S request.  To take such a sender off a lane
 * without it, the switch must know that it is not in the middle of a burst
 * that read the old request: the producer makes ack[C2S].tx_busy odd,
 * with a full fence, before it reads the request generation at the start
 * of each burst, and even again at its end.  If tx_busy is even after the
 * switch published its request (and a full fence), the producer's next
 * burst will see the request before it sends anything.
 *
 * The same holds for a consumer that reads a lane: a receive burst in
 * DIRECT reads the lane and then the S2C ring, so if the switch, tired of
 * waiting for the acknowledgement of SWITCHED, put new-path packets on the
 * S2C ring while such a burst was under way, they could overtake the rest
 * of the lane.  The consumer makes ack[S2C].rx_busy odd, with a full fence,
 * before it reads the request generation at the start of each burst it
 * begins in DIRECT (reading the lane), and even again at its end.  The
 * switch gives up waiting for the acknowledgement only while rx_busy is
 * even: the consumer's next burst then sees the request first.
 *
 * A request that names a lane comes with the lane's path and geometry
 * (lane_path[i], lane_geo[i], 1.2), written by the switch inside the
 * request's seqlock.  The client copies them with the request, validates
 * the geometry against the size of the lane file as it opened it, and
 * uses only that copy: the lane's own header is writable by both
 * applications on the lane, so of it a client checks only 'magic', 'epoch'
 * and 'server_state'.  A 1.1 switch leaves lane_geo zero, which no client
 * of 1.2 accepts: it refuses such lanes.
 *
 * A client that cannot use a lane acknowledges DPDKR_LANE_REFUSED and
 * stays on the switched path.
 *
 * Clients in virtual machines (1.3).  A client that maps its port's region
 * as the BAR of an ivshmem-plain device sets DPDKR_CLIENT_F_VM in
 * 'client_flags'.  It cannot open 'lane_path': before the switch asks such
 * a client to use a lane, an agent on the host plugs the lane's file into
 * the virtual machine as another ivshmem-plain device.  The client finds it
 * by itself, outside its bursts: the only ivshmem device whose BAR starts
 * with a dpdkr header with DPDKR_REGION_F_LANE, the request's 'lane_epoch'
 * and a size equal to lane_geo.region_size.  Until it has, it does not
 * acknowledge the request.  It takes nothing else from that header. */
enum dpdkr_lane_state {
    DPDKR_LANE_SWITCHED = 0,    /* Through the switch (the port's rings). */
    DPDKR_LANE_DIRECT = 1,      /* Through ring 'lane_ring' of the lane. */
    DPDKR_LANE_REFUSED = 2,     /* Acknowledgement only: lane unusable. */
};

struct dpdkr_lane_req {         /* Written by the server only. */
    uint32_t generation;        /* Even; advances by 2 for every new
                                 * request, odd while being written. */
    uint32_t state;             /* Requested enum dpdkr_lane_state. */
    uint64_t lane_epoch;        /* Epoch of the lane region to use. */
    uint32_t lane_ring;         /* Ring of the lane region to use. */
    uint32_t max_len;           /* C2S: longest packet for the lane. */
    uint64_t old_path_seq;      /* S2C: index to reach on the port ring. */
    uint64_t lane_seq;          /* S2C, SWITCHED: lane index to drain to. */
    uint8_t pad[DPDKR_CACHE_LINE - 40];
};

struct dpdkr_lane_ack {         /* Written by the client only. */
    uint32_t generation;        /* Generation acknowledged (even), odd
                                 * while being written. */
    uint32_t state;             /* State reached: enum dpdkr_lane_state. */
    uint64_t old_path_seq;      /* Producer's port (C2S) ring head. */
    uint64_t lane_seq;          /* Producer's lane ring head, or 0. */
    uint32_t tx_busy;           /* C2S: odd while the producer is inside a
                                 * transmit burst (see below). */
    uint32_t rx_busy;           /* S2C: odd while the consumer is inside a
                                 * receive burst that reads the lane. */
    uint64_t switched_ns;       /* 1.6: the client's CLOCK_MONOTONIC, in ns,
                                 * when it took the path it acknowledges
                                 * (the burst that acknowledges), or 0.
                                 * Only for timing hand-overs. */
    uint8_t pad[DPDKR_CACHE_LINE - 40];
};

/* The geometry of the lane that a request names (1.2), as the switch
 * created it.  Written by the server only, under the request's seqlock.
 * Both applications on a lane can write the lane's own header, so a client
 * takes the lane's geometry from here, from the control block of its own
 * port, which only the switch writes, and never from the lane's header. */
struct dpdkr_lane_geo {
    uint64_t region_size;       /* Size of the lane file, in bytes. */
    uint64_t epoch;             /* The lane's epoch (as req.lane_epoch). */
    uint64_t ctrl_offset;       /* Of the lane's own (unused) control. */
    uint64_t rsvd;              /* Zero. */
    struct dpdkr_ring_info ring[DPDKR_N_RINGS];
};

#define DPDKR_LANE_PATH_SIZE 256

struct dpdkr_ctrl {
    struct dpdkr_lane_req req[DPDKR_N_RINGS];
    struct dpdkr_lane_ack ack[DPDKR_N_RINGS];
    char lane_path[DPDKR_N_RINGS][DPDKR_LANE_PATH_SIZE];
                                /* Server-written, NUL-padded, under the
                                 * seqlock of req[i]: the lane of req[i]. */
    struct dpdkr_lane_geo lane_geo[DPDKR_N_RINGS];
                                /* 1.2: server-written, under the seqlock
                                 * of req[i]: the geometry of that lane. */
    uint8_t reserved[DPDKR_CTRL_SIZE - 4 * DPDKR_CACHE_LINE
                     - DPDKR_N_RINGS * DPDKR_LANE_PATH_SIZE
                     - DPDKR_N_RINGS * 96];
};

/* The ABI is fixed: catch any accidental change of a size or offset. */
#define DPDKR_ABI_ASSERT(EXPR, MSG) _Static_assert(EXPR, MSG)
DPDKR_ABI_ASSERT(sizeof(struct dpdkr_ring_info) == 32, "ring_info");
DPDKR_ABI_ASSERT(sizeof(struct dpdkr_region_hdr) == DPDKR_HDR_SIZE, "hdr");
DPDKR_ABI_ASSERT(offsetof(struct dpdkr_region_hdr, server_totals)
                 == DPDKR_HDR_SIZE_1_3, "server_totals");
DPDKR_ABI_ASSERT(sizeof(struct dpdkr_server_totals) == 2 * DPDKR_CACHE_LINE,
                 "server_totals size");
DPDKR_ABI_ASSERT(sizeof(struct dpdkr_desc) == 16, "desc");
DPDKR_ABI_ASSERT(sizeof(struct dpdkr_ring) == DPDKR_RING_HDR_SIZE, "ring");
DPDKR_ABI_ASSERT(sizeof(struct dpdkr_lane_geo) == 96, "lane_geo");
DPDKR_ABI_ASSERT(sizeof(struct dpdkr_ctrl) == DPDKR_CTRL_SIZE, "ctrl");
DPDKR_ABI_ASSERT(sizeof(struct dpdkr_lane_req) == DPDKR_CACHE_LINE, "req");
DPDKR_ABI_ASSERT(sizeof(struct dpdkr_lane_ack) == DPDKR_CACHE_LINE, "ack");
DPDKR_ABI_ASSERT(offsetof(struct dpdkr_lane_ack, switched_ns) == 32,
                 "ack switched_ns");

#endif /* dpdkr-abi.h */
