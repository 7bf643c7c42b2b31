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

/* The mechanism of direct lanes (see netdev-dpdkr.h): lane regions, and
 * the switch's side of the hand-over, through the net_dpdkr driver's
 * server control functions (rte_pmd_dpdkr.h). */

#include <config.h>

#include "p2p/lib/netdev-dpdkr.h"
#include "p2p/lib/netdev-dpdkr-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p2p/drivers/net/dpdkr/rte_pmd_dpdkr.h"
#include "p2p/include/dpdkr-region.h"
#include "p2p/include/dpdkr-ring.h"

#include "connectivity.h"
#include "coverage.h"
#include "hash.h"
#include "netdev-dpdk.h"
#include "netdev-provider.h"
#include "netdev.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "seq.h"
#include "sset.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dpdkr_lane);

COVERAGE_DEFINE(dpdkr_lane_open);
COVERAGE_DEFINE(dpdkr_lane_implausible);

/* Whether an end of a lane can reach it (see netdev_dpdkr_lane_plug()). */
enum lane_plug {
    PLUG_UNKNOWN,               /* Not asked yet. */
    PLUG_HOST,                  /* A process on the host: maps the file. */
    PLUG_WANTED,                /* In a VM: waiting for the agent. */
    PLUG_DONE,                  /* In a VM: the agent plugged it in. */
    PLUG_FAILED,                /* In a VM: the agent could not. */
};

struct lane_end {
    char *port;                 /* Name of the port's netdev. */
    enum lane_plug plug;
    char *error;                /* PLUG_FAILED: the agent's reason. */
};

struct netdev_dpdkr_lane {
    struct hmap_node node;      /* In 'all_lanes', by path. */
    char *path;
    struct dpdkr_region region;
    int guard;                  /* Truncation guard slot. */
    struct lane_end end[2];     /* The lane's two ports. */
};

/* Every open lane, for the agent's answers and the ports' status. */
static struct ovs_mutex plug_mutex = OVS_MUTEX_INITIALIZER;
static struct hmap all_lanes OVS_GUARDED_BY(plug_mutex)
    = HMAP_INITIALIZER(&all_lanes);

/* Ports. */

static int
port_id(const struct netdev *netdev)
{
    return (netdev && netdev_dpdkr_lane_capable(netdev)
            ? netdev_dpdk_get_port_id(CONST_CAST(struct netdev *, netdev))
            : -1);
}

static int
ring_of(enum netdev_dpdkr_side side)
{
    return side == NETDEV_DPDKR_TX ? DPDKR_RING_C2S : DPDKR_RING_S2C;
}

int
netdev_dpdkr_client_running(const struct netdev *netdev, bool *running)
{
    int id = port_id(netdev);

    *running = false;
    return id < 0 ? ENODEV : -rte_pmd_dpdkr_client_running(id, running);
}

int
netdev_dpdkr_client_attached(const struct netdev *netdev, bool *attached)
{
    int id = port_id(netdev);

    *attached = false;
    return id < 0 ? ENODEV : -rte_pmd_dpdkr_client_attached(id, attached);
}

int
netdev_dpdkr_request(const struct netdev *netdev,
                     const struct netdev_dpdkr_request *req,
                     uint32_t *generation)
{
    const struct netdev_dpdkr_lane *l = req->lane;
    struct dpdkr_lane_req r = {
        .state = (req->path == NETDEV_DPDKR_DIRECT ? DPDKR_LANE_DIRECT
                  : DPDKR_LANE_SWITCHED),
        .lane_epoch = l ? l->region.geo.epoch : 0,
        .lane_ring = req->ring,
        .max_len = req->max_len,
        .old_path_seq = req->old_path_seq,
        .lane_seq = req->lane_seq,
    };
    int id = port_id(netdev);

    *generation = 0;
    if (id < 0 || req->ring < 0 || req->ring >= DPDKR_N_RINGS) {
        return ENODEV;
    }
    return -rte_pmd_dpdkr_lane_request(id, ring_of(req->side), &r,
                                       l ? l->path : NULL,
                                       l ? &l->region.geo : NULL,
                                       generation);
}

/* Returns true if 'seq', an index on the port's C2S ring that its
 * application reported (hostile), can be where it left the ring: at most a
 * ring ahead of where OVS reads it. */
