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

/* Lanes (see p2p/ofproto/p2p-lane.h). */

bool netdev_is_dpdkr(const struct netdev *);

/* What a port's lanes carried, added to its own statistics. */
struct netdev_dpdkr_lane_stats {
    uint64_t rx_packets, rx_bytes;
    uint64_t tx_packets, tx_bytes, tx_dropped;
};
void netdev_dpdkr_lane_credit(const struct netdev *,
                              const struct netdev_dpdkr_lane_stats *);

/* Makes the port's receive queue look disabled to the PMD threads (as
 * vhost-user does for a disabled vring), so that they stop polling it. */
void netdev_dpdkr_set_rx_bypassed(struct netdev *, bool bypassed);
bool netdev_dpdkr_get_rx_bypassed(const struct netdev *);

/* Where and how to create a lane region for this port: the directory,
 * mode, owner and group of its own region.  Returns false if 'netdev' is
 * not a configured dpdkr port.  The caller frees '*dir'. */
bool netdev_dpdkr_lane_config(const struct netdev *, char **dir,
                              mode_t *mode, long long *owner,
                              long long *group);

#endif /* netdev-dpdkr.h */
