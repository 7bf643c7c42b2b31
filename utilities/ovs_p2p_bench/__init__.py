# Copyright (c) 2026 The ovs-p2p authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""ovs-p2p's benchmarks.

common   what they share: the patched OVS run from the build tree with DPDK,
         ports, dpdk-testpmd applications, CPU accounting, cleanup
dpdkr    dpdkr ports against vhost-user (utilities/ovs-p2p-bench-dpdkr)
lanes    direct lanes against DPDK memif, the switched path and
         vhost-user, the ring ceiling and the switchover time
         (utilities/ovs-p2p-bench-lanes)
chain    chains of N VNFs, all direct, all switched and over vhost-user
         (utilities/ovs-p2p-bench-chain; run() for another benchmark)

plots    their plots with matplotlib: functions of plain data that write
         a PNG file (throughput against packet size, latency CDFs)

Each benchmark module's main(argv) is its command; the scripts in
utilities/ only call it.  See Documentation/dpdkr-benchmark.rst and
Documentation/dpdkr-lanes-benchmark.rst.
"""