static bool
tx_index_ok(int id, uint32_t seq)
{
    uint32_t ring_size, buf_size, idx;
    bool at_limit;

    return (!rte_pmd_dpdkr_rx_state(id, &idx, &at_limit)
            && !rte_pmd_dpdkr_geometry(id, &ring_size, &buf_size)
            && seq - idx <= ring_size);
}

int
netdev_dpdkr_answer(const struct netdev *netdev, enum netdev_dpdkr_side side,
                    uint32_t generation, struct netdev_dpdkr_answer *answer)
{
    struct dpdkr_lane_ack a;
    int id = port_id(netdev);

    memset(answer, 0, sizeof *answer);
    if (id < 0) {
        return ENODEV;
    }
    /* 'a' is read once, into private memory: checked, then used. */
    if (rte_pmd_dpdkr_lane_ack(id, ring_of(side), &a)
        || a.generation != generation) {
        return EAGAIN;
    }
    switch (a.state) {
    case DPDKR_LANE_SWITCHED:
        answer->path = NETDEV_DPDKR_SWITCHED;
        break;
    case DPDKR_LANE_DIRECT:
        answer->path = NETDEV_DPDKR_DIRECT;
        break;
    case DPDKR_LANE_REFUSED:
    default:
        answer->path = NETDEV_DPDKR_REFUSED;
        break;
    }
    answer->old_path_seq = a.old_path_seq;
    answer->lane_seq = a.lane_seq;
    answer->switched_us = MIN(a.switched_ns / 1000, LLONG_MAX);
    if (side == NETDEV_DPDKR_TX && answer->path != NETDEV_DPDKR_REFUSED
        && !tx_index_ok(id, answer->old_path_seq)) {
        return EPROTO;
    }
    return 0;
}

bool
netdev_dpdkr_in_burst(const struct netdev *netdev,
                      enum netdev_dpdkr_side side)
{
    uint32_t busy = 0;
    int id = port_id(netdev);

    return id >= 0 && !rte_pmd_dpdkr_busy(id, ring_of(side), &busy)
           && (busy & 1);
}

int
netdev_dpdkr_rx_hold(const struct netdev *netdev, bool hold, uint32_t limit)
{
    int id = port_id(netdev);

    return id < 0 ? ENODEV : -rte_pmd_dpdkr_rx_hold(id, hold, limit);
}

bool
netdev_dpdkr_rx_at_limit(const struct netdev *netdev)
{
    bool at_limit = false;
    uint32_t idx;
    int id = port_id(netdev);

    return id >= 0 && !rte_pmd_dpdkr_rx_state(id, &idx, &at_limit)
           && at_limit;
}

uint32_t
netdev_dpdkr_rx_index(const struct netdev *netdev)
{
    bool at_limit;
    uint32_t idx = 0;
    int id = port_id(netdev);

    if (id >= 0) {
        rte_pmd_dpdkr_rx_state(id, &idx, &at_limit);
    }
    return idx;
}

int
netdev_dpdkr_client_in_vm(const struct netdev *netdev, bool *in_vm)
{
    int id = port_id(netdev);

    *in_vm = false;
    return id < 0 ? ENODEV : -rte_pmd_dpdkr_client_in_vm(id, in_vm);
}

int
netdev_dpdkr_rx_head(const struct netdev *netdev, uint32_t *head)
{
    int id = port_id(netdev);

    *head = 0;
    return id < 0 ? ENODEV : -rte_pmd_dpdkr_rx_head(id, head);
}

uint32_t
netdev_dpdkr_tx_head(const struct netdev *netdev)
{
    uint32_t head = 0;
    int id = port_id(netdev);

    if (id >= 0) {
        rte_pmd_dpdkr_tx_head(id, &head);
    }
    return head;
}

int
netdev_dpdkr_request_current(const struct netdev *netdev,
                             enum netdev_dpdkr_side side,
                             struct netdev_dpdkr_current *cur)
{
    char path[DPDKR_LANE_PATH_SIZE];
    struct dpdkr_geometry geo;
    struct dpdkr_lane_req r;
    int id = port_id(netdev);
    int error;

