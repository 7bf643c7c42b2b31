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

struct netdev_class;

/* Registers the "dpdkr" netdev class, built on netdev-dpdk's class 'dpdk'
 * (the one of type "dpdk"), whose functions it reuses.  Called once, by
 * netdev_dpdk_register(), after DPDK is initialized. */
void netdev_dpdkr_register(const struct netdev_class *dpdk);

#endif /* netdev-dpdkr.h */
