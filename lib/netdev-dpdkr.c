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

/* The "dpdkr" netdev class: shared-memory ring ports.
 *
 * A dpdkr port is a DPDK ethdev of the net_dpdkr poll-mode driver
 * (drivers/net/dpdkr), compiled into ovs-vswitchd, in its server role: it
 * creates the port's region file, which an application maps through the
 * same driver in its client role.  So this class is netdev-dpdk's "dpdk"
 * class, with all its machinery (mempools, rx/tx queues, stats, custom
 * stats, MTU, PMD scheduling), plus two things: set_config() turns the
 * port's options into the devargs of its net_dpdkr device, and
 * get_status() publishes the region's path and whether an application is
 * attached. */

#include <config.h>

#include "p2p/lib/netdev-dpdkr.h"
#include "p2p/lib/netdev-dpdkr-private.h"
#include "p2p/include/dpdkr-region.h"
#include "p2p/include/dpdkr-ring.h"
#include "p2p/drivers/net/dpdkr/rte_pmd_dpdkr.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirs.h"
#include "fatal-signal.h"
#include "netdev.h"
#include "netdev-dpdk.h"
#include "netdev-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(netdev_dpdkr);

#define DPDKR_PROC_MOUNTS "/proc/mounts"
#define DPDKR_SHM_DIR "/dev/shm/ovs-dpdkr"

/* Defined by drivers/net/dpdkr/rte_eth_dpdkr.c. */
int rte_pmd_dpdkr_linked(void);

/* The "dpdk" class, whose functions this class reuses. */
static const struct netdev_class *dpdk_class;
static struct netdev_class dpdkr_class;

/* What this class keeps per port, beyond netdev-dpdk's state. */
struct dpdkr_port {
    struct hmap_node node;      /* In 'dpdkr_ports', by netdev pointer. */
    const struct netdev *netdev;
    unsigned int id;            /* Makes the vdev name unique. */
    char *path;                 /* Region file. */
    char *devargs;              /* Of its net_dpdkr device. */
    char *dir;                  /* Region directory. */
    unsigned long mode;         /* Region mode, owner, group (-1: none). */
    long long owner, group;

    /* Lanes. */
    struct netdev_dpdkr_lane_stats lane; /* Sums of what lanes carried. */
    bool rx_bypassed;           /* Receive queue "disabled"? */

    /* Restart (see netdev_dpdkr_take_adopted()). */
    bool adoption_checked;      /* Asked the driver about its device. */
    struct sset adopting;       /* Lanes that the previous ovs-vswitchd had
                                 * plugged into the port's virtual machine,
                                 * as its requests name them (hostile: see
                                 * dpdkr_is_lane_of()), until the lane
                                 * manager decides. */
    bool adopted;               /* Its region was adopted, and the lane
                                 * manager has not taken note yet. */
    uint64_t adopted_rx_dropped; /* What the switches before dropped on */
    uint64_t adopted_tx_dropped; /* the port themselves. */
    struct dpdkr_server_totals totals; /* Published in the region. */
};

static struct ovs_mutex dpdkr_mutex = OVS_MUTEX_INITIALIZER;
static struct hmap dpdkr_ports OVS_GUARDED_BY(dpdkr_mutex)
    = HMAP_INITIALIZER(&dpdkr_ports);

static struct dpdkr_port *
dpdkr_port_find(const struct netdev *netdev)
    OVS_REQUIRES(dpdkr_mutex)
{
    struct dpdkr_port *port;

    HMAP_FOR_EACH_WITH_HASH (port, node, hash_pointer(netdev, 0),
                             &dpdkr_ports) {
        if (port->netdev == netdev) {
            return port;
        }
    }
    return NULL;
}

/* Returns the directory for region files when the port does not say:
 * "ovs-dpdkr" in the first hugetlbfs mount if there is one (hugepages keep
 * the rings' TLB footprint small), else in /dev/shm. */
