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

"""An os-ken application that programs a service chain over OpenFlow 1.3.

usage: osken-manager --ofp-tcp-listen-port PORT ovs-p2p-osken-chain.py

It plays the SDN controller of a service chain between OpenFlow ports 1
and 2 of the first switch that connects, in both directions, the way
multi-table controllers program OVS: classify in table 0, carry the
decision in the metadata and in a Nicira register, and output from the
last table:

  table 0  in_port=1 -> write_metadata:0x1/0xff, goto_table:1
           in_port=2 -> write_metadata:0x2/0xff, goto_table:1
  table 1  metadata=0x1/0xff -> set_field:0x11->reg0, goto_table:2
           metadata=0x2/0xff -> set_field:0x12->reg0, goto_table:2
  table 2  reg0=0x11,metadata=0x1/0xff -> output:2
           reg0=0x12,metadata=0x2/0xff -> output:1

plus a table-miss rule (priority 0, no instructions: drop) in each table.
Every rule has a cookie of its own (COOKIES below).  Each direction is a
point-to-point link.

It talks to the test through files in the directory named by the
environment variable OVS_P2P_OSKEN_DIR (default: the current directory):

  osken.ready     written once the switch has acknowledged the flows (a
                  barrier reply after the flow_mods); holds the datapath id
  osken.dump-N    the test creates it to ask for statistics (N: any word)
  osken.stats-N   the answer, written atomically: the flow statistics
                  (OFPMP_FLOW, every table) and port statistics (OFPMP_PORT,
                  every port but LOCAL) that the application requested and
                  received itself, one line each, sorted:

    flow table=T priority=P cookie=0xC packets=N bytes=N
    port N rx_packets=N rx_bytes=N rx_dropped=N tx_packets=N tx_bytes=N
         tx_dropped=N                         (on one line)
"""

import os

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER
from os_ken.controller.handler import set_ev_cls
from os_ken.lib import hub
from os_ken.ofproto import ofproto_v1_3

# (table, priority, cookie, match, instructions) of the pipeline, built by
# ChainApp._pipeline(); the cookies name the rules in the statistics.
COOKIES = {
    (0, 100, 1): 0x101, (0, 100, 2): 0x102,
    (1, 100, 1): 0x111, (1, 100, 2): 0x112,
    (2, 100, 1): 0x121, (2, 100, 2): 0x122,
    (0, 0, 0): 0x100, (1, 0, 0): 0x110, (2, 0, 0): 0x120,
}
PEER = {1: 2, 2: 1}
META_MASK = 0xff
REG0 = {1: 0x11, 2: 0x12}
POLL_INTERVAL = 0.05


