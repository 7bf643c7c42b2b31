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

#ifndef NETDEV_DPDKR_H
#define NETDEV_DPDKR_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct netdev;
struct netdev_class;

/* Registers the "dpdkr" netdev class, built on netdev-dpdk's class 'dpdk'
 * (the one of type "dpdk"), whose functions it reuses.  Called once, by
 * netdev_dpdk_register(), after DPDK is initialized. */
void netdev_dpdkr_register(const struct netdev_class *dpdk);

/* Lanes.
 * ======
 *
 * The mechanism of direct lanes between dpdkr ports, for the lane manager
 * (p2p/ofproto/p2p-lane.c), which decides when a direction A->B goes
 * direct and back, and drives the hand-over described in dpdkr-abi.h and
 * Documentation/dpdkr-lanes.rst through these functions.  Only lib/ knows
 * how a lane is made (a region file today), DPDK port ids and the words of
 * shared memory; everything read from an application is checked here.
 *
 * Functions that take a port return 0 or a positive errno value (ENODEV if
 * it is not a configured dpdkr port).  In builds without DPDK they exist
 * too, and no port is capable of lanes.  Main thread only, unless said. */

struct ds;
struct seq;
struct netdev_dpdkr_lane;

/* Returns true if 'netdev' can take part in a lane (it is a dpdkr port). */
bool netdev_dpdkr_lane_capable(const struct netdev *);

/* Which side of the application on a port a hand-over step steers. */
enum netdev_dpdkr_side {
    NETDEV_DPDKR_TX,            /* What it sends: its port ring or a lane. */
    NETDEV_DPDKR_RX,            /* What it receives. */
};

/* Where a side sends or receives. */
enum netdev_dpdkr_path {
    NETDEV_DPDKR_SWITCHED,      /* Through OVS, on the port's own rings. */
    NETDEV_DPDKR_DIRECT,        /* Through a lane. */
    NETDEV_DPDKR_REFUSED,       /* Answer only: the application cannot. */
};

/* A request to the application on a port (dpdkr-abi.h, dpdkr_lane_req). */
struct netdev_dpdkr_request {
    enum netdev_dpdkr_side side;
    enum netdev_dpdkr_path path;
    const struct netdev_dpdkr_lane *lane; /* The lane to use (DIRECT) or
                                           * to finish (SWITCHED), or
                                           * NULL. */
    int ring;                   /* Ring of 'lane'. */
    uint32_t max_len;           /* TX, DIRECT: longest frame for the lane. */
    uint32_t old_path_seq;      /* RX: port ring index to reach first. */
    uint32_t lane_seq;          /* RX, SWITCHED: lane index to finish at. */
};

/* An application's answer, checked: 'old_path_seq' of a TX answer is an
 * index that the application's port ring can have reached. */
struct netdev_dpdkr_answer {
    enum netdev_dpdkr_path path;
    uint32_t old_path_seq;      /* Where it left its port ring (TX). */
    uint32_t lane_seq;          /* Where it left the lane (TX). */
    long long int switched_us;  /* When the application says it took the
                                 * path (its CLOCK_MONOTONIC, as
                                 * time_usec()), or 0.  Unchecked: only for
                                 * timing hand-overs, once bounded. */
};

/* Whether an application is attached to the port and started. */
int netdev_dpdkr_client_running(const struct netdev *, bool *running);

/* Makes lane 'l' reachable by the application on 'netdev', one of the
 * lane's two ports.  Returns 0 if it is: an application on the host maps
 * the lane's file itself, one in a virtual machine once an agent has
 * plugged the file into the virtual machine and said so.  Returns
 * EINPROGRESS while that is under way, or another errno value with the
 * reason in '*why' (owned by 'l'). */
int netdev_dpdkr_lane_plug(struct netdev_dpdkr_lane *l,
                           const struct netdev *, const char **why);

/* Whether an application is attached to the port: it holds the region's
 * lock, or (in a virtual machine) its heartbeat is fresh. */
int netdev_dpdkr_client_attached(const struct netdev *, bool *attached);

/* Publishes 'req' to the application and stores its generation in
 * '*generation'. */
int netdev_dpdkr_request(const struct netdev *,
                         const struct netdev_dpdkr_request *req,
                         uint32_t *generation);