static const char *
dpdkr_default_dir(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;
    static char *dir;

    if (ovsthread_once_start(&once)) {
        FILE *mounts = fopen(DPDKR_PROC_MOUNTS, "r");
        char line[1024];

        while (mounts && fgets(line, sizeof line, mounts)) {
            char mnt[512], type[64];

            if (sscanf(line, "%*s %511s %63s", mnt, type) == 2
                && !strcmp(type, "hugetlbfs")) {
                dir = xasprintf("%s/ovs-dpdkr", mnt);
                break;
            }
        }
        if (mounts) {
            fclose(mounts);
        }
        if (!dir) {
            dir = xstrdup(DPDKR_SHM_DIR);
        }
        ovsthread_once_done(&once);
    }
    return dir;
}

/* Parses a user or group option, by name or number, into '*id'.  Returns
 * 0 or an errno value, with a message in '*errp'. */
static int
dpdkr_parse_id(const struct netdev *netdev, const char *key,
               const char *value, bool user, long long *id, char **errp)
{
    char *end;

    *id = -1;
    if (!value) {
        return 0;
    }
    *id = strtoll(value, &end, 10);
    if (*value && !*end && *id >= 0) {
        return 0;
    }
    if (user) {
        struct passwd *pw = getpwnam(value);

        if (pw) {
            *id = pw->pw_uid;
            return 0;
        }
    } else {
        struct group *gr = getgrnam(value);

        if (gr) {
            *id = gr->gr_gid;
            return 0;
        }
    }
    *errp = xasprintf("%s: %s=%s: no such %s", netdev_get_name(netdev), key,
                      value, user ? "user" : "group");
    return EINVAL;
}

/* Builds the devargs of 'netdev''s net_dpdkr device from its options
 * 'args' into '*devargs' and its region path into '*path'.  Returns 0 or
 * an errno value with an explanation in '*errp'. */
static int
dpdkr_build_devargs(const struct netdev *netdev, unsigned int id,
                    const struct smap *args, char **devargs, char **path,
                    struct dpdkr_port *port, char **errp)
{
    const char *name = netdev_get_name(netdev);
    const char *dir = smap_get_def(args, "region-dir", dpdkr_default_dir());
    const char *mode_s = smap_get_def(args, "region-mode", "0600");
    unsigned int ring_size;
    long long owner, group;
    unsigned long mode;
    char *end;
    int error;

    ring_size = smap_get_uint(args, "ring-size", DPDKR_DEFAULT_RING_SIZE);
    if (!dpdkr_region_ring_size_ok(ring_size)) {
        *errp = xasprintf("%s: ring-size must be a power of 2 from %"PRIu32
                          " to %"PRIu32,
                          name, DPDKR_RING_SIZE_MIN, DPDKR_RING_SIZE_MAX);
        return EINVAL;
    }
    mode = strtoul(mode_s, &end, 8);
    if (!*mode_s || *end || mode > 0777) {
        *errp = xasprintf("%s: region-mode must be octal, at most 0777",
                          name);
        return EINVAL;
    }
    if (dir[0] != '/' || strchr(dir, ',') || strchr(name, '/')
        || strchr(name, ',')) {
        *errp = xasprintf("%s: region-dir must be an absolute path, and "
                          "neither it nor the port name may contain ','",
                          name);
        return EINVAL;
    }
    error = dpdkr_parse_id(netdev, "region-owner",
                           smap_get(args, "region-owner"), true, &owner, errp);
    if (!error) {
        error = dpdkr_parse_id(netdev, "region-group",
                               smap_get(args, "region-group"), false, &group,
                               errp);
    }
    if (error) {
        return error;
    }

    if (mkdir(dir, 0755) && errno != EEXIST) {
        *errp = xasprintf("%s: cannot create region-dir %s (%s)", name, dir,
                          ovs_strerror(errno));
        return errno;
    }

    *path = xasprintf("%s/%s", dir, name);
    free(port->dir);
    port->dir = xstrdup(dir);
    port->mode = mode;
    port->owner = owner;
    port->group = group;
    *devargs = xasprintf("net_dpdkr_ovs%u,role=server,path=%s,ring-size=%u,"
                         "mode=%lo,owner=%lld,group=%lld", id, *path,
                         ring_size, mode, owner, group);
    return 0;
}

