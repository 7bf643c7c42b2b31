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

#ifndef P2P_LANE_H
#define P2P_LANE_H 1

/* Lane manager.
 * =============
 *
 * When the p2p detector finds a direction A->B eligible and both A and B
 * are dpdkr ports with running applications, the lane manager moves A's
 * packets onto a lane, a shared-memory region that only A's and B's
 * applications map, and OVS stops polling A.  It moves them back to the
 * switched path when the direction stops being eligible, an application
 * goes away, or an operator asks.  Both hand-overs follow the protocol in
 * dpdkr-abi.h so that no packet is lost or reordered; every step has a
 * time limit.  While a direction is direct, the manager reads the lane's
 * counters and credits them to A's and B's port statistics and to the
 * OpenFlow rule that made the direction eligible, so that controllers see
 * the same counters, idle timeouts and flow-removed messages as on the
 * switched path.  See Documentation/dpdkr-lanes.rst.
 *
 * The manager runs in the main thread, from bridge_run(). */

/* Starts the manager (registers with the detector and unixctl). */
void p2p_lane_init(void);

void p2p_lane_run(void);

/* Called after every reconfiguration of bridge 'ofproto': takes note of its
 * ports whose regions were adopted from the ovs-vswitchd that ran before,
 * to take over their lanes once the rules are back (flow-restore-wait). */
struct ofproto;
void p2p_lane_bridge_configured(struct ofproto *);
void p2p_lane_wait(void);

/* Tells the manager the datapath's "tx-flush-interval" in microseconds:
 * packets may wait that long in OVS's output batches, so a hand-over waits
 * as long before it assumes that OVS has sent them. */
void p2p_lane_set_flush_interval(int us);

#endif /* p2p-lane.h */