    memset(cur, 0, sizeof *cur);
    if (id < 0) {
        return ENODEV;
    }
    error = -rte_pmd_dpdkr_lane_current(id, ring_of(side), &r, path, &geo);
    if (error) {
        return error;
    }
    /* Read once into private memory above; only checked values leave. */
    cur->generation = r.generation;
    cur->path = (r.state == DPDKR_LANE_DIRECT ? NETDEV_DPDKR_DIRECT
                 : NETDEV_DPDKR_SWITCHED);
    cur->lane_epoch = r.lane_epoch;
    cur->ring = r.lane_ring < DPDKR_N_RINGS ? r.lane_ring : -1;
    cur->old_path_seq = r.old_path_seq;
    cur->lane_seq = r.lane_seq;
    path[sizeof path - 1] = '\0';
    cur->lane = path[0] && geo.epoch == r.lane_epoch ? xstrdup(path) : NULL;
    return 0;
}

void
netdev_dpdkr_exit(bool cleanup)
{
    struct netdev_dpdkr_lane *l;

    rte_pmd_dpdkr_keep_regions(!cleanup);
    if (!cleanup) {
        netdev_dpdkr_stop_receiving();
        return;
    }
    /* Nothing is left for a next ovs-vswitchd: remove the lanes, whose
     * applications leave them as their ports' regions close. */
    ovs_mutex_lock(&plug_mutex);
    HMAP_FOR_EACH (l, node, &all_lanes) {
        if (l->region.size) {
            unlink(l->path);
        }
    }
    ovs_mutex_unlock(&plug_mutex);
}

/* From the PMD thread that received the packet. */
static void
notify_seq(void *seq_)
{
    struct seq *seq = seq_;

    seq_change(seq);
}

void
netdev_dpdkr_notify_rx(const struct netdev *netdev, struct seq *seq)
{
    int id = port_id(netdev);

    if (id >= 0) {
        rte_pmd_dpdkr_notify_rx(id, seq ? notify_seq : NULL, seq);
    }
}

/* Lanes in virtual machines.
 *
 * An application in a virtual machine (its driver sets DPDKR_CLIENT_F_VM)
 * cannot open a lane's file: an agent on the host plugs the file into the
 * virtual machine as an ivshmem-plain device, and the driver in the guest
 * finds it there (dpdkr-abi.h).  OVS lists the lanes it wants plugged into
 * a port's virtual machine in the port's status, "dpdkr-lanes" (so the
 * agent learns of them from the database, as it learns of the port), and
 * the agent answers with "ovs-appctl dpdkr/lane-plugged". */

/* Makes the Interface status of port 'name' be written again. */
static void
plug_status_changed(const char *name)
{
    struct netdev *netdev = netdev_from_name(name);

    if (netdev) {
        netdev_change_seq_changed(netdev);
        netdev_close(netdev);
    }
    seq_change(connectivity_seq_get());
}

static struct lane_end *
lane_end_of(struct netdev_dpdkr_lane *l, const char *port)
{
    int i;

    for (i = 0; i < 2; i++) {
        if (l->end[i].port && !strcmp(l->end[i].port, port)) {
            return &l->end[i];
        }
    }
    return NULL;
}

int
netdev_dpdkr_lane_plug(struct netdev_dpdkr_lane *l,
                       const struct netdev *netdev, const char **why)
{
    bool in_vm = false, changed = false;
    struct lane_end *e;
    int error = 0;

    *why = NULL;
    ovs_mutex_lock(&plug_mutex);
    e = lane_end_of(l, netdev_get_name(netdev));
    if (!e) {
        error = EINVAL;
        *why = "the port is not an end of the lane";
    } else if (e->plug == PLUG_UNKNOWN) {
        if (port_id(netdev) < 0
            || rte_pmd_dpdkr_client_in_vm(port_id(netdev), &in_vm)) {
            error = ENODEV;
            *why = "the port is not ready";
        } else if (!in_vm) {
            e->plug = PLUG_HOST;
        } else {
            e->plug = PLUG_WANTED;
            VLOG_INFO("%s: lane %s wanted in the port's virtual machine",
                      e->port, l->path);
            changed = true;
            error = EINPROGRESS;
        }
    } else if (e->plug == PLUG_WANTED) {
        error = EINPROGRESS;
    } else if (e->plug == PLUG_FAILED) {
        error = EIO;
        *why = e->error;
    }
    ovs_mutex_unlock(&plug_mutex);
    if (changed) {
        plug_status_changed(netdev_get_name(netdev));
    }
    return error;
}