/* Once the device of 'netdev' exists: if its region was adopted, resumes
 * the port's lane totals from what the switch before published. */
static void
dpdkr_check_adoption(const struct netdev *netdev)
{
    struct dpdkr_server_totals totals;
    struct dpdkr_port *port;
    const char *why = NULL;
    bool adopted = false;
    int id;

    id = netdev_dpdk_get_port_id(CONST_CAST(struct netdev *, netdev));
    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (port && !port->adoption_checked && id >= 0) {
        port->adoption_checked = true;
        if (rte_pmd_dpdkr_adopted(id, &adopted, &totals, &why)) {
            /* Not a server port. */
        } else if (!adopted && why) {
            VLOG_INFO("%s: not adopting the region left by the ovs-vswitchd "
                      "that ran before (%s): created anew",
                      netdev_get_name(netdev), why);
        } else if (adopted) {
            port->adopted = true;
            port->totals = totals;
            port->lane.rx_packets = totals.lane_rx_packets;
            port->lane.rx_bytes = totals.lane_rx_bytes;
            port->lane.tx_packets = totals.lane_tx_packets;
            port->lane.tx_bytes = totals.lane_tx_bytes;
            port->lane.tx_dropped = totals.lane_tx_dropped;
            port->adopted_rx_dropped = totals.switch_rx_dropped;
            port->adopted_tx_dropped = totals.switch_tx_dropped;
            VLOG_INFO("%s: adopted the region of the ovs-vswitchd that ran "
                      "before, with its application", netdev_get_name(netdev));
        }
    }
    ovs_mutex_unlock(&dpdkr_mutex);

    if (adopted) {
        /* An agent keeps a lane plugged into a virtual machine while the
         * port's status lists it: keep listing the lanes that the
         * application is on until the lane manager takes them over or
         * abandons them. */
        bool in_vm = false;
        int side;

        netdev_dpdkr_client_in_vm(netdev, &in_vm);
        for (side = 0; in_vm && side < 2; side++) {
            struct netdev_dpdkr_current cur;

            if (!netdev_dpdkr_request_current(netdev, side, &cur)
                && cur.lane) {
                ovs_mutex_lock(&dpdkr_mutex);
                port = dpdkr_port_find(netdev);
                if (port) {
                    sset_add(&port->adopting, cur.lane);
                }
                ovs_mutex_unlock(&dpdkr_mutex);
            }
            free(cur.lane);
        }
    }
}

/* Returns true if 'path' names a lane that 'port' is an end of, exactly as
 * dpdkr-lane.c names it (netdev_dpdkr_lane_file(), in LO's region
 * directory), with another configured dpdkr port.  'path' came from shared
 * memory that the application could rewrite while no ovs-vswitchd ran: an
 * agent must never be asked to plug anything else into its virtual
 * machine. */
static bool
dpdkr_is_lane_of(const struct dpdkr_port *port, const char *path)
    OVS_REQUIRES(dpdkr_mutex)
{
    const char *me = netdev_get_name(port->netdev);
    const struct dpdkr_port *peer;
    bool found = false;
    char *lo, *hi;

    if (!port->dir) {
        return false;
    }
    HMAP_FOR_EACH (peer, node, &dpdkr_ports) {
        const char *other = netdev_get_name(peer->netdev);
        char *a, *b;

        if (peer == port || !peer->dir) {
            continue;
        }
        a = netdev_dpdkr_lane_file(port->dir, me, other);
        b = netdev_dpdkr_lane_file(peer->dir, other, me);
        found = !strcmp(path, a) || !strcmp(path, b);
        free(a);
        free(b);
        if (found) {
            return true;
        }
    }
    if (netdev_dpdkr_lane_file_parse(port->dir, path, &lo, &hi)) {
        /* While ovs-vswitchd starts, the bridge writes a port's status as
         * soon as it creates the port, before its peers exist: a lane in
         * this port's directory between it and a port that is not
         * configured (yet) is listed, or the agent would unplug it
         * meanwhile.  With a configured peer, the exact check above
         * decided. */
        const char *other = (!strcmp(lo, me) ? hi
                             : !strcmp(hi, me) ? lo : NULL);

        found = other && strcmp(other, me);
        HMAP_FOR_EACH (peer, node, &dpdkr_ports) {
            if (found && !strcmp(other, netdev_get_name(peer->netdev))) {
                found = false;
            }
        }
        free(lo);
        free(hi);
    }
    return found;
}

