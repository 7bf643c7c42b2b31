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

#ifndef NETDEV_DPDKR_PRIVATE_H
#define NETDEV_DPDKR_PRIVATE_H 1

/* Between netdev-dpdkr.c (the port class) and dpdkr-lane.c (lanes), in
 * lib/ only. */

#include <stdbool.h>

struct netdev;
struct smap;

/* Where and how to create a region next to this port's own: the directory,
 * mode, owner and group of its region.  Returns false if 'netdev' is not a
 * configured dpdkr port.  The caller frees '*dir'. */
bool netdev_dpdkr_region_config(const struct netdev *, char **dir,
                                unsigned int *mode, long long *owner,
                                long long *group);

/* Registers the lanes' unixctl commands. */
void netdev_dpdkr_lane_init(void);

/* Makes every dpdkr port receive nothing more and waits, bounded, until
 * OVS has sent on all it received from them: ovs-vswitchd exits and
 * leaves them to the one that comes next. */
void netdev_dpdkr_stop_receiving(void);

/* Adds to 'status' the lanes that OVS wants plugged into the virtual
 * machine of port 'netdev' ("dpdkr-lanes"), with those in 'extra', if
 * any. */
struct sset;
void netdev_dpdkr_lane_status(const struct netdev *, const struct sset *extra,
                              struct smap *status);

/* Lane files.  The lane of the dpdkr ports named LO and HI is
 * "DIR/lane-LO-HI" in LO's region directory DIR, with every '%' and '-' of
 * each name written "%25" and "%2d": a port name may hold '-', and no two
 * pairs of names may give the same file ("a-b" and "c" against "a" and
 * "b-c").  Names without either character appear as they are. */
char *netdev_dpdkr_lane_file(const char *dir, const char *lo,
                             const char *hi);

/* Parses 'path' as a lane file in directory 'dir'.  Returns true and stores
 * the two port names (to free) in '*lo' and '*hi' if its name is one that
 * netdev_dpdkr_lane_file() gives, and false otherwise. */
bool netdev_dpdkr_lane_file_parse(const char *dir, const char *path,
                                  char **lo, char **hi);

#endif /* netdev-dpdkr-private.h */