void
netdev_dpdkr_lane_status(const struct netdev *netdev,
                         const struct sset *extra, struct smap *status)
{
    const char *name = netdev_get_name(netdev);
    struct netdev_dpdkr_lane *l;
    struct sset paths = SSET_INITIALIZER(&paths);
    const char *extra_path;

    SSET_FOR_EACH (extra_path, extra) {
        sset_add(&paths, extra_path);
    }
    ovs_mutex_lock(&plug_mutex);
    HMAP_FOR_EACH (l, node, &all_lanes) {
        struct lane_end *e = lane_end_of(l, name);

        if (e && (e->plug == PLUG_WANTED || e->plug == PLUG_DONE)) {
            sset_add(&paths, l->path);
        }
    }
    ovs_mutex_unlock(&plug_mutex);
    if (!sset_is_empty(&paths)) {
        const char **sorted = sset_sort(&paths);
        struct ds s = DS_EMPTY_INITIALIZER;
        size_t i;

        for (i = 0; i < sset_count(&paths); i++) {
            ds_put_format(&s, "%s%s", i ? " " : "", sorted[i]);
        }
        smap_add(status, "dpdkr-lanes", ds_cstr(&s));
        ds_destroy(&s);
        free(sorted);
    }
    sset_destroy(&paths);
}

/* "dpdkr/lane-plugged PORT LANE [ERROR...]": the agent plugged LANE into
 * the virtual machine of PORT, or could not, for reason ERROR. */
static void
plug_unixctl_plugged(struct unixctl_conn *conn, int argc,
                     const char *argv[], void *aux OVS_UNUSED)
{
    struct ds error = DS_EMPTY_INITIALIZER;
    struct netdev_dpdkr_lane *l;
    struct lane_end *e = NULL;
    bool ok = false;
    int i;

    for (i = 3; i < argc; i++) {
        ds_put_format(&error, "%s%s", i > 3 ? " " : "", argv[i]);
    }
    ovs_mutex_lock(&plug_mutex);
    HMAP_FOR_EACH_WITH_HASH (l, node, hash_string(argv[2], 0), &all_lanes) {
        if (!strcmp(l->path, argv[2])) {
            e = lane_end_of(l, argv[1]);
            break;
        }
    }
    if (e && (e->plug == PLUG_WANTED || e->plug == PLUG_DONE)) {
        ok = true;
        if (error.length) {
            e->plug = PLUG_FAILED;
            free(e->error);
            e->error = xasprintf("the agent could not plug the lane into "
                                 "the virtual machine: %s", ds_cstr(&error));
            VLOG_WARN("%s: %s", e->port, e->error);
        } else if (e->plug == PLUG_WANTED) {
            e->plug = PLUG_DONE;
            VLOG_INFO("%s: lane %s plugged into the port's virtual machine",
                      e->port, l->path);
        }
    }
    ovs_mutex_unlock(&plug_mutex);
    if (ok) {
        unixctl_command_reply(conn, NULL);
    } else {
        unixctl_command_reply_error(conn, "no such lane is wanted in that "
                                    "port's virtual machine");
    }
    ds_destroy(&error);
}

void
netdev_dpdkr_lane_init(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;

    if (ovsthread_once_start(&once)) {
        unixctl_command_register("dpdkr/lane-plugged", "PORT LANE [ERROR]",
                                 2, INT_MAX, plug_unixctl_plugged, NULL);
        ovsthread_once_done(&once);
    }
}

/* Lanes. */

static void
lane_file_put_name(struct ds *ds, const char *name)
{
    for (; *name; name++) {
        if (*name == '%') {
            ds_put_cstr(ds, "%25");
        } else if (*name == '-') {
            ds_put_cstr(ds, "%2d");
        } else {
            ds_put_char(ds, *name);
        }
    }
}

char *
netdev_dpdkr_lane_file(const char *dir, const char *lo, const char *hi)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_format(&ds, "%s/lane-", dir);
    lane_file_put_name(&ds, lo);
    ds_put_char(&ds, '-');
    lane_file_put_name(&ds, hi);
    return ds_steal_cstr(&ds);
}

/* Decodes the 'n' bytes at 's', one name as lane_file_put_name() writes
 * it, into a new string, or returns NULL if they are not such a name or
 * not that of a dpdkr port (empty, or with '/' or ','). */