void
netdev_dpdkr_adoption_done(const struct netdev *netdev)
{
    struct dpdkr_port *port;
    bool changed = false;

    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (port && !sset_is_empty(&port->adopting)) {
        sset_clear(&port->adopting);
        changed = true;
    }
    ovs_mutex_unlock(&dpdkr_mutex);
    if (changed) {
        netdev_change_seq_changed(netdev);
    }
}

static int
netdev_dpdkr_set_config(struct netdev *netdev, const struct smap *args,
                        char **errp)
{
    static unsigned int next_id;
    char *devargs = NULL, *path = NULL;
    struct dpdkr_port *port;
    struct smap dargs;
    int error;

    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (!port) {
        port = xzalloc(sizeof *port);
        port->netdev = netdev;
        sset_init(&port->adopting);
        port->id = next_id++;
        hmap_insert(&dpdkr_ports, &port->node, hash_pointer(netdev, 0));
    }
    error = dpdkr_build_devargs(netdev, port->id, args, &devargs, &path,
                                port, errp);
    if (error) {
        ovs_mutex_unlock(&dpdkr_mutex);
        return error;
    }
    if (!port->devargs || strcmp(port->devargs, devargs)) {
        VLOG_INFO("%s: region %s", netdev_get_name(netdev), path);
    }
    if (!port->devargs || strcmp(port->devargs, devargs)) {
        port->adoption_checked = false;
    }
    free(port->devargs);
    free(port->path);
    port->devargs = devargs;
    port->path = path;
    /* A region outlives ovs-vswitchd unless it exits with --cleanup or
     * the port is deleted: the next ovs-vswitchd adopts it, and its
     * application goes on (dpdkr-abi.h, "Restart"). */

    /* netdev-dpdk creates the device, or asks for the netdev to be
     * re-created (EAGAIN) when the devargs change. */
    smap_clone(&dargs, args);
    smap_replace(&dargs, "dpdk-devargs", devargs);
    ovs_mutex_unlock(&dpdkr_mutex);

    error = dpdk_class->set_config(netdev, &dargs, errp);
    smap_destroy(&dargs);
    if (!error) {
        dpdkr_check_adoption(netdev);
    }
    return error;
}

/* Returns true if an application holds the client lock of region 'path'. */
static bool
dpdkr_region_attached(const char *path)
{
    bool attached = false;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        attached = dpdkr_client_locked(fd);
        close(fd);
    }
    return attached;
}

static int
netdev_dpdkr_get_status(const struct netdev *netdev, struct smap *status)
{
    struct sset adopting = SSET_INITIALIZER(&adopting);
    struct dpdkr_port *port;
    char *path = NULL;
    int error;

    error = dpdk_class->get_status(netdev, status);

    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (port && port->path) {
        const char *lane;

        path = xstrdup(port->path);
        SSET_FOR_EACH (lane, &port->adopting) {
            if (dpdkr_is_lane_of(port, lane)) {
                sset_add(&adopting, lane);
            }
        }
    }
    ovs_mutex_unlock(&dpdkr_mutex);

    if (path) {
        bool exists = !access(path, F_OK);
        bool attached;

        /* An application in a virtual machine holds no lock that OVS can
         * see: the driver also knows its heartbeat. */
        if (netdev_dpdkr_client_attached(netdev, &attached)) {
            attached = exists && dpdkr_region_attached(path);
        }
        smap_add(status, "dpdkr-region", exists ? path : "");
        smap_add(status, "dpdkr-attached", attached ? "true" : "false");
        netdev_dpdkr_lane_status(netdev, &adopting, status);
        free(path);
        error = 0;
    }
    sset_destroy(&adopting);
    return error;
}