/* Reads the application's answer on 'side': 0 if it answers request
 * 'generation' with something plausible (in '*answer'), EAGAIN if it has
 * not answered it (yet), EPROTO if the answer is impossible. */
int netdev_dpdkr_answer(const struct netdev *, enum netdev_dpdkr_side side,
                        uint32_t generation,
                        struct netdev_dpdkr_answer *answer);

/* Returns true if the application may be inside a burst on 'side' that
 * read an earlier request (dpdkr-abi.h: tx_busy, rx_busy).  If it returns
 * false after a request was published, the application's next burst sees
 * that request before it sends or receives anything. */
bool netdev_dpdkr_in_burst(const struct netdev *, enum netdev_dpdkr_side);

/* With 'hold', OVS's receive path reads the port's ring only up to index
 * 'limit'; without, everything. */
int netdev_dpdkr_rx_hold(const struct netdev *, bool hold, uint32_t limit);

/* Returns true if, holding, OVS has received and processed everything up
 * to the limit. */
bool netdev_dpdkr_rx_at_limit(const struct netdev *);

/* Index of OVS's receive path on the port's ring: it moves when OVS
 * receives packets from the application. */
uint32_t netdev_dpdkr_rx_index(const struct netdev *);

/* Stores in '*head' the index after the last packet the application has
 * put on the port's ring to OVS (its C2S ring).  Returns 0, or EPROTO if the
 * application wrote an index that its ring cannot have reached. */
int netdev_dpdkr_rx_head(const struct netdev *, uint32_t *head);

/* Stores in '*in_vm' whether the application on the port says that it runs
 * in a virtual machine (lanes reach it through an agent). */
int netdev_dpdkr_client_in_vm(const struct netdev *, bool *in_vm);

/* Index after the last packet OVS has put on the port's receive ring (the
 * application's S2C ring). */
uint32_t netdev_dpdkr_tx_head(const struct netdev *);

/* Makes the port's receive queue look disabled to the PMD threads (as
 * vhost-user does for a disabled vring), so that they stop polling it. */
void netdev_dpdkr_set_rx_bypassed(const struct netdev *, bool bypassed);
bool netdev_dpdkr_get_rx_bypassed(const struct netdev *);

/* Arranges for 'seq' to change once OVS's PMD threads receive a packet on
 * the port (an application that sent nothing has started to), once. */
void netdev_dpdkr_notify_rx(const struct netdev *, struct seq *);

/* Lanes.  A lane joins the applications on ports 'lo' and 'hi': ring 0
 * carries lo->hi, ring 1 hi->lo. */

/* Creates a lane for 'lo' and 'hi', next to 'lo''s region, with its mode
 * and owner and ring size.  Returns NULL, with a message in '*errp' (to
 * free), if it cannot. */
struct netdev_dpdkr_lane *netdev_dpdkr_lane_open(const struct netdev *lo,
                                                 const struct netdev *hi,
                                                 char **errp);
void netdev_dpdkr_lane_close(struct netdev_dpdkr_lane *);

/* Its name (the path of its file), for logs and p2p/show. */
const char *netdev_dpdkr_lane_name(const struct netdev_dpdkr_lane *);

/* Returns true if ring 'ring' of the lane holds no packet. */
bool netdev_dpdkr_lane_empty(const struct netdev_dpdkr_lane *, int ring);

/* Index after the last packet the sender put on ring 'ring'. */
uint32_t netdev_dpdkr_lane_head(const struct netdev_dpdkr_lane *, int ring);

/* What a lane ring carried, as its sender counts it. */
struct netdev_dpdkr_lane_counters {
    uint64_t packets, bytes;    /* Put on the lane. */
    uint64_t drops, drop_bytes; /* Dropped: lane full or frame too long. */
};

/* Reads the counters of ring 'ring' (written by the sender: hostile) and
 * stores in '*delta' how much they grew since '*last', which it then
 * updates.  Counters that went backwards or jumped implausibly far are not
 * believed (and '*delta' is zero), so that what OVS reports never goes
 * backwards. */
void netdev_dpdkr_lane_read(const struct netdev_dpdkr_lane *, int ring,
                            struct netdev_dpdkr_lane_counters *last,
                            struct netdev_dpdkr_lane_counters *delta);