class ChainApp(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super(ChainApp, self).__init__(*args, **kwargs)
        self.dir = os.environ.get('OVS_P2P_OSKEN_DIR', '.')
        self.datapath = None
        self.ready = False
        self.pending = None        # Name of the dump being answered.
        self.flows = []
        self.ports = []
        self.replies = set()
        hub.spawn(self._poll)

    def _path(self, name):
        return os.path.join(self.dir, name)

    def _write(self, name, lines):
        tmp = self._path(name + '.tmp')
        with open(tmp, 'w') as f:
            f.write(''.join(line + '\n' for line in lines))
        os.rename(tmp, self._path(name))

    def _pipeline(self, parser, ofp):
        """Returns the rules as (table, priority, cookie, match,
        instructions)."""
        rules = []
        for port in (1, 2):
            goto = parser.OFPInstructionGotoTable
            rules.append((0, 100, COOKIES[0, 100, port],
                          parser.OFPMatch(in_port=port),
                          [parser.OFPInstructionWriteMetadata(port,
                                                              META_MASK),
                           goto(1)]))
            rules.append((1, 100, COOKIES[1, 100, port],
                          parser.OFPMatch(metadata=(port, META_MASK)),
                          [parser.OFPInstructionActions(
                              ofp.OFPIT_APPLY_ACTIONS,
                              [parser.OFPActionSetField(reg0=REG0[port])]),
                           goto(2)]))
            rules.append((2, 100, COOKIES[2, 100, port],
                          parser.OFPMatch(metadata=(port, META_MASK),
                                          reg0=REG0[port]),
                          [parser.OFPInstructionActions(
                              ofp.OFPIT_APPLY_ACTIONS,
                              [parser.OFPActionOutput(PEER[port])])]))
        for table in (0, 1, 2):
            rules.append((table, 0, COOKIES[table, 0, 0], parser.OFPMatch(),
                          []))
        return rules

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def _features(self, ev):
        dp = ev.msg.datapath
        ofp = dp.ofproto
        parser = dp.ofproto_parser
        if self.datapath is not None:
            # A reconnection: the flows are still there (fail-mode secure).
            self.datapath = dp
            return
        self.datapath = dp
        dp.send_msg(parser.OFPFlowMod(dp, table_id=ofp.OFPTT_ALL,
                                      command=ofp.OFPFC_DELETE,
                                      out_port=ofp.OFPP_ANY,
                                      out_group=ofp.OFPG_ANY))
        for table, priority, cookie, match, inst in self._pipeline(parser,
                                                                   ofp):
            dp.send_msg(parser.OFPFlowMod(dp, cookie=cookie, table_id=table,
                                          priority=priority, match=match,
                                          instructions=inst))
        dp.send_msg(parser.OFPBarrierRequest(dp))

    @set_ev_cls(ofp_event.EventOFPBarrierReply, MAIN_DISPATCHER)
    def _barrier(self, ev):
        if not self.ready:
            self.ready = True
            self._write('osken.ready', ['dpid=%016x' % ev.msg.datapath.id])

    @set_ev_cls(ofp_event.EventOFPErrorMsg, MAIN_DISPATCHER)
    def _error(self, ev):
        msg = ev.msg
        self.logger.error('OpenFlow error type=%d code=%d',
                          msg.type, msg.code)
        self._write('osken.error', ['type=%d code=%d' % (msg.type,
                                                         msg.code)])

    def _poll(self):
        """Watches for dump requests from the test."""
        while True:
            hub.sleep(POLL_INTERVAL)
            if not self.ready or self.pending is not None:
                continue
            for name in sorted(os.listdir(self.dir)):
                if name.startswith('osken.dump-'):
                    os.unlink(self._path(name))
                    self._request(name[len('osken.dump-'):])
                    break

    def _request(self, name):
        dp = self.datapath
        ofp = dp.ofproto
        parser = dp.ofproto_parser
        self.pending = name
        self.flows = []
        self.ports = []
        self.replies = set()
        dp.send_msg(parser.OFPFlowStatsRequest(dp, table_id=ofp.OFPTT_ALL,
                                               out_port=ofp.OFPP_ANY,
                                               out_group=ofp.OFPG_ANY))
        dp.send_msg(parser.OFPPortStatsRequest(dp, 0, ofp.OFPP_ANY))

    def _reply_done(self, ev, kind):
        if not ev.msg.flags & ev.msg.datapath.ofproto.OFPMPF_REPLY_MORE:
            self.replies.add(kind)
        if self.pending is not None and self.replies == {'flow', 'port'}:
            self._write('osken.stats-' + self.pending,
                        sorted(self.flows) + sorted(self.ports))
            self.pending = None

    @set_ev_cls(ofp_event.EventOFPFlowStatsReply, MAIN_DISPATCHER)
    def _flow_stats(self, ev):
        for s in ev.msg.body:
            self.flows.append('flow table=%d priority=%d cookie=%#x '
                              'packets=%d bytes=%d'
                              % (s.table_id, s.priority, s.cookie,
                                 s.packet_count, s.byte_count))
        self._reply_done(ev, 'flow')

    @set_ev_cls(ofp_event.EventOFPPortStatsReply, MAIN_DISPATCHER)
    def _port_stats(self, ev):
        ofp = ev.msg.datapath.ofproto
        for s in ev.msg.body:
            if s.port_no == ofp.OFPP_LOCAL:
                continue
            self.ports.append('port %d rx_packets=%d rx_bytes=%d '
                              'rx_dropped=%d tx_packets=%d tx_bytes=%d '
                              'tx_dropped=%d'
                              % (s.port_no, s.rx_packets, s.rx_bytes,
                                 s.rx_dropped, s.tx_packets, s.tx_bytes,
                                 s.tx_dropped))
        self._reply_done(ev, 'port')
