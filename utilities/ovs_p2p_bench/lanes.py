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

"""Benchmarks direct lanes against DPDK memif, the switched path and
vhost-user.

Three parts, in one OVS:

1. Throughput and CPU per packet, in interleaved rounds, of

       testpmd A (txonly) -> p1 -> flow in_port=1,actions=output:2 -> p2
                                                  -> testpmd B (rxonly)

   (with in_port=2,actions=output:1 too: a link both ways, as in a service
   chain) for 'lane' (dpdkr ports, both directions direct over a lane),
   'memif' (no OVS port: DPDK's own net_memif between A and B, the static
   direct channel a user could pick instead, with a lane's ring geometry),
   'switched' (the same dpdkr ports with 'ovs-appctl p2p/force-switched
   br0 p1' and p2, so that OVS's PMD forwards) and 'vhost-user' (as
   utilities/ovs-p2p-bench-dpdkr).  It reports the rate B received and
   the CPU time per packet of everything involved: all threads of A and
   of B, the processing share of OVS's PMD thread, and OVS's other
   threads; and, for the lane, all the CPU that OVS's PMD thread used.

2. The machine's ceiling: tests/dpdkr-ring-ceiling, two threads copying
   packets through one dpdkr ring with the ring code of the PMD and of
   lanes (dpdkr-ring.h) and nothing else, on the CPUs of A and B, at every
   size.

3. Switchover time: ovs-p2p-traffic sends numbered frames p1 -> p2 at a
   modest rate while the flow of in_port=1 alternates between output:2
   (direct) and output:2,output:3 (p3 a dummy port; switched), sent as
   OpenFlow flow_mods by this script; the time from just before each
   flow_mod is written to the moment the lane manager ended the hand-over
   (on the monotonic clock: its log says when the rules changed, and how
   long after that the hand-over ended).  The traffic tool must report no
   loss and no reordering.

It prints the figures, medians and spreads over rounds, ratios and goals,
writes them as JSON (results.json) and plots them (throughput.png,
switchover-cdf.png; ovs_p2p_bench.plots) into --plot-dir.

See Documentation/dpdkr-lanes-benchmark.rst.  Run as root, after 'make',
while nothing else runs DPDK on the machine.

It shares the OVS, port and testpmd handling of ovs-p2p-bench-dpdkr
(ovs_p2p_bench.common).  Quick mode (--quick) runs the whole path at the
smallest sizes, in seconds, and checks that its figures are plausible; the
test suite runs it (tests/bench.at).
"""

import argparse
import calendar
import ctypes
import errno
import json
import os
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

from . import chain, plots
from .common import (COPY_XSTATS, Bench, BenchError, add_machine_arguments,
                     add_run_arguments, cpu_delta, find_thread, log, loadavg,
                     out, set_program, task_runtimes, wait_for,
                     wait_for_quiet_machine)

PROG = 'ovs-p2p-bench-lanes'
KINDS = ('lane', 'memif', 'switched', 'vhost-user')
SIZES = (64, 256, 1024, 1500)
FILE_PREFIX = 'p2planes'
# What each paired turn measures, the first rotating from turn to turn.
PAIRED_KINDS = ('lane', 'memif', 'ceiling')
# What p2p/show says of the two directions of the link when direct.
FORWARD = 'p1(1) -> p2(2): direct'
# B never sends: its direction goes direct without its answer, and A
# (txonly) never reads, so it never says that it reads that lane: the
# direction stays in this step, OVS polling neither port.
REVERSE = ('p2(2) -> p1(1): direct',
           'p2(2) -> p1(1): eligible (asking the output application to read '
           'the lane)')


# ---- A minimal OpenFlow 1.0 client, to time flow_mods exactly. ---------

OFPT_HELLO, OFPT_ERROR, OFPT_ECHO_REQUEST, OFPT_ECHO_REPLY = 0, 1, 2, 3
OFPT_FLOW_MOD, OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY = 14, 18, 19
OFPFC_MODIFY = 1
OFPFW_ALL = (1 << 22) - 1
OFPFW_IN_PORT = 1