/* What a port's lanes carried, added to its own statistics. */
struct netdev_dpdkr_lane_stats {
    uint64_t rx_packets, rx_bytes;
    uint64_t tx_packets, tx_bytes, tx_dropped;
};
void netdev_dpdkr_lane_credit(const struct netdev *,
                              const struct netdev_dpdkr_lane_stats *);

/* Restart.
 * ========
 *
 * Regions and lanes outlive ovs-vswitchd unless it exits with --cleanup
 * (or the port is deleted): the applications go on, and the next
 * ovs-vswitchd adopts what it finds (dpdkr-abi.h, "Restart";
 * Documentation/dpdkr-lanes.rst).  An adopted port receives nothing
 * (netdev_dpdkr_rx_hold() at the index where the previous ovs-vswitchd
 * stopped) until the lane manager releases it. */

/* Tells the netdev layer that ovs-vswitchd exits, with 'cleanup' if it
 * removes its datapaths ('ovs-appctl exit --cleanup'): then regions and
 * lanes go with it; otherwise they stay for the next ovs-vswitchd, and OVS
 * stops receiving from every port where it has sent on all it received
 * (waiting, bounded, for its PMD threads), before any port goes.  On a
 * fatal signal (SIGTERM), it stops receiving the same way. */
void netdev_dpdkr_exit(bool cleanup);

/* Tells the netdev layer other_config:tx-flush-interval, in microseconds:
 * how long a stopping ovs-vswitchd lets its output batches wait. */
void netdev_dpdkr_set_tx_flush_interval(int us);

/* Returns true, once, if the region of 'netdev' was adopted from the
 * ovs-vswitchd that ran before.  Until netdev_dpdkr_adoption_done(), the
 * port's status keeps listing the lanes that its application in a virtual
 * machine is on, so that the agent leaves them plugged. */
bool netdev_dpdkr_take_adopted(const struct netdev *);
void netdev_dpdkr_adoption_done(const struct netdev *);

/* The request currently published to the application on one side of a port
 * (on an adopted region, the previous ovs-vswitchd's), read back from
 * shared memory and checked. */
struct netdev_dpdkr_current {
    uint32_t generation;        /* 0 if none was ever published. */
    enum netdev_dpdkr_path path; /* SWITCHED or DIRECT. */
    char *lane;                 /* Path of the lane it names, or NULL. */
    uint64_t lane_epoch;
    int ring;                   /* Ring of the lane, or -1. */
    uint32_t old_path_seq, lane_seq;
};
int netdev_dpdkr_request_current(const struct netdev *,
                                 enum netdev_dpdkr_side,
                                 struct netdev_dpdkr_current *);

/* Takes over the lane of ports 'lo' and 'hi' that the previous
 * ovs-vswitchd created, whose epoch the ports' requests name as 'epoch':
 * its file must be where netdev_dpdkr_lane_open() creates it, with the
 * owner, mode, size and geometry it gives it and that epoch.  Returns
 * NULL, with a message in '*errp' (to free), if it is not so. */
struct netdev_dpdkr_lane *netdev_dpdkr_lane_adopt(const struct netdev *lo,
                                                  const struct netdev *hi,
                                                  uint64_t epoch,
                                                  char **errp);

/* Returns the path of the lane of 'lo' and 'hi' (to free) as
 * netdev_dpdkr_lane_open() would create it, or NULL if the ports are not
 * ready. */
char *netdev_dpdkr_lane_path(const struct netdev *lo, const struct netdev *hi);

/* Returns the epoch of 'l'. */
uint64_t netdev_dpdkr_lane_epoch(const struct netdev_dpdkr_lane *);

/* Publishes in the region of 'netdev', the input port of a direction on a
 * lane of epoch 'epoch' (0: none), the lane counters as last credited
 * ('mark'), for the next ovs-vswitchd; netdev_dpdkr_lane_get_mark() gives
 * back, on an adopted port, what the previous one published for 'epoch'
 * (returning false, with zeros, if it published nothing for it). */
void netdev_dpdkr_lane_set_mark(const struct netdev *, uint64_t epoch,
                                const struct netdev_dpdkr_lane_counters *);
bool netdev_dpdkr_lane_get_mark(const struct netdev *, uint64_t epoch,
                                struct netdev_dpdkr_lane_counters *);

#endif /* netdev-dpdkr.h */