static char *
lane_file_get_name(const char *s, size_t n)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '%' && n - i >= 3 && s[i + 1] == '2'
            && (s[i + 2] == '5' || s[i + 2] == 'd')) {
            ds_put_char(&ds, s[i + 2] == '5' ? '%' : '-');
            i += 2;
        } else if (s[i] == '%' || s[i] == '-' || s[i] == '/' || s[i] == ','
                   || !s[i]) {
            ds_destroy(&ds);
            return NULL;
        } else {
            ds_put_char(&ds, s[i]);
        }
    }
    if (!ds.length) {
        ds_destroy(&ds);
        return NULL;
    }
    return ds_steal_cstr(&ds);
}

bool
netdev_dpdkr_lane_file_parse(const char *dir, const char *path,
                             char **lo, char **hi)
{
    size_t dir_len = strlen(dir);
    const char *name, *dash;

    *lo = *hi = NULL;
    if (strncmp(path, dir, dir_len) || strncmp(path + dir_len, "/lane-", 6)) {
        return false;
    }
    name = path + dir_len + 6;
    dash = strchr(name, '-');
    if (!dash) {
        return false;
    }
    *lo = lane_file_get_name(name, dash - name);
    *hi = lane_file_get_name(dash + 1, strlen(dash + 1));
    if (!*lo || !*hi) {
        free(*lo);
        free(*hi);
        *lo = *hi = NULL;
        return false;
    }
    return true;
}

static struct dpdkr_ring *
lane_ring(const struct netdev_dpdkr_lane *l, int ring)
{
    return ALIGNED_CAST(struct dpdkr_ring *,
                        l->region.base + l->region.geo.ring[ring].offset);
}

/* Returns the path of the lane of 'lo' and 'hi' (to free) and stores in
 * '*spec' how to create it, or returns NULL with a message in '*errp'. */
static char *
lane_spec(const struct netdev *lo, const struct netdev *hi,
          struct dpdkr_region_spec *spec, char **errp)
{
    uint32_t ring_size, buf_size;
    char *dir, *path;

    if (port_id(lo) < 0 || port_id(hi) < 0
        || rte_pmd_dpdkr_geometry(port_id(lo), &ring_size, &buf_size)
        || !netdev_dpdkr_region_config(lo, &dir, &spec->mode, &spec->owner,
                                       &spec->group)) {
        *errp = xstrdup("the ports are not ready");
        return NULL;
    }
    path = netdev_dpdkr_lane_file(dir, netdev_get_name(lo),
                                  netdev_get_name(hi));
    free(dir);
    if (strlen(path) >= sizeof ((struct dpdkr_ctrl *) NULL)->lane_path[0]) {
        *errp = xasprintf("%s: lane path too long", path);
        free(path);
        return NULL;
    }
    spec->path = path;
    spec->ring_size = ring_size;
    spec->buf_size = DPDKR_LANE_BUF_SIZE;
    return path;
}

char *
netdev_dpdkr_lane_path(const struct netdev *lo, const struct netdev *hi)
{
    struct dpdkr_region_spec spec;
    char *err = NULL;
    char *path = lane_spec(lo, hi, &spec, &err);

    free(err);
    return path;
}

/* Returns a new lane of 'lo' and 'hi', with its path and nothing mapped,
 * and stores in '*spec' how to create it; or returns NULL with a message in
 * '*errp'. */
static struct netdev_dpdkr_lane *
lane_alloc(const struct netdev *lo, const struct netdev *hi,
           struct dpdkr_region_spec *spec, char **errp)
{
    struct netdev_dpdkr_lane *l;

    *errp = NULL;
    l = xzalloc(sizeof *l);
    l->region.fd = -1;
    l->guard = -1;
    l->path = lane_spec(lo, hi, spec, errp);
    if (!l->path) {
        free(l);
        return NULL;
    }
    return l;
}

/* Makes 'l', whose region is mapped, known to the agent's commands and the
 * ports' status. */
static void
lane_register(struct netdev_dpdkr_lane *l, const struct netdev *lo,
              const struct netdev *hi)
{
    l->end[0].port = xstrdup(netdev_get_name(lo));
    l->end[1].port = xstrdup(netdev_get_name(hi));
    ovs_mutex_lock(&plug_mutex);
    hmap_insert(&all_lanes, &l->node, hash_string(l->path, 0));
    ovs_mutex_unlock(&plug_mutex);
}

