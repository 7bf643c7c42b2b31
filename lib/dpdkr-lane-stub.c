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

/* Lanes in a build without DPDK: there are no dpdkr ports, so no port is
 * capable of a lane and every other function says so (see
 * netdev-dpdkr.h). */

#include <config.h>

#include "p2p/lib/netdev-dpdkr.h"

#include <errno.h>
#include <string.h>

#include "util.h"

bool
netdev_dpdkr_lane_capable(const struct netdev *netdev OVS_UNUSED)
{
    return false;
}

int
netdev_dpdkr_client_running(const struct netdev *netdev OVS_UNUSED,
                            bool *running)
{
    *running = false;
    return ENODEV;
}

int
netdev_dpdkr_client_attached(const struct netdev *netdev OVS_UNUSED,
                             bool *attached)
{
    *attached = false;
    return ENODEV;
}

int
netdev_dpdkr_request(const struct netdev *netdev OVS_UNUSED,
                     const struct netdev_dpdkr_request *req OVS_UNUSED,
                     uint32_t *generation)
{
    *generation = 0;
    return ENODEV;
}

int
netdev_dpdkr_answer(const struct netdev *netdev OVS_UNUSED,
                    enum netdev_dpdkr_side side OVS_UNUSED,
                    uint32_t generation OVS_UNUSED,
                    struct netdev_dpdkr_answer *answer)
{
    memset(answer, 0, sizeof *answer);
    return ENODEV;
}

bool
netdev_dpdkr_in_burst(const struct netdev *netdev OVS_UNUSED,
                      enum netdev_dpdkr_side side OVS_UNUSED)
{
    return false;
}

int
netdev_dpdkr_rx_hold(const struct netdev *netdev OVS_UNUSED,
                     bool hold OVS_UNUSED, uint32_t limit OVS_UNUSED)
{
    return ENODEV;
}

bool
netdev_dpdkr_rx_at_limit(const struct netdev *netdev OVS_UNUSED)
{
    return false;
}

uint32_t
netdev_dpdkr_rx_index(const struct netdev *netdev OVS_UNUSED)
{
    return 0;
}

int
netdev_dpdkr_client_in_vm(const struct netdev *netdev OVS_UNUSED,
                          bool *in_vm)
{
    *in_vm = false;
    return ENODEV;
}

int
netdev_dpdkr_rx_head(const struct netdev *netdev OVS_UNUSED, uint32_t *head)
{
    *head = 0;
    return ENODEV;
}

uint32_t
netdev_dpdkr_tx_head(const struct netdev *netdev OVS_UNUSED)
{
    return 0;
}

void
netdev_dpdkr_set_rx_bypassed(const struct netdev *netdev OVS_UNUSED,
                             bool bypassed OVS_UNUSED)
{
}

bool
netdev_dpdkr_get_rx_bypassed(const struct netdev *netdev OVS_UNUSED)
{
    return false;
}

void
netdev_dpdkr_notify_rx(const struct netdev *netdev OVS_UNUSED,
                       struct seq *seq OVS_UNUSED)
{
}

int
netdev_dpdkr_lane_plug(struct netdev_dpdkr_lane *l OVS_UNUSED,
                       const struct netdev *netdev OVS_UNUSED,
                       const char **why)
{
    *why = "built without DPDK";
    return ENODEV;
}

struct netdev_dpdkr_lane *
netdev_dpdkr_lane_open(const struct netdev *lo OVS_UNUSED,
                       const struct netdev *hi OVS_UNUSED, char **errp)
{
    *errp = xstrdup("this Open vSwitch is built without DPDK");
    return NULL;
}

void
netdev_dpdkr_lane_close(struct netdev_dpdkr_lane *l OVS_UNUSED)
{
}

const char *
netdev_dpdkr_lane_name(const struct netdev_dpdkr_lane *l OVS_UNUSED)
{
    return "";
}

bool
netdev_dpdkr_lane_empty(const struct netdev_dpdkr_lane *l OVS_UNUSED,
                        int ring OVS_UNUSED)
{
    return true;
}

uint32_t
netdev_dpdkr_lane_head(const struct netdev_dpdkr_lane *l OVS_UNUSED,
                       int ring OVS_UNUSED)
{
    return 0;
}

void
netdev_dpdkr_lane_read(const struct netdev_dpdkr_lane *l OVS_UNUSED,
                       int ring OVS_UNUSED,
                       struct netdev_dpdkr_lane_counters *last OVS_UNUSED,
                       struct netdev_dpdkr_lane_counters *delta)
{
    memset(delta, 0, sizeof *delta);
}

void
netdev_dpdkr_lane_credit(const struct netdev *netdev OVS_UNUSED,
                         const struct netdev_dpdkr_lane_stats *s OVS_UNUSED)
{
}

void
netdev_dpdkr_exit(bool cleanup OVS_UNUSED)
{
}

void
netdev_dpdkr_set_tx_flush_interval(int us OVS_UNUSED)
{
}

bool
netdev_dpdkr_take_adopted(const struct netdev *netdev OVS_UNUSED)
{
    return false;
}

int
netdev_dpdkr_request_current(const struct netdev *netdev OVS_UNUSED,
                             enum netdev_dpdkr_side side OVS_UNUSED,
                             struct netdev_dpdkr_current *cur)
{
    memset(cur, 0, sizeof *cur);
    return ENODEV;
}

struct netdev_dpdkr_lane *
netdev_dpdkr_lane_adopt(const struct netdev *lo OVS_UNUSED,
                        const struct netdev *hi OVS_UNUSED,
                        uint64_t epoch OVS_UNUSED, char **errp)
{
    *errp = xstrdup("this build has no dpdkr ports");
    return NULL;
}

uint64_t
netdev_dpdkr_lane_epoch(const struct netdev_dpdkr_lane *l OVS_UNUSED)
{
    return 0;
}

void
netdev_dpdkr_lane_set_mark(const struct netdev *netdev OVS_UNUSED,
                           uint64_t epoch OVS_UNUSED,
                           const struct netdev_dpdkr_lane_counters *c
                           OVS_UNUSED)
{
}

bool
netdev_dpdkr_lane_get_mark(const struct netdev *netdev OVS_UNUSED,
                           uint64_t epoch OVS_UNUSED,
                           struct netdev_dpdkr_lane_counters *c)
{
    memset(c, 0, sizeof *c);
    return false;
}

char *
netdev_dpdkr_lane_path(const struct netdev *lo OVS_UNUSED,
                       const struct netdev *hi OVS_UNUSED)
{
    return NULL;
}

void
netdev_dpdkr_adoption_done(const struct netdev *netdev OVS_UNUSED)
{
}