static void
netdev_dpdkr_dealloc(struct netdev *netdev)
{
    struct dpdkr_port *port;

    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (port) {
        hmap_remove(&dpdkr_ports, &port->node);
        sset_destroy(&port->adopting);
        free(port->devargs);
        free(port->path);
        free(port->dir);
        free(port);
    }
    ovs_mutex_unlock(&dpdkr_mutex);

    dpdk_class->dealloc(netdev);
}

/* Lanes. */

bool
netdev_dpdkr_lane_capable(const struct netdev *netdev)
{
    return netdev->netdev_class == &dpdkr_class;
}

/* Publishes 'port''s totals in its region, for the next ovs-vswitchd. */
static void
dpdkr_publish_totals(struct dpdkr_port *port)
    OVS_REQUIRES(dpdkr_mutex)
{
    int id = netdev_dpdk_get_port_id(CONST_CAST(struct netdev *,
                                                port->netdev));

    port->totals.lane_rx_packets = port->lane.rx_packets;
    port->totals.lane_rx_bytes = port->lane.rx_bytes;
    port->totals.lane_tx_packets = port->lane.tx_packets;
    port->totals.lane_tx_bytes = port->lane.tx_bytes;
    port->totals.lane_tx_dropped = port->lane.tx_dropped;
    if (id >= 0) {
        rte_pmd_dpdkr_publish_totals(id, &port->totals);
    }
}

void
netdev_dpdkr_lane_credit(const struct netdev *netdev,
                         const struct netdev_dpdkr_lane_stats *d)
{
    struct dpdkr_port *port;

    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (port) {
        port->lane.rx_packets += d->rx_packets;
        port->lane.rx_bytes += d->rx_bytes;
        port->lane.tx_packets += d->tx_packets;
        port->lane.tx_bytes += d->tx_bytes;
        port->lane.tx_dropped += d->tx_dropped;
        dpdkr_publish_totals(port);
    }
    ovs_mutex_unlock(&dpdkr_mutex);
}

void
netdev_dpdkr_lane_set_mark(const struct netdev *netdev, uint64_t epoch,
                           const struct netdev_dpdkr_lane_counters *mark)
{
    static const struct netdev_dpdkr_lane_counters zero;
    struct dpdkr_port *port;

    mark = epoch ? mark : &zero;
    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (port && (port->totals.mark_epoch != epoch
                 || port->totals.mark_packets != mark->packets
                 || port->totals.mark_bytes != mark->bytes
                 || port->totals.mark_drops != mark->drops
                 || port->totals.mark_drop_bytes != mark->drop_bytes)) {
        port->totals.mark_epoch = epoch;
        port->totals.mark_packets = mark->packets;
        port->totals.mark_bytes = mark->bytes;
        port->totals.mark_drops = mark->drops;
        port->totals.mark_drop_bytes = mark->drop_bytes;
        dpdkr_publish_totals(port);
    }
    ovs_mutex_unlock(&dpdkr_mutex);
}

bool
netdev_dpdkr_lane_get_mark(const struct netdev *netdev, uint64_t epoch,
                           struct netdev_dpdkr_lane_counters *mark)
{
    struct dpdkr_port *port;
    bool found = false;

    memset(mark, 0, sizeof *mark);
    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (port && epoch && port->totals.mark_epoch == epoch) {
        mark->packets = port->totals.mark_packets;
        mark->bytes = port->totals.mark_bytes;
        mark->drops = port->totals.mark_drops;
        mark->drop_bytes = port->totals.mark_drop_bytes;
        found = true;
    }
    ovs_mutex_unlock(&dpdkr_mutex);
    return found;
}

bool
netdev_dpdkr_take_adopted(const struct netdev *netdev)
{
    struct dpdkr_port *port;
    bool adopted = false;

    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (port && port->adopted) {
        port->adopted = false;
        adopted = true;
    }
    ovs_mutex_unlock(&dpdkr_mutex);
    return adopted;
}

static int
netdev_dpdkr_get_stats(const struct netdev *netdev,
                       struct netdev_stats *stats)
{
    struct dpdkr_port *port;
    int error;