struct netdev_dpdkr_lane *
netdev_dpdkr_lane_adopt(const struct netdev *lo, const struct netdev *hi,
                        uint64_t epoch, char **errp)
{
    struct dpdkr_region_spec spec;
    struct netdev_dpdkr_lane *l;
    struct dpdkr_geometry want;
    uint64_t align = 4096;
    struct statfs sfs;
    struct stat st;
    const char *why = NULL;
    uint32_t log2 = 0;
    int i;

    l = lane_alloc(lo, hi, &spec, errp);
    if (!l) {
        return NULL;
    }
    while ((UINT32_C(1) << log2) < spec.ring_size) {
        log2++;
    }

    /* Only what this switch would have created: the applications on the
     * lane can rewrite its header, so the geometry is computed, and the
     * header's epoch must be the one the ports' requests name. */
    l->region.fd = open(l->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (l->region.fd < 0) {
        why = "cannot open it";
    } else if (fstat(l->region.fd, &st) || !S_ISREG(st.st_mode)
               || st.st_uid != (spec.owner >= 0 ? (uid_t) spec.owner
                                : geteuid())
               || (st.st_mode & 07777) != spec.mode) {
        why = "not a lane file of this switch's";
    } else {
        if (!fstatfs(l->region.fd, &sfs) && sfs.f_type == HUGETLBFS_MAGIC
            && sfs.f_bsize > 0 && !(sfs.f_bsize & (sfs.f_bsize - 1))) {
            align = sfs.f_bsize;
        }
        if (!dpdkr_region_layout(log2, spec.buf_size, align, &want)) {
            why = "bad geometry";
        } else {
            want.region_size = dpdkr_region_file_size(want.region_size,
                                                      align);
            want.epoch = epoch;
            if ((uint64_t) st.st_size != want.region_size) {
                why = "its size differs";
            }
        }
    }
    if (!why) {
        l->region.size = want.region_size;
        l->region.base = mmap(NULL, l->region.size, PROT_READ | PROT_WRITE,
                              MAP_SHARED, l->region.fd, 0);
        if (l->region.base == MAP_FAILED) {
            l->region.base = NULL;
            why = "cannot map it";
        }
    }
    if (!why) {
        l->guard = rte_pmd_dpdkr_guard(l->region.base, l->region.size);
        if (l->guard < 0) {
            why = "cannot guard it against truncation";
        }
    }
    if (!why) {
        const struct dpdkr_region_hdr *h
            = ALIGNED_CAST(const struct dpdkr_region_hdr *, l->region.base);
        struct dpdkr_geometry g;

        /* The header is hostile: validate it (a copy), then compare. */
        if (dpdkr_region_validate(l->region.base, l->region.size, &g)
            || memcmp(&g, &want, sizeof g)
            || !(h->flags & DPDKR_REGION_F_LANE)
            || h->server_state != DPDKR_SERVER_UP) {
            why = "its header is not the one the ports' requests name";
        }
    }
    if (why) {
        *errp = xasprintf("%s: not adopting the lane: %s", l->path, why);
        dpdkr_region_unmap(&l->region);
        l->region.size = 0;     /* Keeps lane_close() from removing it. */
        if (l->guard >= 0) {
            rte_pmd_dpdkr_unguard(l->guard);
            l->guard = -1;
        }
        free(l->path);
        free(l);
        return NULL;
    }
    close(l->region.fd);
    l->region.fd = -1;
    l->region.geo = want;
    ALIGNED_CAST(struct dpdkr_region_hdr *, l->region.base)->server_pid
        = getpid();

    lane_register(l, lo, hi);
    for (i = 0; i < 2; i++) {
        const struct netdev *p = i ? hi : lo;
        bool in_vm = false;

        rte_pmd_dpdkr_client_in_vm(port_id(p), &in_vm);
        /* An application in a virtual machine reads it: the agent plugged
         * it in, and keeps it plugged while the port's status lists it. */
        l->end[i].plug = in_vm ? PLUG_DONE : PLUG_HOST;
        if (in_vm) {
            plug_status_changed(l->end[i].port);
        }
    }
    VLOG_INFO("%s: lane adopted from the ovs-vswitchd that ran before",
              l->path);
    return l;
}

struct netdev_dpdkr_lane *
netdev_dpdkr_lane_open(const struct netdev *lo, const struct netdev *hi,
                       char **errp)
{
    struct dpdkr_region_spec spec;
    struct netdev_dpdkr_lane *l;
    const char *why;
    bool replaced;
    int err;

    l = lane_alloc(lo, hi, &spec, errp);
    if (!l) {
        return NULL;
    }

    why = dpdkr_region_create(&spec, &l->region, &replaced, &err);
    if (why) {
        *errp = xasprintf("%s: cannot %s lane (%s)", l->path, why,
                          ovs_strerror(err));
        goto error;
    }
    close(l->region.fd);
    l->region.fd = -1;

    /* The applications can shrink the file under OVS's feet. */
    l->guard = rte_pmd_dpdkr_guard(l->region.base, l->region.size);
    if (l->guard < 0) {
        *errp = xasprintf("%s: cannot guard the lane against truncation",
                          l->path);
        goto error;
    }
    dpdkr_region_init(l->region.base, &l->region.geo, getpid(),
                      DPDKR_REGION_F_LANE);
    lane_register(l, lo, hi);
    COVERAGE_INC(dpdkr_lane_open);
    VLOG_DBG("%s: lane created, %"PRIu64" bytes", l->path, l->region.size);
    return l;

error:
    netdev_dpdkr_lane_close(l);
    return NULL;
}

void
netdev_dpdkr_lane_close(struct netdev_dpdkr_lane *l)
{
    int i;

    if (!l) {
        return;
    }
    if (l->end[0].port) {
        ovs_mutex_lock(&plug_mutex);
        hmap_remove(&all_lanes, &l->node);
        ovs_mutex_unlock(&plug_mutex);
    }
    for (i = 0; i < 2; i++) {
        if (l->end[i].plug >= PLUG_WANTED) {
            /* The agent unplugs what is no longer in the status. */
            plug_status_changed(l->end[i].port);
        }
        free(l->end[i].port);
        free(l->end[i].error);
    }
    if (l->region.base) {
        struct dpdkr_region_hdr *h = ALIGNED_CAST(struct dpdkr_region_hdr *,
                                                  l->region.base);

        __atomic_store_n(&h->server_state, DPDKR_SERVER_CLOSED,
                         __ATOMIC_RELEASE);
        if (l->guard >= 0) {
            rte_pmd_dpdkr_unguard(l->guard);
        }
    }
    dpdkr_region_unmap(&l->region);
    if (l->region.size) {
        unlink(l->path);
        VLOG_DBG("%s: lane removed", l->path);
    }
    free(l->path);
    free(l);
}

const char *
netdev_dpdkr_lane_name(const struct netdev_dpdkr_lane *l)
{
    return l->path;
}

uint64_t
netdev_dpdkr_lane_epoch(const struct netdev_dpdkr_lane *l)
{
    return l->region.geo.epoch;
}

uint32_t
netdev_dpdkr_lane_head(const struct netdev_dpdkr_lane *l, int ring)
{
    return dpdkr_load_acquire(&lane_ring(l, ring)->head);
}

bool
netdev_dpdkr_lane_empty(const struct netdev_dpdkr_lane *l, int ring)
{
    const struct dpdkr_ring *r = lane_ring(l, ring);

    return dpdkr_load_acquire(&r->head) == dpdkr_load_acquire(&r->tail);
}

void
netdev_dpdkr_lane_read(const struct netdev_dpdkr_lane *l, int ring,
                       struct netdev_dpdkr_lane_counters *last,
                       struct netdev_dpdkr_lane_counters *delta)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    const volatile struct dpdkr_ring *r = lane_ring(l, ring);
    struct netdev_dpdkr_lane_counters c = {
        .packets = r->prod_packets,
        .bytes = r->prod_bytes,
        .drops = r->prod_drops,
        .drop_bytes = r->prod_drop_bytes,
    };

    memset(delta, 0, sizeof *delta);
    if (c.packets < last->packets || c.bytes < last->bytes
        || c.drops < last->drops || c.drop_bytes < last->drop_bytes
        || c.packets - last->packets > UINT32_MAX
        || c.drops - last->drops > UINT32_MAX
        || (c.bytes - last->bytes
            > (c.packets - last->packets) * DPDKR_BUF_SIZE_MAX)
        || (c.drop_bytes - last->drop_bytes
            > (c.drops - last->drops) * UINT16_MAX)) {
        COVERAGE_INC(dpdkr_lane_implausible);
        VLOG_WARN_RL(&rl, "%s: implausible lane counters, ignored", l->path);
        return;
    }
    delta->packets = c.packets - last->packets;
    delta->bytes = c.bytes - last->bytes;
    delta->drops = c.drops - last->drops;
    delta->drop_bytes = c.drop_bytes - last->drop_bytes;
    *last = c;
}