class OpenFlow10(object):
    """One OpenFlow 1.0 connection to a bridge's management socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.xid = 0
        self.buf = b''
        self.send(OFPT_HELLO, b'')
        t, _, _ = self.recv()
        if t != OFPT_HELLO:
            raise BenchError('OpenFlow: expected HELLO, got type %d' % t)

    def send(self, type_, body):
        self.xid += 1
        self.sock.sendall(struct.pack('!BBHI', 1, type_, 8 + len(body),
                                      self.xid) + body)
        return self.xid

    def recv(self):
        while True:
            while len(self.buf) < 8 or \
                    len(self.buf) < struct.unpack('!H', self.buf[2:4])[0]:
                data = self.sock.recv(65536)
                if not data:
                    raise BenchError('OpenFlow: connection closed')
                self.buf += data
            version, t, length, xid = struct.unpack('!BBHI', self.buf[:8])
            body, self.buf = self.buf[8:length], self.buf[length:]
            if t == OFPT_ECHO_REQUEST:
                self.sock.sendall(struct.pack('!BBHI', 1, OFPT_ECHO_REPLY,
                                              8 + len(body), xid) + body)
                continue
            return t, xid, body

    @staticmethod
    def flow_mod_body(in_port, out_ports):
        match = struct.pack('!IH6s6sHBxHBBxxIIHH',
                            OFPFW_ALL & ~OFPFW_IN_PORT, in_port,
                            b'\0' * 6, b'\0' * 6, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        actions = b''.join(struct.pack('!HHHH', 0, 8, p, 0xffff)
                           for p in out_ports)
        return match + struct.pack('!QHHHHIHH', 0, OFPFC_MODIFY, 0, 0,
                                   0x8000, 0xffffffff, 0xffff, 0) + actions

    def barrier(self, xid_before):
        """Waits for the reply to a barrier sent after 'xid_before'."""
        bxid = self.send(OFPT_BARRIER_REQUEST, b'')
        while True:
            t, xid, body = self.recv()
            if t == OFPT_ERROR:
                raise BenchError('OpenFlow error %r for xid %d'
                                 % (body[:4], xid))
            if t == OFPT_BARRIER_REPLY and xid == bxid:
                return

    def close(self):
        self.sock.close()


# ---- A minimal unixctl client (ovs-appctl without a fork). --------------

class Unixctl(object):
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(20)
        self.sock.connect(path)
        self.id = 0
        self.buf = ''
        self.dec = json.JSONDecoder()

    def call(self, method, *params):
        self.id += 1
        self.sock.sendall(json.dumps({'method': method,
                                      'params': list(params),
                                      'id': self.id}).encode())
        while True:
            s = self.buf.lstrip()
            try:
                msg, end = self.dec.raw_decode(s)
            except ValueError:
                data = self.sock.recv(65536)
                if not data:
                    raise BenchError('unixctl: connection closed')
                self.buf += data.decode()
                continue
            self.buf = s[end:]
            if msg.get('id') != self.id:
                continue
            if msg.get('error'):
                raise BenchError('%s: %s' % (method, msg['error']))
            return msg.get('result') or ''

    def close(self):
        self.sock.close()


class LogTail(object):
    """Follows ovs-vswitchd.log from its current end.  wait() sleeps until
    ovs-vswitchd writes to it (inotify): the script must not compete for
    the CPUs with the threads whose hand-over it times, as polling the file
    every 0.1 ms did."""

    TS_RE = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z\|')
    IN_MODIFY = 0x2

    def __init__(self, path):
        self.f = open(path, 'r', errors='replace')
        self.f.seek(0, os.SEEK_END)
        self.partial = ''
        libc = ctypes.CDLL(None, use_errno=True)
        self.ifd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.ifd < 0 or libc.inotify_add_watch(
                self.ifd, os.fsencode(path), self.IN_MODIFY) < 0:
            e = ctypes.get_errno()
            raise BenchError('inotify on %s: %s' % (path, os.strerror(e)))
        self.poller = select.poll()
        self.poller.register(self.ifd, select.POLLIN)

    def wait(self, timeout):
        """Sleeps until the log is written to, at most 'timeout' seconds;
        then lines() returns what was written."""
        if self.poller.poll(max(timeout, 0) * 1000):
            try:
                while os.read(self.ifd, 4096):
                    pass
            except OSError as e:
                if e.errno != errno.EAGAIN:
                    raise

    def close(self):
        os.close(self.ifd)
        self.f.close()

    def lines(self):
        """Returns the complete lines written since the last call."""
        data = self.f.read()
        if not data:
            return []
        data = self.partial + data
        lines = data.split('\n')
        self.partial = lines.pop()
        return lines

    @classmethod
    def wall_time(cls, line):
        m = cls.TS_RE.match(line)
        if not m:
            return None
        return (calendar.timegm(time.strptime(m.group(1),
                                              '%Y-%m-%dT%H:%M:%S'))
                + int(m.group(2)) / 1000.0)


class LaneBench(Bench):
    """The benchmarks' Bench, with lanes."""

    def prepare(self):
        super().prepare()
        a = self.args
        for rel in ('tests/ovs-p2p-traffic', 'tests/dpdkr-ring-ceiling'):
            src = os.path.join(a.builddir, rel)
            if not os.access(src, os.X_OK):
                raise BenchError('%s missing: run make first (or pass '
                                 '--builddir)' % src)
            shutil.copy2(src, os.path.join(self.workdir, 'bin'))

    def start_ovs(self):
        super().start_ovs(extra_config=self.args.ovs_config)
        self.ctl_path = os.path.join(self.workdir, 'ovs-vswitchd.%d.ctl'
                                     % self.vswitchd.pid)
        wait_for('the unixctl socket of ovs-vswitchd',
                 lambda: os.path.exists(self.ctl_path), 20)
        self.unixctl = Unixctl(self.ctl_path)

    def start_testpmd(self, role, ptype, path, mode, size):
        """As ovs-p2p-bench-dpdkr's, with the forwarding lcore on the CPU
        that --app-cpus gives for A or B.  For memif, B (started first) is
        the server, A the client."""
        is_a = role.startswith('a')
        cpu = self.args.app_cpus[0 if is_a else 1]
        return super().start_testpmd(role, ptype, path, mode, size,
                                     main_lcore=1 - cpu,
                                     memif_role='client' if is_a
                                     else 'server')

    # ---- dpdkr ports p1, p2 and a dummy p3. ---------------------------

    def add_lane_ports(self, dummy=False):
        """Adds dpdkr ports p1 and p2, a point-to-point link both ways
        (in_port=1,actions=output:2 and in_port=2,actions=output:1, as a
        link of a service chain), and if 'dummy', p3 without an
        application."""
        ports = []
        for i in (1, 2):
            name = 'p%d' % i
            self.vsctl('add-port', 'br0', name, '--', 'set', 'Interface',
                       name, 'type=dpdkr', 'ofport_request=%d' % i,
                       'options:region-dir=' + self.regiondir)
            ports.append((name, os.path.join(self.regiondir, name)))
        waits = list(ports)
        if dummy:
            # p3: a third dpdkr port without an application, the extra
            # output that makes p1 -> p2 switched in part 3 (OVS drops what
            # it sends there).  Not in part 1: OVS's PMD would poll it.
            self.vsctl('add-port', 'br0', 'p3', '--', 'set', 'Interface',
                       'p3', 'type=dpdkr', 'ofport_request=3',
                       'options:region-dir=' + self.regiondir)
            waits.append(('p3', None))
        for i, (name, path) in enumerate(waits, 1):
            self.wait_port(name, i, path)
        self.ofctl('add-flow', 'br0', 'in_port=1,actions=output:2')
        self.ofctl('add-flow', 'br0', 'in_port=2,actions=output:1')
        return ports

    def del_lane_ports(self, ports):
        self.ofctl('del-flows', 'br0')
        self.vsctl('--if-exists', 'del-port', 'p3')
        self.del_ports(ports)

    def p2p_show(self):
        return self.unixctl.call('p2p/show', 'br0')

    def is_direct(self, show=None):
        """True if p1 -> p2 is direct ('show': p2p/show's output, or now)."""
        return FORWARD in (self.p2p_show() if show is None else show)

    def link_direct(self, show=None):
        """True if both directions of the link p1 <-> p2 are direct
        ('show': p2p/show's output, or now)."""
        show = self.p2p_show() if show is None else show
        return FORWARD in show and any(r in show for r in REVERSE)

    # ---- Part 1: throughput and CPU per packet. -----------------------

    def start_apps(self, kind, ptype, ports, size, suffix=''):
        """Starts testpmd B (rxonly) on the second of 'ports' and A
        (txonly, 'size' bytes) on the first, for 'kind' over ports of
        'ptype' (for memif, both are B's socket), as roles 'b' + 'suffix'
        and 'a' + 'suffix'; waits until B receives A's packets (for a lane,
        once the link went direct both ways) and returns (A, B)."""
        (n1, p1), (n2, p2) = ports
        tb = self.start_testpmd('b' + suffix, ptype, p2, 'rxonly', size)
        tb.wait_ready()
        if ptype == 'memif':
            wait_for('testpmd B to listen on %s' % p2,
                     lambda: tb.check() and os.path.exists(p2), 30)
        else:
            wait_for('testpmd B to connect to %s' % n2,
                     lambda: tb.check() and self.connected(ptype, n2), 30)
        ta = self.start_testpmd('a' + suffix, ptype, p1, 'txonly', size)
        ta.wait_ready()
        if ptype != 'memif':
            wait_for('testpmd A to connect to %s' % n1,
                     lambda: ta.check() and self.connected(ptype, n1), 30)
        if kind == 'lane':
            # B only receives: p2 -> p1 goes direct with a sender that
            # never sends.
            try:
                wait_for('p1 -> p2 and p2 -> p1 to go direct',
                         lambda: ta.check() and tb.check()
                         and self.link_direct(), 30)
            except BenchError as e:
                raise BenchError('%s; p2p/show:\n%s'
                                 % (e, self.p2p_show()))
        wait_for('packets to reach testpmd B',
                 lambda: ta.check() and tb.check() and tb.last_rx() > 0, 20)
        return ta, tb

    def measure(self, kind, size):
        a = self.args
        ptype = {'lane': 'dpdkr', 'switched': 'dpdkr'}.get(kind, kind)
        sock = None
        if ptype == 'dpdkr':
            ports = self.add_lane_ports()
            if kind == 'switched':
                # The whole link on OVS's PMD, both ways, as vanilla OVS.
                for port in ('p1', 'p2'):
                    self.appctl('p2p/force-switched', 'br0', port, 'on')
        elif ptype == 'memif':
            # No OVS port: B listens on a socket of its own in the work
            # directory (DPDK 22.11 does not remove it: a fresh name per
            # run), A connects to it.
            self.memif_runs = getattr(self, 'memif_runs', 0) + 1
            sock = os.path.join(self.workdir, 'memif%d.sock'
                                % self.memif_runs)
            ports = [('memif-a', sock), ('memif-b', sock)]
        else:
            ports = self.add_ports(ptype)
        try:
            ta, tb = self.start_apps(kind, ptype, ports, size)
            time.sleep(a.warmup)
            if kind == 'lane':
                show = self.p2p_show()
                if not self.link_direct(show):
                    raise BenchError('the link left the lane during '
                                     'warm-up:\n' + show)
            if kind == 'switched' and self.is_direct():
                raise BenchError('p1 -> p2 is direct despite '
                                 'p2p/force-switched')

            pid_ovs = self.vswitchd.pid
            # OVS runs PMD threads only while the datapath has a port that
            # needs one: none for memif, whose bridge has no port.
            pmd_tid = find_thread(pid_ovs, 'pmd')
            if not pmd_tid and ptype != 'memif':
                raise BenchError('no PMD thread in ovs-vswitchd')
            c0 = [task_runtimes(p) for p in (ta.p.pid, tb.p.pid, pid_ovs)]
            self.appctl('dpif-netdev/pmd-stats-clear')
            t0 = time.monotonic()
            time.sleep(a.duration)
            # testpmd prints its statistics every 1 s, or 2 s where its
            # TSC estimate is high: the window lasts until each has
            # printed two in it.
            wait_for('two statistics of each testpmd in the window',
                     lambda: all(sum(1 for x in list(tp.samples)
                                     if x[0] >= t0) >= 2
                                 for tp in (ta, tb)), 10, 0.05)
            stats = self.appctl('dpif-netdev/pmd-stats-show')
            t1 = time.monotonic()
            c1 = [task_runtimes(p) for p in (ta.p.pid, tb.p.pid, pid_ovs)]
            show = self.p2p_show() if ptype == 'dpdkr' else ''
            load = loadavg()[0]
            rxqs = self.appctl('dpif-netdev/pmd-rxq-show') if pmd_tid else ''
            ta.check()
            tb.check()
            with open(os.path.join(self.workdir, 'stats-%s-%d.txt'
                                   % (kind, size)), 'a') as f:
                f.write(stats + show + rxqs)
            if kind == 'lane' and not self.link_direct(show):
                raise BenchError('the link left the lane during the '
                                 'measurement:\n' + show)
            wall = t1 - t0
            r = {'load1': load, 'wall': wall}
            r['rx_b_mpps'] = tb.rate(t0, t1, 'rx') / 1e6
            r['tx_a_mpps'] = ta.rate(t0, t1, 'tx') / 1e6
            if kind == 'lane':
                # Which copy A's net_dpdkr used (nt-copy): the share of
                # its packets copied with non-temporal stores, and its
                # trials, in the window.
                copies = {x: ta.xstat_delta(x, t0, t1) for x in COPY_XSTATS}
                if None in copies.values():
                    raise BenchError('testpmd A printed no %s'
                                     % ', '.join(COPY_XSTATS))
                sent = ta.delta(t0, t1, 'tx')[0]
                r['nt_share'] = (copies['tx_nt_copy_packets'] / sent
                                 if sent else 0.0)
                r['copy_trials'] = copies['tx_copy_trials']
                r['copy_trials_nt'] = copies['tx_copy_trials_nt']
            r['a_cpu'] = cpu_delta(c0[0], c1[0]) / wall
            r['b_cpu'] = cpu_delta(c0[1], c1[1]) / wall
            pmd_tids = (pmd_tid,) if pmd_tid else ()
            r['pmd_cpu'] = cpu_delta(c0[2], c1[2], tids=pmd_tids) / wall
            r['ovs_other_cpu'] = cpu_delta(c0[2], c1[2],
                                           exclude=pmd_tids) / wall
            # The PMD's processing share of the CPU time it got: OVS counts
            # TSC cycles busy (processing) or idle; the idle ones are
            # polling that a packet does not cause.
            if pmd_tid and 'pmd thread' in stats:
                st = self.pmd_section(stats)
                m_idle = re.search(r'idle cycles: (\d+)', st)
                m_proc = re.search(r'processing cycles: (\d+)', st)
                m_rx = re.search(r'packets received: (\d+)', st)
                if not (m_idle and m_proc and m_rx):
                    raise BenchError('cannot parse pmd-stats-show:\n' + st)
                idle, proc = int(m_idle.group(1)), int(m_proc.group(1))
                rx = int(m_rx.group(1))
            elif ptype == 'memif':
                idle, proc, rx = 0, 0, 0
            else:
                raise BenchError('no PMD thread in pmd-stats-show:\n'
                                 + stats)
            r['busy'] = 100.0 * proc / (idle + proc) if idle + proc else 0
            r['ovs_mpps'] = rx / wall / 1e6
            r['pmd_proc_cpu'] = r['pmd_cpu'] * r['busy'] / 100.0
            pkts = r['rx_b_mpps'] * 1e6
            if pkts <= 0:
                raise BenchError('%s %d B: testpmd B received nothing'
                                 % (kind, size))
            # ns of CPU per packet received by B.
            r['ns_a'] = r['a_cpu'] / pkts * 1e9
            r['ns_b'] = r['b_cpu'] / pkts * 1e9
            r['ns_pmd'] = r['pmd_proc_cpu'] / pkts * 1e9
            r['ns_other'] = r['ovs_other_cpu'] / pkts * 1e9
            r['ns_total'] = r['ns_a'] + r['ns_b'] + r['ns_pmd'] + \
                r['ns_other']
        except BaseException:
            try:
                self.end_run(kind, ptype, ports)
            except Exception as e:
                log('cleaning up after the error below: %s' % e)
            raise
        else:
            self.end_run(kind, ptype, ports)
        return r

    def end_run(self, kind, ptype, ports):
        """Stops the applications of a measure() run and removes its ports
        (for memif, B's socket, which DPDK 22.11 leaves behind)."""
        self.stop_testpmds()
        if ptype == 'dpdkr':
            if kind == 'switched':
                for port in ('p1', 'p2'):
                    self.appctl('p2p/force-switched', 'br0', port, 'off')
            self.del_lane_ports(ports)
        elif ptype == 'memif':
            for name, sock in ports[:1]:
                if os.path.exists(sock):
                    os.unlink(sock)
        else:
            self.del_ports(ports)

    # ---- Part 1, paired turns: lane and memif seconds apart. ----------

    def paired(self, size, turns, turn_time):
        """Measures the lane, memif and the ring ceiling at 'size' in
        'turns' paired turns.

        Both pairs of applications (A and B over the lane, A and B over
        memif, on the same CPUs) start once and run to the end; one pair is
        stopped (SIGSTOP) while the other runs (SIGCONT), and both while
        the ceiling runs on their CPUs, so each turn measures the three
        back to back, seconds apart, the first of them rotating from turn
        to turn (PAIRED_KINDS, from the first).  This VM moves between
        modes in which the same copy runs 3-10 times faster or slower,
        within seconds, and all three copy: a ratio of measurements made
        minutes apart, as the rounds of part 1 make them, may compare two
        modes.  Returns a list of dicts, one per turn and kind: 'turn',
        'kind', 'rx_b_mpps' (for the ceiling, its rate) and, but for the
        ceiling, 'tx_a_mpps'."""
        a = self.args
        lane_ports = self.add_lane_ports()
        self.memif_runs = getattr(self, 'memif_runs', 0) + 1
        sock = os.path.join(self.workdir, 'memif%d.sock' % self.memif_runs)
        pairs = {}
        try:
            pairs['lane'] = self.start_apps('lane', 'dpdkr', lane_ports,
                                            size)
            self.pause(pairs['lane'], True)
            pairs['memif'] = self.start_apps(
                'memif', 'memif', [('memif-a', sock), ('memif-b', sock)],
                size, suffix='-memif')
            self.pause(pairs['memif'], True)
            rows = []
            for turn in range(1, turns + 1):
                first = (turn - 1) % len(PAIRED_KINDS)
                for kind in PAIRED_KINDS[first:] + PAIRED_KINDS[:first]:
                    if kind == 'ceiling':
                        mpps = self.ceiling(
                            size, a.app_cpus,
                            min(a.ceiling_time, turn_time))[0]
                        rows.append({'turn': turn, 'kind': kind,
                                     'rx_b_mpps': mpps})
                        continue
                    ta, tb = pairs[kind]
                    self.pause((ta, tb), False)
                    time.sleep(a.turn_warmup)
                    t0 = time.monotonic()
                    time.sleep(turn_time)
                    wait_for('two statistics of each testpmd in the turn',
                             lambda: all(ta.check() and tb.check()
                                         and sum(1 for x in list(tp.samples)
                                                 if x[0] >= t0) >= 2
                                         for tp in (ta, tb)), 10, 0.05)
                    t1 = time.monotonic()
                    if kind == 'lane':
                        show = self.p2p_show()
                        if not self.link_direct(show):
                            raise BenchError('the link left the lane in '
                                             'turn %d:\n%s' % (turn, show))
                    rows.append({'turn': turn, 'kind': kind,
                                 'rx_b_mpps': tb.rate(t0, t1, 'rx') / 1e6,
                                 'tx_a_mpps': ta.rate(t0, t1, 'tx') / 1e6})
                    self.pause((ta, tb), True)
            return rows
        finally:
            for pair in pairs.values():
                try:
                    self.pause(pair, False)
                except OSError:
                    pass
            try:
                self.stop_testpmds()
                self.del_lane_ports(lane_ports)
                if os.path.exists(sock):
                    os.unlink(sock)
            except Exception as e:
                log('cleaning up after the paired turns: %s' % e)

    @staticmethod
    def pause(pair, stop):
        """Stops (SIGSTOP, 'stop') or continues (SIGCONT) the testpmds of
        'pair'."""
        for tp in pair:
            if tp.p.poll() is None:
                tp.p.send_signal(signal.SIGSTOP if stop else signal.SIGCONT)

    # ---- Part 2: the ceiling. ------------------------------------------

    def ceiling(self, size, cpus, seconds=None):
        """Runs the ceiling at 'size' on 'cpus' for 'seconds' (default:
        --ceiling-time); returns its rate in Mpps and the CPU seconds its
        threads used."""
        a = self.args
        seconds = seconds or a.ceiling_time
        p = self.run([os.path.join(self.workdir, 'bin', 'dpdkr-ring-ceiling'),
                      '--size', str(size), '--seconds', str(seconds),
                      '--cpus', '%d,%d' % cpus]
                     + ['--nt-copy=' + a.nt_copy],
                     timeout=seconds + 30)
        m = re.search(r'mpps=([0-9.]+).*cpu_s=([0-9.]+)', p)
        if not m:
            raise BenchError('dpdkr-ring-ceiling: unexpected output %r' % p)
        return float(m.group(1)), float(m.group(2))

    # ---- Part 3: switchover time. --------------------------------------

    def switchover(self, n, rate):
        a = self.args
        ports = self.add_lane_ports(dummy=True)
        (n1, p1), (n2, p2) = ports
        stop = os.path.join(self.workdir, 'traffic.stop')
        cmd = [os.path.join(self.workdir, 'bin', 'ovs-p2p-traffic'),
               '-l', str(a.app_cpus[0]), '--in-memory', '--no-pci',
               '--no-telemetry', '--file-prefix', self.file_prefix + '-t',
               '-d', self.pmd, '--vdev', 'net_dpdkr0,path=' + p1,
               '--vdev', 'net_dpdkr1,path=' + p2, '--',
               '--count', '0', '--rate', str(rate), '--stop-file', stop,
               '--max-time', str(a.switch_max_time)]
        outf = open(os.path.join(self.workdir, 'traffic.out'), 'w')
        errf = open(os.path.join(self.workdir, 'traffic.err'), 'w')
        tr = subprocess.Popen(cmd, env=self.env, cwd=self.workdir,
                              stdin=subprocess.DEVNULL, stdout=outf,
                              stderr=errf, process_group=0)
        outf.close()
        errf.close()
        self.procs.append(('ovs-p2p-traffic', tr))

        def traffic_ok():
            if tr.poll() is not None:
                with open(os.path.join(self.workdir, 'traffic.err')) as f:
                    err = f.readlines()[-15:]
                raise BenchError('ovs-p2p-traffic exited (status %d):\n%s'
                                 % (tr.returncode, ''.join(err)))
            return True

        of = None
        tail = None
        try:
            wait_for('ovs-p2p-traffic to send', lambda: traffic_ok() and
                     'run id' in open(os.path.join(self.workdir,
                                                   'traffic.err')).read(),
                     60)
            wait_for('p1 -> p2 to go direct',
                     lambda: traffic_ok() and self.is_direct(), 30)
            of = OpenFlow10(os.path.join(self.workdir, 'br0.mgmt'))
            tail = LogTail(os.path.join(self.workdir, 'ovs-vswitchd.log'))
            # The lane manager's debug lines say when it saw A's
            # acknowledgement, sent from the burst in which A switched
            # (an upper bound of the first packet on the new path), and
            # when A says it switched (ABI 1.6: its CLOCK_MONOTONIC, which
            # OVS logs once it checked it lies between its request and
            # its reading of the answer): the first packet on the new path.
            self.unixctl.call('vlog/set', 'p2p_lane:file:dbg')
            res = {'switched': [], 'direct': []}
            logres = {'switched': [], 'direct': []}
            seenres = {'switched': [], 'direct': []}
            first = {'switched': [], 'direct': []}
            exact = {'switched': [], 'direct': []}
            want = {'switched': 'port 1 -> 2: switched',
                    'direct': 'port 1 -> 2: direct ('}
            want_first = {'switched': 'port 1 -> 2: the input application '
                                      'sends to OVS again',
                          'direct': 'port 1 -> 2: the input application '
                                    'sends into the lane'}
            bodies = {'switched': OpenFlow10.flow_mod_body(1, (2, 3)),
                      'direct': OpenFlow10.flow_mod_body(1, (2,))}
            steps = {'switched': {}, 'direct': {}}
            for i in range(2 * n):
                to = 'switched' if i % 2 == 0 else 'direct'
                tail.lines()            # Skip what came before.
                wall0 = time.time()
                t0 = time.monotonic()
                xid = of.send(OFPT_FLOW_MOD, bodies[to])
                deadline = t0 + 10
                seen = None
                seen_first = None
                first_ms = None
                own_ms = None
                changed = None
                marks = []
                while seen is None:
                    for line in tail.lines():
                        m = CHANGED_RE.search(line)
                        if m:
                            changed = float(m.group(1))
                        if seen_first is None and want_first[to] in line:
                            seen_first = time.monotonic()
                            m = END_RE.search(line)
                            if not m:
                                raise BenchError('flow_mod %d: no time in '
                                                 '%r' % (i, line))
                            first_ms = float(m.group(1))
                            m = OWN_RE.search(line)
                            if m:
                                own_ms = float(m.group(1))
                        m = STEP_RE.search(line)
                        if m:
                            marks.append((m.group(1), float(m.group(2))))
                        if want[to] in line:
                            seen = (time.monotonic(), line)
                            break
                        if 'leaving the lane' in line and to == 'direct':
                            raise BenchError('the lane failed: ' + line)
                    if seen is None:
                        now = time.monotonic()
                        if now > deadline:
                            raise BenchError('no "%s" in the log 10 s after '
                                             'flow_mod %d' % (want[to], i))
                        tail.wait(deadline - now)
                # When OVS logged them, on the clock of time.monotonic():
                # from the time at which the rules changed, the same
                # clock in OVS (time_usec()), and the lines' figures.
                m = END_RE.search(seen[1])
                if changed is None or not m:
                    raise BenchError('flow_mod %d: no time of the rule '
                                     'change or of the end in the log' % i)
                end = changed + float(m.group(1)) / 1e3
                res[to].append(end - t0)
                # A that does not answer (it sends nothing) goes direct
                # without: then its bound is the end.
                first[to].append(changed + first_ms / 1e3 - t0
                                 if first_ms is not None else end - t0)
                if own_ms is not None:
                    exact[to].append(changed + own_ms / 1e3 - t0)
                seenres[to].append(seen[0] - t0)
                add_steps(steps[to], marks, seen[1])
                lt = LogTail.wall_time(seen[1])
                if lt is not None:
                    logres[to].append(lt - wall0)
                of.barrier(xid)
                if to == 'switched':
                    # As the lane test does: OVS polls p1 again before the
                    # next hand-over.
                    wait_for('p1 to be polled by OVS again',
                             lambda: re.search(
                                 r'port: p1 .*\(enabled\)',
                                 self.unixctl.call(
                                     'dpif-netdev/pmd-rxq-show')), 10,
                             a.poll_interval)
                if a.switch_gap:
                    time.sleep(a.switch_gap / 1e3)
                if (i + 1) % 200 == 0:
                    traffic_ok()
                    log('%d of %d switches' % ((i + 1) // 2, n))
            wait_for('p1 -> p2 to be direct', self.is_direct, 10)
            rtt = self.flow_mod_rtt(of, bodies, n)
            wait_for('p1 -> p2 to be direct', self.is_direct, 10)
        finally:
            if of:
                of.close()
            if tail:
                tail.close()
            with open(stop, 'w'):
                pass
        try:
            tr.wait(a.switch_max_time + 60)
        except subprocess.TimeoutExpired:
            raise BenchError('ovs-p2p-traffic did not stop')
        # The tool's summary ("sent=... received=..."), after net_dpdkr's
        # copy counters ("copy: tx_nt_copy_packets=..."), if any.
        with open(os.path.join(self.workdir, 'traffic.out')) as f:
            lines = f.read().splitlines()
        summary = ' '.join(x for x in lines if x.startswith('sent='))
        copies = ' '.join(x for x in lines if x.startswith('copy:'))
        counters = dict(kv.split('=', 1)
                        for kv in (summary + ' ' + copies).split()
                        if '=' in kv)
        counters['copies'] = copies
        # Frames OVS's switched path dropped on p2 (its ring full: the
        # receiver fell behind), which the traffic tool counts as lost;
        # the lanes must lose nothing else.
        m = re.search(r'tx pkts=\d+, bytes=\d+, drop=(\d+)',
                      self.ofctl('dump-ports', 'br0', '2'))
        counters['p2_tx_drops'] = m.group(1) if m else '?'
        summary += ' (OVS dropped %s on p2)' % counters['p2_tx_drops']
        self.unixctl.call('vlog/set', 'p2p_lane:file:info')
        self.del_lane_ports(ports)
        return (res, first, exact, logres, seenres, steps, summary,
                counters, tr.returncode, rtt)

    def flow_mod_rtt(self, of, bodies, n):
        """For reference, what the switchover cannot beat: with lanes off
        on br0 (OVS's own path), the same traffic and flow_mods, the time
        from each flow_mod to the reply of the barrier sent right after it,
        as a controller sees it.  Returns the times (s), 2 * 'n'."""
        self.vsctl('set', 'Bridge', 'br0', 'other_config:p2p-enable=false')
        wait_for('p1 to be polled by OVS again',
                 lambda: re.search(r'port: p1 .*\(enabled\)',
                                   self.unixctl.call(
                                       'dpif-netdev/pmd-rxq-show')), 10,
                 self.args.poll_interval)
        rtt = []
        for i in range(2 * n):
            to = 'switched' if i % 2 == 0 else 'direct'
            t0 = time.monotonic()
            of.barrier(of.send(OFPT_FLOW_MOD, bodies[to]))
            rtt.append(time.monotonic() - t0)
        self.vsctl('remove', 'Bridge', 'br0', 'other_config', 'p2p-enable')
        return rtt


# The lane manager's debug line for each step of a hand-over that the rules
# started, and the figure that ends the INFO line of its end.
STEP_RE = re.compile(r'port 1 -> 2: step: (.*), ([0-9.]+) ms after the '
                     r'rules changed')
# The lane manager's debug line for the time at which the rules changed,
# on the monotonic clock.
CHANGED_RE = re.compile(r'port 1: the rules changed at ([0-9.]+) s '
                        r'\(monotonic clock\)')
END_RE = re.compile(r', ([0-9.]+) ms after the rules changed')
# In A's answer: when A itself says it switched (ABI 1.6).
OWN_RE = re.compile(r'; it switched ([0-9.]+) ms after the rules changed')
REACT = 'the lane manager takes the verdict up'
TOTAL = 'total, as OVS logs it'


def add_steps(steps, marks, end_line):
    """Adds to 'steps' ({name: [ms]}, in the order first met) how long one
    hand-over spent in each step: 'marks' are its steps' (name, ms after
    the detector's verdict), 'end_line' the INFO line of its end.  Nothing
    if the end line has no figure (a hand-over the rules did not start)."""
    m = END_RE.search(end_line)
    if not m:
        return
    end = float(m.group(1))
    prev_name, prev_t = REACT, 0.0
    for name, t in marks:
        steps.setdefault(prev_name, []).append(t - prev_t)
        prev_name, prev_t = name, t
    steps.setdefault(prev_name, []).append(end - prev_t)
    steps.setdefault(TOTAL, []).append(end)


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float('nan')
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


HEAD = ('%-5s %5s %-10s %8s %8s %8s %7s %7s %7s %7s %8s %5s %5s %5s %5s %5s'
        % ('round', 'size', 'kind', 'B Mpps', 'A Mpps', 'OVS Mpps',
           'ns A', 'ns B', 'ns PMD', 'ns OVS', 'ns total', 'A', 'B', 'pmd',
           'busy%', 'load'))


def fmt_row(rnd, size, kind, r):
    return ('%-5d %5d %-10s %8.3f %8.3f %8.3f %7.1f %7.1f %7.1f %7.1f '
            '%8.1f %5.2f %5.2f %5.2f %5.1f %5.2f'
            % (rnd, size, kind, r['rx_b_mpps'], r['tx_a_mpps'],
               r['ovs_mpps'], r['ns_a'], r['ns_b'], r['ns_pmd'],
               r['ns_other'], r['ns_total'], r['a_cpu'], r['b_cpu'],
               r['pmd_cpu'], r['busy'], r['load1']))


LEGEND = """\
B Mpps: packets testpmd B received per second (its port statistics); A
Mpps: packets A sent; OVS Mpps: packets OVS's PMD received.  ns A, ns B:
CPU time (all threads of the process, utime+stime from
/proc/PID/task/*/schedstat) per packet received by B; ns PMD: the CPU time
of OVS's PMD thread times its share of processing cycles (pmd-stats-show:
processing / (processing + idle)), per packet, i.e. its polling when idle
is not counted; ns OVS: every other thread of ovs-vswitchd (main thread,
which runs the lane manager, handlers, revalidators); ns total: the sum.
A, B, pmd: CPUs used by A, B and the PMD thread (pmd: all its CPU time,
busy or idle); busy%: PMD processing cycles; load: 1-minute load average.
memif: DPDK's net_memif between A and B, no OVS port (and so no PMD
thread): ns PMD and ns OVS are what OVS costs meanwhile, idle."""


def ratio(a, b):
    return a / b if b else float('nan')


def spread(xs):
    """(median, min, max) of 'xs', NaNs if empty."""
    xs = list(xs)
    if not xs:
        return (float('nan'),) * 3
    return statistics.median(xs), min(xs), max(xs)


def summarize(args, results, ceil):
    """Returns (per_kind, ratios, pmd) from part 1's results ({(round,
    size, kind): r}) and the ceilings ({(size, cpus): Mpps}):

    per_kind  {(size, kind): {key: median} for the columns, with
              'rx_b_mpps', 'ns_total' and 'pmd_cpu' as (median, min, max)
              over rounds}
    ratios    {size: {name: median over rounds of the per-round ratio}}:
              'lane/memif' (B Mpps), 'cpu memif/lane' (ns total),
              'lane/switched', 'lane/vhost-user' (B Mpps), 'lane/ceil'
              (lane's B Mpps / the ceiling on A's and B's CPUs),
              'lane/ceil2' (/ the ceiling on CPUs 0,1)
    pmd       {size: (median, min, max)} of the CPU OVS's PMD thread used
              while the lane carried traffic, all of it, in % of a core
    """
    rounds = range(1, args.rounds + 1)
    per_kind = {}
    for size in args.sizes:
        for kind in args.kinds:
            rs = [results[(rnd, size, kind)] for rnd in rounds
                  if (rnd, size, kind) in results]
            if not rs:
                continue
            m = dict((key, statistics.median(r[key] for r in rs))
                     for key in ('ns_a', 'ns_b', 'ns_pmd', 'ns_other',
                                 'tx_a_mpps', 'ovs_mpps'))
            for key in ('rx_b_mpps', 'ns_total', 'pmd_cpu'):
                m[key] = spread(r[key] for r in rs)
            per_kind[(size, kind)] = m

    def per_round(size, kind, f):
        xs = []
        for rnd in rounds:
            la = results.get((rnd, size, 'lane'))
            ot = results.get((rnd, size, kind)) if kind else True
            if la and ot:
                xs.append(f(la, ot))
        return statistics.median(xs) if xs else float('nan')

    ratios = {}
    for size in args.sizes:
        c_same = ceil.get((size, args.app_cpus), 0)
        c_two = ceil.get((size, (0, 1)), 0)
        ratios[size] = {
            'lane/memif': per_round(size, 'memif', lambda la, o:
                                    ratio(la['rx_b_mpps'],
                                          o['rx_b_mpps'])),
            'cpu memif/lane': per_round(size, 'memif', lambda la, o:
                                        ratio(o['ns_total'],
                                              la['ns_total'])),
            'lane/switched': per_round(size, 'switched', lambda la, o:
                                       ratio(la['rx_b_mpps'],
                                             o['rx_b_mpps'])),
            'lane/vhost-user': per_round(size, 'vhost-user', lambda la, o:
                                         ratio(la['rx_b_mpps'],
                                               o['rx_b_mpps'])),
            'lane/ceil': per_round(size, None, lambda la, o:
                                   ratio(la['rx_b_mpps'], c_same)),
            'lane/ceil2': per_round(size, None, lambda la, o:
                                    ratio(la['rx_b_mpps'], c_two)),
        }
    pmd = dict((size, tuple(100 * x for x in m['pmd_cpu']))
               for (size, kind), m in per_kind.items() if kind == 'lane')
    return per_kind, ratios, pmd


def print_summary(args, per_kind, ratios, pmd):
    out('Summary: median and spread (min-max) over %d round(s)'
        % args.rounds)
    out('%5s %-10s %8s %-15s %8s %8s %8s %8s %8s %-15s'
        % ('size', 'kind', 'B Mpps', 'min-max', 'ns A', 'ns B', 'ns PMD',
           'ns OVS', 'ns total', 'min-max'))
    for size in args.sizes:
        for kind in args.kinds:
            m = per_kind.get((size, kind))
            if m is None:
                continue
            mp, nt = m['rx_b_mpps'], m['ns_total']
            out('%5d %-10s %8.3f %-15s %8.1f %8.1f %8.1f %8.1f %8.1f %-15s'
                % (size, kind, mp[0], '%.3f-%.3f' % mp[1:], m['ns_a'],
                   m['ns_b'], m['ns_pmd'], m['ns_other'], nt[0],
                   '%.1f-%.1f' % nt[1:]))
    out()
    out('Ratios (medians of the per-round ratios; Mpps: B Mpps, CPU: ns '
        'total):')
    out('%5s %11s %15s %13s %15s %10s %10s'
        % ('size', 'lane/memif', 'CPU memif/lane', 'lane/switched',
           'lane/vhost-user', 'lane/ceil', 'lane/ceil2'))
    for size in args.sizes:
        x = ratios[size]
        out('%5d %11.3f %15.3f %13.3f %15.3f %10.3f %10.3f'
            % (size, x['lane/memif'], x['cpu memif/lane'],
               x['lane/switched'], x['lane/vhost-user'], x['lane/ceil'],
               x['lane/ceil2']))
    out('(Mpps ratios but CPU memif/lane: how many times the CPU per packet '
        'memif needs; lane/ceil: against the ceiling on the CPUs of A and '
        'B, %d,%d; lane/ceil2: on CPUs 0,1)' % args.app_cpus)
    if pmd:
        out()
        out("OVS's PMD thread while the lane carried traffic (all its CPU "
            'time, busy or idle, in % of one core; median (min-max)):')
        out('  ' + '   '.join('%d B: %.1f %% (%.1f-%.1f)' % ((size,) + v)
                              for size, v in sorted(pmd.items())))


def summarize_paired(paired):
    """Returns {size: {'lane': (median, min, max) of B Mpps, 'memif' and
    'ceiling': the same, 'ratio' and 'ceil': (median, min, max) of the
    per-turn lane/memif and lane/ceiling ratios, 'ahead': turns in which
    the lane moved more than memif, 'turns': turns}} from the rows of
    LaneBench.paired() (with 'size')."""
    by = {}
    for row in paired:
        by.setdefault(row['size'], {}).setdefault(row['turn'], {})[
            row['kind']] = row['rx_b_mpps']
    res = {}
    for size, turns in sorted(by.items()):
        full = [t for t in turns.values() if set(t) == set(PAIRED_KINDS)]
        if not full:
            continue
        rs = [ratio(t['lane'], t['memif']) for t in full]
        res[size] = dict(
            ((kind, spread(t[kind] for t in full)) for kind in PAIRED_KINDS),
            ratio=spread(rs),
            ceil=spread(ratio(t['lane'], t['ceiling']) for t in full),
            ahead=sum(1 for x in rs if x > 1), turns=len(full))
    return res


def print_paired_summary(args, pstats):
    out('Paired turns, per size: B Mpps (the ceiling: its rate), and the '
        'per-turn ratios,')
    out('median (min-max) over %d turns; the last column: turns with the '
        'lane ahead of memif' % args.paired_turns)
    out('%5s %-22s %-22s %-22s %-22s %-22s %s'
        % ('size', 'lane', 'memif', 'ceiling', 'lane/memif', 'lane/ceiling',
           'ahead'))
    for size, x in sorted(pstats.items()):
        out('%5d %-22s %-22s %-22s %-22s %-22s %d of %d'
            % ((size,) + tuple('%.3f (%.3f-%.3f)' % x[k]
                               for k in ('lane', 'memif', 'ceiling', 'ratio',
                                         'ceil'))
               + (x['ahead'], x['turns'])))


def met(ok):
    return 'MET' if ok else 'NOT MET'


def evaluate_goals(args, ratios, pmd, sw, pstats=None):
    """Returns the goals' verdicts, each as a line of text, from the
    ratios and PMD CPU of summarize(), the switchover figures 'sw' and
    the paired turns' summary 'pstats' (summarize_paired()), which, where
    it has a size, gives that size's lane/memif ratio: the median of
    ratios of measurements seconds apart, not minutes."""
    verdicts = []
    sizes = args.sizes

    def nums(key):
        return [(s, ratios[s][key]) for s in sizes
                if ratios[s][key] == ratios[s][key]]
    pstats = pstats or {}
    vm = [(s, pstats[s]['ratio'][0] if s in pstats else x)
          for s, x in nums('lane/memif')]
    vm += [(s, pstats[s]['ratio'][0]) for s in sizes
           if s in pstats and s not in dict(vm)]
    vm.sort()
    how = ' in paired turns' if pstats else ''
    if vm:
        verdicts.append('lane >= memif at every size%s: %s (%s)'
                        % (how, met(all(x >= 1 for s, x in vm)),
                           ', '.join('%.2fx at %d B' % (x, s)
                                     for s, x in vm)))
        x64 = dict(vm).get(64)
        if x64 is not None:
            verdicts.append('lane >= 1.5x memif at 64 B%s: %s (%.2fx)'
                            % (how, met(x64 >= 1.5), x64))
    vc = [(s, pstats[s]['ceil'][0] if s in pstats else x)
          for s, x in nums('lane/ceil')]
    vc += [(s, pstats[s]['ceil'][0]) for s in sizes
           if s in pstats and s not in dict(vc)]
    vc.sort()
    if vc:
        verdicts.append('lane >= 80%% of the ceiling at every size%s: %s (%s)'
                        % (how, met(all(x >= 0.8 for s, x in vc)),
                           ', '.join('%.0f%% at %d B' % (100 * x, s)
                                     for s, x in vc)))
    if pmd:
        worst = max(pmd, key=lambda s: pmd[s][0])
        verdicts.append("OVS's PMD CPU while the lane carries traffic <= 5%% "
                        'of a core: %s (%.1f%% at %d B, median)'
                        % (met(pmd[worst][0] <= 5), pmd[worst][0], worst))
    if sw:
        worst = max(sw['switched_p99'], sw['direct_p99'])
        verdicts.append('switchover <= 1 ms (p99 of both directions, '
                        'to the end of the hand-over): %s (%.3f ms)'
                        % (met(worst <= 1.0), worst))
        verdicts.append('switchover <= 1 ms (p99 of both directions, to '
                        'A sending on the new path%s): %s (%.3f ms)'
                        % ('' if sw.get('first_exact')
                           else ", bounded by OVS seeing A's answer",
                           met(sw['first_p99'] <= 1.0), sw['first_p99']))
        verdicts.append("no loss (but what OVS's switched path drops "
                        'on p2) or reordering across the switches: '
                        '%s' % met(sw['clean']))
    # The goals are OVS's default configuration's.
    verdicts.append("with OVS's default configuration: %s%s"
                    % (met(not args.ovs_config),
                       ' (other_config %s)' % ' '.join(args.ovs_config)
                       if args.ovs_config else ''))
    return verdicts


def plot_results(data, plot_dir):
    """Writes the plots of a run's results ('data' as in results.json)
    into 'plot_dir'; returns the paths written.  Raises PlotError."""
    paths = []
    info = '%s, %s' % (data['date'], data['machine'])
    if data['summary']:
        series = []
        for kind in data['args']['kinds']:
            rows = [x for x in data['summary'] if x['kind'] == kind]
            if rows:
                series.append({
                    'label': kind,
                    'sizes': [x['size'] for x in rows],
                    'median': [x['rx_b_mpps']['median'] for x in rows],
                    'min': [x['rx_b_mpps']['min'] for x in rows],
                    'max': [x['rx_b_mpps']['max'] for x in rows]})
        rows = data.get('paired_summary') or []
        for kind in PAIRED_KINDS if rows else ():
            series.append({'label': '%s, paired turns' % kind,
                           'sizes': [x['size'] for x in rows],
                           'median': [x[kind]['median'] for x in rows],
                           'min': [x[kind]['min'] for x in rows],
                           'max': [x[kind]['max'] for x in rows],
                           'style': 'dotted'})
        for cpus in sorted(set(tuple(c['cpus']) for c in data['ceiling'])):
            rows = sorted((c['size'], c['mpps']) for c in data['ceiling']
                          if tuple(c['cpus']) == cpus)
            series.append({'label': 'ring ceiling, CPUs %d,%d' % cpus,
                           'sizes': [s for s, m in rows],
                           'median': [m for s, m in rows],
                           'style': 'dashed'})
        paths.append(plots.throughput_vs_size(
            os.path.join(plot_dir, 'throughput.png'), series,
            'testpmd A (txonly) -> B (rxonly): packets B received per '
            'second\nA on CPU %d, B on CPU %d; medians of %d round(s)%s, '
            'bars min-max\n%s'
            % (data['args']['app_cpus'][0], data['args']['app_cpus'][1],
               data['args']['rounds'],
               ' (paired turns: of %d)' % data['args']['paired_turns']
               if data.get('paired_summary') else '', info),
            ylabel='B receives (Mpps, log scale)'))
    so = data['switchover']
    if so:
        series = []
        for to, what, color in (('switched', 'direct -> switched', 'C0'),
                                ('direct', 'switched -> direct', 'C1')):
            series.append(('%s, end of the hand-over' % what,
                           so['end_ms'][to], {'color': color}))
            if so.get('first_exact'):
                series.append(('%s, A on the new path' % what,
                               so['exact_ms'][to],
                               {'color': color, 'linestyle': '--'}))
            else:
                series.append(('%s, A on the new path (<=)' % what,
                               so['first_ms'][to],
                               {'color': color, 'linestyle': '--'}))
        if so.get('rtt_off_ms'):
            series.append(("lanes off: flow_mod to barrier reply (OVS's "
                           'own path)', so['rtt_off_ms'],
                           {'color': 'gray', 'linestyle': ':'}))
        paths.append(plots.latency_cdf(
            os.path.join(plot_dir, 'switchover-cdf.png'), series,
            'Switchover: flow_mod to the new path, under %d pps; %s'
            % (data['args']['switch_rate'], info),
            xlabel='time from the flow_mod (ms, log scale)', limit=1.0,
            limit_label='goal: 1 ms'))
    return paths


def results_data(args, bench, results, ceil, ceil_cpu, sw_data, per_kind,
                 ratios, pmd, verdicts):
    """The run's raw results and summary, for results.json: everything
    plot_results() needs, and figures for the documentation."""
    def triple(t):
        return {'median': t[0], 'min': t[1], 'max': t[2]}
    summary = []
    for (size, kind), m in sorted(per_kind.items()):
        row = {'size': size, 'kind': kind}
        for key, v in m.items():
            row[key] = triple(v) if isinstance(v, tuple) else v
        summary.append(row)
    return {
        'program': PROG,
        'date': time.strftime('%Y-%m-%d %H:%M:%S %Z'),
        'machine': '%s, %d CPUs' % (os.uname().nodename, os.cpu_count()),
        'ovs': getattr(bench, 'version', None),
        'dpdk': getattr(bench, 'dpdk_version', None),
        'args': {'rounds': args.rounds, 'duration': args.duration,
                 'warmup': args.warmup, 'sizes': args.sizes,
                 'kinds': args.kinds, 'app_cpus': list(args.app_cpus),
                 'pmd_cpu_mask': args.pmd_cpu_mask,
                 'ovs_config': args.ovs_config,
                 'nt_copy': args.nt_copy,
                 'switches': args.switches,
                 'switch_rate': args.switch_rate,
                 'ceiling_time': args.ceiling_time, 'quick': args.quick,
                 'paired_turns': args.paired_turns,
                 'turn_time': args.turn_time},
        'load_before': bench.start_load[0],
        'load_after': loadavg(),
        'runs': [dict(r, round=rnd, size=size, kind=kind)
                 for (rnd, size, kind), r in sorted(results.items())],
        'ceiling': [{'size': size, 'cpus': list(cpus), 'mpps': mpps,
                     'cpu_s': ceil_cpu[(size, cpus)]}
                    for (size, cpus), mpps in sorted(ceil.items())],
        'switchover': sw_data,
        'summary': summary,
        'ratios': [dict(ratios[size], size=size) for size in args.sizes],
        'lane_pmd_cpu_pct': [dict(triple(v), size=size)
                             for size, v in sorted(pmd.items())],
        'goals': verdicts,
    }


def json_clean(x):
    """'x' with NaNs (a ratio without data) as None: strict JSON."""
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, dict):
        return dict((k, json_clean(v)) for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return [json_clean(v) for v in x]
    return x


def write_outputs(args, data):
    """Writes results.json and the plots into --plot-dir; returns the
    paths written and the reason the plots were not, if so."""
    os.makedirs(args.plot_dir, exist_ok=True)
    path = os.path.join(args.plot_dir, 'results.json')
    with open(path, 'w') as f:
        json.dump(json_clean(data), f, indent=1, allow_nan=False)
        f.write('\n')
    try:
        return [path] + plot_results(json_clean(data), args.plot_dir), None
    except plots.PlotError as e:
        return [path], str(e)


def check_quick(args, sw_times, sw_steps, sw_rc, sw_clean, ceil, results,
                written, paired):
    """--quick: raises BenchError unless every part measured what it is
    about: every switch timed (positive, under the 10 s the wait allows)
    and its steps too (OVS's total for every switch, each the sum of its
    steps), the traffic tool ended well and the lanes lost nothing (the
    tool exits 1 for the frames OVS's switched path dropped on p2, which
    the lanes did not lose), every ceiling and every run carried packets
    at a positive rate and cost, OVS's PMD
    received nothing while the link was direct nor for memif (no port),
    and the results and plots were written ('written': their paths)."""
    bad = []
    if args.switches > 0:
        for to, xs in sorted(sw_times.items()):
            if len(xs) != args.switches or not all(0 < x < 10 for x in xs):
                bad.append('switches to %s: %d timed, %r'
                           % (to, len(xs), xs[:5]))
            st = sw_steps.get(to, {})
            total = st.get(TOTAL, [])
            parts = [v for k, v in st.items() if k != TOTAL]
            if len(total) != args.switches or len(parts) < 2 \
                    or any(len(v) > len(total) for v in parts) \
                    or not all(0 <= x < 10e3 for v in st.values()
                               for x in v) \
                    or abs(sum(map(sum, parts)) - sum(total)) > 0.01 \
                    * len(total):
                bad.append('steps of the switches to %s: %r'
                           % (to, dict((k, v[:3]) for k, v in st.items())))
        if sw_rc != 0 and not (sw_rc == 1 and sw_clean):
            # 1 is also what the tool says when frames were lost, and the
            # frames that OVS's switched path dropped on p2's full ring (a
            # loaded machine: seen on CI) are lost to it too; sw_clean
            # accepts exactly those.
            bad.append('ovs-p2p-traffic exited %d' % sw_rc)
        if not sw_clean:
            bad.append('loss or reordering across the switches')
    for key, mpps in sorted(ceil.items()):
        if not mpps > 0:
            bad.append('ceiling %r: %r Mpps' % (key, mpps))
    for rnd in range(1, args.rounds + 1):
        for size in args.sizes:
            for kind in args.kinds:
                r = results.get((rnd, size, kind))
                if r is None:
                    bad.append('%s %d B: no result' % (kind, size))
                    continue
                for key in ('rx_b_mpps', 'tx_a_mpps', 'a_cpu', 'b_cpu',
                            'ns_a', 'ns_b', 'ns_total'):
                    if not r[key] > 0:
                        bad.append('%s %d B: %s = %r'
                                   % (kind, size, key, r[key]))
                if kind in ('lane', 'memif') and r['ovs_mpps'] != 0:
                    bad.append('%s %d B: OVS\'s PMD received %r Mpps'
                               % (kind, size, r['ovs_mpps']))
                if kind == 'lane' and not 0 <= r['pmd_cpu'] <= 1.5:
                    bad.append('lane %d B: pmd_cpu = %r'
                               % (size, r['pmd_cpu']))
                if kind in ('switched', 'vhost-user') \
                        and not r['ovs_mpps'] > 0:
                    bad.append('%s %d B: ovs_mpps = %r'
                               % (kind, size, r['ovs_mpps']))
    for size in args.sizes if args.paired_turns else ():
        for turn in range(1, args.paired_turns + 1):
            for kind in PAIRED_KINDS:
                rs = [r for r in paired if (r['size'], r['turn'], r['kind'])
                      == (size, turn, kind)]
                if len(rs) != 1 or not (rs[0]['rx_b_mpps'] > 0
                                        and rs[0].get('tx_a_mpps', 1) > 0):
                    bad.append('paired turn %d, %s %d B: %r'
                               % (turn, kind, size, rs))
    wanted = ['results.json']
    if args.kinds:
        wanted.append('throughput.png')
    if args.switches > 0:
        wanted.append('switchover-cdf.png')
    for name in wanted:
        path = os.path.join(args.plot_dir, name)
        if path not in written:
            bad.append('%s not written' % path)
        elif name.endswith('.png') and not plots.is_png(path):
            bad.append('%s is not a PNG' % path)
        elif not os.path.getsize(path):
            bad.append('%s is empty' % path)
    if bad:
        raise BenchError('--quick: implausible figures: ' + '; '.join(bad))
    out('quick run: every figure plausible')


def replot(args):
    """--replot: the plots of an earlier run's results.json."""
    try:
        with open(args.replot) as f:
            data = json.load(f)
        for path in plot_results(data, args.plot_dir):
            out('plot: %s' % path)
    except (OSError, ValueError, KeyError, plots.PlotError) as e:
        log('error: %s: %s' % (args.replot, e))
        return 1
    return 0


def main(argv=None):
    set_program(PROG)
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Benchmarks direct lanes against DPDK memif, the '
        'switched path and vhost-user, with the ring ceiling and the '
        'switchover time.')
    add_run_arguments(parser, 'kind', ','.join(str(s) for s in SIZES))
    parser.add_argument('--kinds', default=','.join(KINDS),
                        help='what to measure (default: %(default)s)')
    parser.add_argument('--switches', type=int,
                        help='switchover measurements per direction, 0 to '
                        'skip (default: 5000, 20 with --quick)')
    parser.add_argument('--switch-rate', type=int, default=100000,
                        help='frames per second of ovs-p2p-traffic during '
                        'the switches (default: %(default)s)')
    parser.add_argument('--switch-gap', type=float, default=0,
                        help='ms to wait after each hand-over before the '
                        'next flow_mod (default: %(default)s, back to '
                        'back)')
    parser.add_argument('--ceiling-time', type=float, default=2,
                        help='seconds per ceiling measurement (default: '
                        '%(default)s)')
    parser.add_argument('--app-cpus', default='0,1',
                        help="CPUs of A's and B's forwarding lcores: A on "
                        "CPU 0, B on CPU 1 with OVS's PMD (default: "
                        '%(default)s; 0,0 as ovs-p2p-bench-dpdkr)')
    parser.add_argument('--ovs-config', metavar='KEY=VALUE',
                        action='append', default=[],
                        help="adds KEY=VALUE to Open_vSwitch's other_config "
                        "(e.g. pmd-maxsleep=50; repeatable; default: OVS's "
                        "defaults)")
    parser.add_argument('--nt-copy', nargs='?', const='yes',
                        default='auto', choices=('auto', 'yes', 'no'),
                        help="the applications load net_dpdkr with "
                        "nt-copy=NT_COPY (non-temporal stores: auto chooses "
                        "by measuring, net_dpdkr's default), and the "
                        "ceiling copies the same way (default: %(default)s;"
                        " --nt-copy alone: yes)")
    parser.add_argument('--paired-turns', type=int,
                        help='turns per size in which the lane and memif '
                        'are measured back to back, both pairs of '
                        'applications kept running, one stopped while the '
                        'other runs; 0 to skip (default: 8, 2 with '
                        '--quick); needs both kinds in --kinds')
    parser.add_argument('--turn-time', type=float,
                        help='seconds each kind runs in a paired turn, '
                        'after half a second to warm up (default: 3, 2 '
                        'with --quick)')
    parser.add_argument('--skip-chains', action='store_true',
                        help='skip part 4, the chains of N VNFs (--quick '
                        'skips it unless --chain-lengths is given)')
    parser.add_argument('--plot-dir', default='bench-lanes-plots',
                        help='where to write results.json, throughput.png '
                        'and switchover-cdf.png (default: %(default)s, '
                        'in the current directory)')
    parser.add_argument('--replot', metavar='RESULTS_JSON',
                        help='only plot, into --plot-dir, the results.json '
                        'of an earlier run (no root needed)')
    parser.add_argument('--quick', action='store_true',
                        help='a check of the benchmark itself, in about a '
                        'minute: 1 round of 5 s after 1 s of warm-up, '
                        '64-byte packets, 20 switches per direction, 1 s '
                        'per ceiling, 512 hugepages, no waiting for a '
                        'quiet machine; fails unless every figure is '
                        'plausible and the plots are written')
    # How often to ask OVS, between switches, whether it polls p1 again
    # (each question is work for OVS's main thread, whose scheduling the
    # next switch measures).
    parser.add_argument('--poll-interval', type=float, default=0.001,
                        help=argparse.SUPPRESS)
    add_machine_arguments(parser, '/usr/local/lib/ovs-p2p/bench-lanes',
                          argparse.SUPPRESS)
    chain.add_arguments(parser)
    args = parser.parse_args(argv)
    args.plot_dir = os.path.abspath(args.plot_dir)
    if args.replot:
        return replot(args)
    if args.quick:
        # A window of two of testpmd's statistics, which come every 2 s
        # where its TSC estimate is a little high (see dpdkr.py).
        args.rounds, args.duration, args.warmup = 1, 5, 1
        args.ceiling_time = 1
        args.load_wait = 0
    if args.switches is None:
        args.switches = 20 if args.quick else 5000
    if args.paired_turns is None:
        args.paired_turns = 2 if args.quick else 8
    if args.turn_time is None:
        args.turn_time = 2 if args.quick else 3
    args.turn_warmup = 0.5
    if not {'lane', 'memif'} <= set(args.kinds.split(',')):
        args.paired_turns = 0
    if args.sizes is None:
        args.sizes = '64' if args.quick else ','.join(str(s) for s in SIZES)
    if args.hugepages is None:
        args.hugepages = 512 if args.quick else 2048
    args.builddir = os.path.abspath(args.builddir)
    args.srcdir = os.path.abspath(args.srcdir or
                                  os.path.join(args.builddir, '..', 'src'))
    try:
        args.sizes = [int(x) for x in args.sizes.split(',')]
        args.app_cpus = tuple(int(x) for x in args.app_cpus.split(','))
    except ValueError:
        parser.error('--sizes, --app-cpus: comma-separated integers expected')
    if len(args.app_cpus) != 2 or not set(args.app_cpus) <= {0, 1}:
        parser.error('--app-cpus: two CPUs among 0 and 1 expected')
    args.kinds = [k for k in args.kinds.split(',') if k]
    for k in args.kinds:
        if k not in KINDS:
            parser.error('--kinds: %s is not one of %s' % (k, KINDS))
    if args.rounds < 1 or args.duration < 2:
        parser.error('--rounds must be >= 1 and --duration >= 2')
    if args.paired_turns < 0 or args.turn_time < 1:
        parser.error('--paired-turns must be >= 0 and --turn-time >= 1')
    args.switch_max_time = max(120, args.switches * 2)

    bench = LaneBench(args, FILE_PREFIX)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(143))
    ok = False
    try:
        bench.start_load = wait_for_quiet_machine(args)
        bench.prepare()
        bench.start_ovs()
        bench.banner(PROG, 'testpmd A forwards on CPU %d, B on CPU %d'
                     % (args.app_cpus[0], args.app_cpus[1]),
                     ' (NOT quiet: expect noisy figures)')
        out()

        # Part 3 first: it is the quickest to fail.
        sw = sw_data = None
        res, steps, rc = {}, {}, None
        if args.switches > 0:
            out('Switchover: %d switches each way under %d pps of '
                'ovs-p2p-traffic p1 -> p2' % (args.switches,
                                              args.switch_rate))
            (res, first, exact, logres, seenres, steps, summary, counters,
             rc, rtt) = bench.switchover(args.switches, args.switch_rate)
            out('  %-28s %9s %9s %9s %9s' % ('', 'median', 'p99', 'max',
                                             'n'))
            for to, what in (('switched', 'direct -> switched'),
                             ('direct', 'switched -> direct')):
                xs = [x * 1e3 for x in res[to]]
                out('  %-28s %6.3f ms %6.3f ms %6.3f ms %9d'
                    % (what, statistics.median(xs), pct(xs, 99), max(xs),
                       len(xs)))
                es = [x * 1e3 for x in exact[to]]
                if es:
                    out('  %-28s %6.3f ms %6.3f ms %6.3f ms %9d'
                        % ('  (A on the new path)', statistics.median(es),
                           pct(es, 99), max(es), len(es)))
                fs = [x * 1e3 for x in first[to]]
                out('  %-28s %6.3f ms %6.3f ms %6.3f ms %9d'
                    % ("  (OVS sees A's answer)", statistics.median(fs),
                       pct(fs, 99), max(fs), len(fs)))
                ss = [x * 1e3 for x in seenres[to]]
                out('  %-28s %6.3f ms %6.3f ms %6.3f ms %9d'
                    % ('  (as the command sees it)', statistics.median(ss),
                       pct(ss, 99), max(ss), len(ss)))
                ls = [x * 1e3 for x in logres[to]]
                if ls:
                    out('  %-28s %6.3f ms %6.3f ms %6.3f ms %9d'
                        % ('  (log timestamps, 1 ms res)',
                           statistics.median(ls), pct(ls, 99), max(ls),
                           len(ls)))
            rs = [x * 1e3 for x in rtt]
            out("  for reference, lanes off (OVS's own path), the same "
                'flow_mods, each followed by a barrier:')
            out('  %-28s %6.3f ms %6.3f ms %6.3f ms %9d'
                % ('flow_mod to barrier reply', statistics.median(rs),
                   pct(rs, 99), max(rs), len(rs)))
            out('  traffic: %s (exit %d)' % (summary, rc))
            if counters['copies']:
                out("  traffic's %s" % counters['copies'])
            out('  where the time goes: each step of the hand-over, from '
                'the detector\'s verdict,')
            out('  on OVS\'s clock (the lane manager\'s debug lines; ms):')
            out('  %7s %7s %7s %7s %5s' % ('median', 'p90', 'p99', 'max',
                                           'n'))
            for to, what in (('switched', 'direct -> switched'),
                             ('direct', 'switched -> direct')):
                out('  ' + what)
                for name, xs in steps[to].items():
                    out('  %7.3f %7.3f %7.3f %7.3f %5d  %s'
                        % (statistics.median(xs), pct(xs, 90), pct(xs, 99),
                           max(xs), len(xs), name))
            # A's own times where it gave one for every switch, else the
            # bound.
            a_exact = all(len(exact[to]) == len(res[to]) for to in exact)
            a_new = exact if a_exact else first
            sw = {'switched_p99': pct(res['switched'], 99) * 1e3,
                  'first_p99': max(pct(a_new['switched'], 99),
                                   pct(a_new['direct'], 99)) * 1e3,
                  'first_exact': a_exact,
                  'direct_p99': pct(res['direct'], 99) * 1e3,
                  'switched_med': statistics.median(res['switched']) * 1e3,
                  'direct_med': statistics.median(res['direct']) * 1e3,
                  'clean': (counters.get('lost')
                            == counters.get('p2_tx_drops')
                            and counters.get('reordered') == '0'
                            and counters.get('duplicates') == '0'
                            and counters.get('corrupted') == '0')}

            def ms(d):
                return dict((to, [x * 1e3 for x in xs])
                            for to, xs in d.items())
            sw_data = dict(sw, end_ms=ms(res), first_ms=ms(first),
                           exact_ms=ms(exact), rtt_off_ms=rs,
                           seen_ms=ms(seenres), log_ms=ms(logres),
                           steps_ms=steps,
                           traffic=summary,
                           counters=counters, traffic_exit=rc)
            out()

        # Part 2: the ceiling, on A's and B's CPUs and, for reference, on
        # two CPUs.
        # Once per round (the machine is noisy); the medians are used.
        ceil, ceil_cpu = {}, {}
        out('Ceiling: tests/dpdkr-ring-ceiling, 2 threads through one '
            'dpdkr ring (1024 x 2176 B slots), %d round(s), medians'
            % args.rounds)
        placements = [args.app_cpus]
        if args.app_cpus != (0, 1):
            placements.append((0, 1))
        for rnd in range(args.rounds):
            for size in args.sizes:
                for cpus in placements:
                    mpps, cpu_s = bench.ceiling(size, cpus)
                    ceil.setdefault((size, cpus), []).append(mpps)
                    ceil_cpu.setdefault((size, cpus), []).append(cpu_s)
        for key in sorted(ceil):
            size, cpus = key
            mpps = statistics.median(ceil[key])
            cpu_s = statistics.median(ceil_cpu[key])
            ceil[key], ceil_cpu[key] = mpps, cpu_s
            out('  %5d B, CPUs %d,%d: %8.3f Mpps, %7.1f ns CPU/packet'
                % (size, cpus[0], cpus[1], mpps,
                   cpu_s / (mpps * 1e6 * args.ceiling_time) * 1e9
                   if mpps else float('nan')))
        out()

        # Part 1.
        results = {}
        if args.kinds:
            out(LEGEND)
            out()
            out(HEAD)
            for rnd in range(1, args.rounds + 1):
                for size in args.sizes:
                    for kind in args.kinds:
                        r = bench.measure(kind, size)
                        results[(rnd, size, kind)] = r
                        out(fmt_row(rnd, size, kind, r))
                        if 'nt_share' in r:
                            out('      A\'s copy: %.0f %% of its packets '
                                'non-temporal; %d of %d trials chose it'
                                % (100 * r['nt_share'], r['copy_trials_nt'],
                                   r['copy_trials']))
            out()
        # Part 1, paired turns.
        paired = []
        if args.paired_turns:
            out('Lane against memif in paired turns: both pairs of '
                'applications run throughout,')
            out('one stopped (SIGSTOP) while the other runs, both while '
                'the ceiling runs; %d turns' % args.paired_turns)
            out('per size, %.0f s per kind in each after %.1f s of warm-up '
                '(the ceiling: %.0f s),' % (args.turn_time, args.turn_warmup,
                                            min(args.ceiling_time,
                                                args.turn_time)))
            out('the first of them rotating; B Mpps (the ceiling: its '
                'rate)')
            out('%5s %4s %-8s %9s %9s %9s %11s %13s'
                % ('size', 'turn', 'first', 'lane', 'memif', 'ceiling',
                   'lane/memif', 'lane/ceiling'))
            for size in args.sizes:
                rows = bench.paired(size, args.paired_turns, args.turn_time)
                for row in rows:
                    row['size'] = size
                paired += rows
                for turn in range(1, args.paired_turns + 1):
                    t = dict((row['kind'], row['rx_b_mpps']) for row in rows
                             if row['turn'] == turn)
                    out('%5d %4d %-8s %9.3f %9.3f %9.3f %11.3f %13.3f'
                        % (size, turn,
                           PAIRED_KINDS[(turn - 1) % len(PAIRED_KINDS)],
                           t['lane'], t['memif'], t['ceiling'],
                           ratio(t['lane'], t['memif']),
                           ratio(t['lane'], t['ceiling'])))
            out()
        pstats = summarize_paired(paired)
        per_kind, ratios, pmd = summarize(args, results, ceil)
        if args.kinds:
            print_summary(args, per_kind, ratios, pmd)
            out()
        if pstats:
            print_paired_summary(args, pstats)
            out()

        # Part 4: chains of N VNFs, in the same OVS.
        chains = None
        if not args.skip_chains and (not args.quick or args.chain_lengths):
            chains = chain.run(bench, args)
            out()

        verdicts = evaluate_goals(args, ratios, pmd, sw, pstats)
        load = loadavg()
        out('load average at end: %.2f %.2f %.2f' % tuple(load))
        out('Goals: ' + '; '.join(verdicts))
        data = results_data(args, bench, results, ceil, ceil_cpu, sw_data,
                            per_kind, ratios, pmd, verdicts)
        data['paired'] = paired
        data['paired_summary'] = [
            dict(size=size, ahead=x['ahead'], turns=x['turns'],
                 **dict((k, dict(zip(('median', 'min', 'max'), x[k])))
                        for k in PAIRED_KINDS + ('ratio', 'ceil')))
            for size, x in sorted(pstats.items())]
        if chains is not None:
            data['chains'] = chains
        written, why = write_outputs(args, data)
        for path in written:
            out('%s: %s' % ('results' if path.endswith('.json') else 'plot',
                            path))
        if why:
            out('plots not written: %s' % why)
        if args.quick:
            check_quick(args, res, steps, rc, sw['clean'] if sw else False,
                        ceil, results, written, paired)
        ok = True
    except BenchError as e:
        log('error: %s' % e)
    except subprocess.TimeoutExpired as e:
        log('error: %s' % e)
    except KeyboardInterrupt:
        log('interrupted')
    finally:
        try:
            if getattr(bench, 'unixctl', None):
                bench.unixctl.close()
        except OSError:
            pass
        bench.cleanup()
        if bench.workdir:
            if ok and not args.keep:
                shutil.rmtree(bench.workdir, ignore_errors=True)
            else:
                log('logs kept in %s' % bench.workdir)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