    error = dpdk_class->get_stats(netdev, stats);
    if (!error) {
        ovs_mutex_lock(&dpdkr_mutex);
        port = dpdkr_port_find(netdev);
        if (port) {
            /* netdev-dpdk counts its own drops in this process only: go on
             * from the switches before, and publish them for the next. */
            stats->rx_dropped += port->adopted_rx_dropped;
            stats->tx_dropped += port->adopted_tx_dropped;
            if (stats->rx_dropped != port->totals.switch_rx_dropped
                || stats->tx_dropped != port->totals.switch_tx_dropped) {
                port->totals.switch_rx_dropped = stats->rx_dropped;
                port->totals.switch_tx_dropped = stats->tx_dropped;
                dpdkr_publish_totals(port);
            }

            stats->rx_packets += port->lane.rx_packets;
            stats->rx_bytes += port->lane.rx_bytes;
            stats->tx_packets += port->lane.tx_packets;
            stats->tx_bytes += port->lane.tx_bytes;
            stats->tx_dropped += port->lane.tx_dropped;
        }
        ovs_mutex_unlock(&dpdkr_mutex);
    }
    return error;
}

void
netdev_dpdkr_set_rx_bypassed(const struct netdev *netdev, bool bypassed)
{
    struct dpdkr_port *port;
    bool changed = false;

    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (port && port->rx_bypassed != bypassed) {
        port->rx_bypassed = bypassed;
        changed = true;
    }
    ovs_mutex_unlock(&dpdkr_mutex);
    if (changed) {
        /* PMD threads re-read netdev_rxq_enabled() when this changes. */
        netdev_change_seq_changed(netdev);
    }
}

bool
netdev_dpdkr_get_rx_bypassed(const struct netdev *netdev)
{
    struct dpdkr_port *port;
    bool bypassed;

    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    bypassed = port && port->rx_bypassed;
    ovs_mutex_unlock(&dpdkr_mutex);
    return bypassed;
}

static bool
netdev_dpdkr_rxq_enabled(struct netdev_rxq *rxq)
{
    return !netdev_dpdkr_get_rx_bypassed(rxq->netdev);
}

bool
netdev_dpdkr_region_config(const struct netdev *netdev, char **dir,
                           unsigned int *mode, long long *owner,
                           long long *group)
{
    struct dpdkr_port *port;
    bool ok = false;

    ovs_mutex_lock(&dpdkr_mutex);
    port = dpdkr_port_find(netdev);
    if (port && port->dir) {
        *dir = xstrdup(port->dir);
        *mode = port->mode;
        *owner = port->owner;
        *group = port->group;
        ok = true;
    }
    ovs_mutex_unlock(&dpdkr_mutex);
    return ok;
}

/* Stopping.
 *
 * Unless it exits with --cleanup, ovs-vswitchd leaves the applications'
 * rings to the ovs-vswitchd that comes next, which receives from where this
 * one stopped.  So this one must stop receiving where it has sent on all
 * it received: otherwise what it received last is lost, as bridge_exit()
 * removes the ports one by one while PMD threads still forward between
 * them, or as a signal kills it in the middle of a burst. */

/* How long a stopping ovs-vswitchd waits for its PMD threads. */
#define DPDKR_STOP_TIMEOUT_MS 500

/* other_config:tx-flush-interval: how long a packet may wait in an output
 * batch after its PMD thread received it. */
static atomic_int dpdkr_flush_interval_us;

void
netdev_dpdkr_set_tx_flush_interval(int us)
{
    atomic_store_relaxed(&dpdkr_flush_interval_us,
                         MIN(MAX(us, 0), 1000000));
}

/* Makes every dpdkr port receive nothing more, and waits, up to
 * DPDKR_STOP_TIMEOUT_MS, until the PMD threads have sent on all that they
 * received from them.  What the applications send from now on waits on
 * their rings for the next ovs-vswitchd. */
