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

#ifndef RTE_PMD_DPDKR_H
#define RTE_PMD_DPDKR_H 1

/* The switch's control of net_dpdkr server ports, for the lane manager in
 * ovs-vswitchd, which links the driver statically.  Every function takes a
 * DPDK port id and returns 0 or a negative errno value (-ENODEV if the
 * port is not a net_dpdkr server port).  They are called from the
 * switch's main thread while the data path runs in its PMD threads. */

#include <stdbool.h>
#include <stdint.h>

struct dpdkr_geometry;
struct dpdkr_server_totals;
struct dpdkr_lane_ack;
struct dpdkr_lane_req;

/* Publishes 'req' (all but its generation) as the port's request for ring
 * 'ring', naming the lane 'lane_path' whose geometry, as the switch created
 * it (dpdkr_region_layout() in dpdkr-ring.h, with its epoch), is
 * '*lane_geo', or no lane if both are NULL (-EINVAL if only one is).  The
 * client maps the lane with this geometry, never with the one in the
 * lane's header, which the applications on the lane can rewrite.  Stores
 * the new request's generation (even, see dpdkr-abi.h) in '*generation'.
 * -ENAMETOOLONG if 'lane_path' does not fit the control block. */
int rte_pmd_dpdkr_lane_request(uint16_t port_id, int ring,
                               const struct dpdkr_lane_req *req,
                               const char *lane_path,
                               const struct dpdkr_geometry *lane_geo,
                               uint32_t *generation);

/* Reads the client's acknowledgement for ring 'ring' into '*ack': hostile
 * data, to be checked by the caller.  -EAGAIN if it was being written. */
int rte_pmd_dpdkr_lane_ack(uint16_t port_id, int ring,
                           struct dpdkr_lane_ack *ack);

/* Guards the shared mapping of 'size' bytes at 'base' against truncation
 * of its file by a peer, as the driver guards its own regions: an access
 * beyond the end of the file finds zeros instead of raising SIGBUS.  There
 * is no fixed number of guarded mappings.  Returns a slot (nonnegative)
 * for rte_pmd_dpdkr_unguard(), which the caller calls before it unmaps the
 * memory, or a negative errno value (-ENOMEM: no memory for a new chunk of
 * slots; or the error of installing the SIGBUS handler) if the mapping is
 * not guarded: the caller must then not use the mapping (unmap it and
 * refuse the region or lane), since a peer could kill the process by
 * truncating its file.  A returned slot is never unguarded.
 * rte_pmd_dpdkr_unguard() of a negative value does nothing. */
int rte_pmd_dpdkr_guard(void *base, uint64_t size);
void rte_pmd_dpdkr_unguard(int slot);

/* Stores the client's burst marker of 'ring' (dpdkr-abi.h: for
 * DPDKR_RING_C2S, odd while it is inside a transmit burst; for
 * DPDKR_RING_S2C, inside a receive burst that reads a lane), after a full
 * fence. */
int rte_pmd_dpdkr_busy(uint16_t port_id, int ring, uint32_t *busy);

/* Makes the port's receive path call 'cb'('aux') once, from the thread
 * that receives, when it next receives a packet (NULL 'cb': never). */
int rte_pmd_dpdkr_notify_rx(uint16_t port_id, void (*cb)(void *),
                            void *aux);

/* With 'hold', the port's receive path reads its client-to-server ring
 * only up to index 'limit', and reports when it is there (below).  Without,
 * it reads everything again. */
int rte_pmd_dpdkr_rx_hold(uint16_t port_id, bool hold, uint32_t limit);

/* Makes the port's receive path read nothing more, for good: the switch
 * exits, and what the application sends from now on waits on its ring for
 * the switch that comes next.  rte_pmd_dpdkr_rx_state() then tells when
 * the caller has processed every packet it received before ('*at_limit'),
 * and rte_pmd_dpdkr_rx_hold() no longer changes anything. */
int rte_pmd_dpdkr_rx_stop(uint16_t port_id);

/* Stores the receive path's ring index in '*idx' and whether, holding (or
 * stopped), it has been called again after reaching the limit, which
 * proves that the caller has processed every packet before it, in
 * '*at_limit'. */
int rte_pmd_dpdkr_rx_state(uint16_t port_id, uint32_t *idx, bool *at_limit);

/* Stores in '*head' the index after the last packet the application has
 * put on the port's client-to-server ring (read from shared memory, once),
 * or returns -EPROTO if no ring of the port's size can have reached it
 * from the receive path's index. */
int rte_pmd_dpdkr_rx_head(uint16_t port_id, uint32_t *head);

/* Stores in '*head' the index after the last packet the switch has put on
 * the port's server-to-client ring. */
int rte_pmd_dpdkr_tx_head(uint16_t port_id, uint32_t *head);

/* Stores in '*running' whether an application is attached and started. */
int rte_pmd_dpdkr_client_running(uint16_t port_id, bool *running);

/* Stores in '*attached' whether an application is attached: it holds the
 * region's lock or, in a virtual machine, keeps its heartbeat fresh. */
int rte_pmd_dpdkr_client_attached(uint16_t port_id, bool *attached);

/* Stores in '*in_vm' whether the attached application says that it is in
 * a virtual machine (DPDKR_CLIENT_F_VM): lanes must be plugged into it. */
int rte_pmd_dpdkr_client_in_vm(uint16_t port_id, bool *in_vm);

/* Stores the port's ring size and buffer size. */
int rte_pmd_dpdkr_geometry(uint16_t port_id, uint32_t *ring_size,
                           uint32_t *buf_size);

/* Restart of the switch.  With 'keep', a server port that is closed from
 * now on leaves its region in place and served, for the switch that comes
 * next (ovs-vswitchd exits without --cleanup); without, it closes and
 * removes it (the default). */
void rte_pmd_dpdkr_keep_regions(bool keep);

/* Stores in '*adopted' whether the port took over the region that a
 * previous switch served (see dpdkr_server_adopt()) instead of creating
 * one, and if so, in '*totals' (if nonnull) the totals that switch had
 * published (zero otherwise).  If it found a region there but did not
 * adopt it, stores why in '*why' (a static string), otherwise NULL.  An
 * adopted port's receive path holds at the index where the switch before
 * stopped (rte_pmd_dpdkr_rx_hold()) until the caller releases it. */
int rte_pmd_dpdkr_adopted(uint16_t port_id, bool *adopted,
                          struct dpdkr_server_totals *totals,
                          const char **why);

/* Publishes 'totals' in the port's region, for the switch that may come
 * after this one (dpdkr-abi.h, "Restart"). */
int rte_pmd_dpdkr_publish_totals(uint16_t port_id,
                                 const struct dpdkr_server_totals *totals);

/* Reads the request currently published for ring 'ring' (by this switch or,
 * on an adopted region, by the one before) into '*req', with the path of
 * the lane it names into 'lane_path' (DPDKR_LANE_PATH_SIZE bytes,
 * NUL-terminated) and that lane's geometry into '*lane_geo': shared memory
 * that the application can write, to be checked by the caller.  -EAGAIN
 * if it is being written. */
int rte_pmd_dpdkr_lane_current(uint16_t port_id, int ring,
                               struct dpdkr_lane_req *req, char *lane_path,
                               struct dpdkr_geometry *lane_geo);

#endif /* rte_pmd_dpdkr.h */