void
netdev_dpdkr_stop_receiving(void)
{
    long long int start = time_msec();
    struct netdev **netdevs = NULL;
    struct dpdkr_port *port;
    uint16_t *ids = NULL;
    char **names = NULL;
    size_t n = 0, n_ports = 0, n_alloc, i;
    uint64_t backoff_ns = 10 * 1000;
    int flush_us;

    ovs_mutex_lock(&dpdkr_mutex);
    n_alloc = hmap_count(&dpdkr_ports);
    if (n_alloc) {
        ids = xmalloc(n_alloc * sizeof *ids);
        names = xmalloc(n_alloc * sizeof *names);
        netdevs = xmalloc(n_alloc * sizeof *netdevs);
    }
    HMAP_FOR_EACH (port, node, &dpdkr_ports) {
        int id = netdev_dpdk_get_port_id(CONST_CAST(struct netdev *,
                                                    port->netdev));

        if (id < 0 || rte_pmd_dpdkr_rx_stop(id)) {
            continue;
        }
        netdevs[n_ports++] = netdev_ref(port->netdev);
        /* A port whose input a lane carries is not polled: OVS holds it
         * where the lane took over, and received nothing after. */
        if (!port->rx_bypassed) {
            ids[n] = id;
            names[n++] = xstrdup(netdev_get_name(port->netdev));
        }
    }
    ovs_mutex_unlock(&dpdkr_mutex);

    while (n && time_msec() < start + DPDKR_STOP_TIMEOUT_MS) {
        size_t left = 0;

        for (i = 0; i < n; i++) {
            uint32_t idx;
            bool done;

            if (rte_pmd_dpdkr_rx_state(ids[i], &idx, &done) || done) {
                free(names[i]);
            } else {
                ids[left] = ids[i];
                names[left++] = names[i];
            }
        }
        n = left;
        if (n) {
            xnanosleep(backoff_ns);
            backoff_ns = MIN(backoff_ns * 2, 1000 * 1000);
        }
    }

    /* Packets received may still wait in output batches. */
    atomic_read_relaxed(&dpdkr_flush_interval_us, &flush_us);
    if (n_ports && flush_us) {
        xnanosleep((uint64_t) flush_us * 1000);
    }

    if (n) {
        struct ds s = DS_EMPTY_INITIALIZER;

        for (i = 0; i < n; i++) {
            ds_put_format(&s, "%s%s", i ? ", " : "", names[i]);
            free(names[i]);
        }
        VLOG_WARN("stopping: the PMD threads did not stop receiving from "
                  "%s within %d ms: what they received last may be lost",
                  ds_cstr(&s), DPDKR_STOP_TIMEOUT_MS);
        ds_destroy(&s);
    } else if (n_ports) {
        VLOG_INFO("stopping: the PMD threads sent on all they received "
                  "from %"PRIuSIZE" dpdkr ports, in %lld ms",
                  n_ports, time_msec() - start);
    }

    /* Reading the ports' statistics publishes the drops in their regions,
     * for the next ovs-vswitchd (netdev_dpdkr_get_stats()). */
    for (i = 0; i < n_ports; i++) {
        struct netdev_stats stats;

        netdev_get_stats(netdevs[i], &stats);
        netdev_close(netdevs[i]);
    }
    free(netdevs);
    free(names);
    free(ids);
}

/* On a fatal signal, ovs-vswitchd stops without --cleanup. */
static void
dpdkr_fatal_signal_hook(void *aux OVS_UNUSED)
{
    netdev_dpdkr_stop_receiving();
}

void
netdev_dpdkr_register(const struct netdev_class *dpdk)
{
    /* Keeps the statically linked driver, whose constructor registers it
     * with DPDK's vdev bus. */
    ovs_assert(rte_pmd_dpdkr_linked());

    dpdk_class = dpdk;
    dpdkr_class = *dpdk;
    dpdkr_class.type = "dpdkr";
    dpdkr_class.set_config = netdev_dpdkr_set_config;
    dpdkr_class.get_status = netdev_dpdkr_get_status;
    dpdkr_class.dealloc = netdev_dpdkr_dealloc;
    dpdkr_class.get_stats = netdev_dpdkr_get_stats;
    dpdkr_class.rxq_enabled = netdev_dpdkr_rxq_enabled;
    netdev_register_provider(&dpdkr_class);
    netdev_dpdkr_lane_init();
    fatal_signal_add_hook(dpdkr_fatal_signal_hook, NULL, NULL, false);
}
