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

"""Benchmarks chains of N VNFs: all direct, all switched, vhost-user.

    source (txonly) -> VNF 1 -> ... -> VNF N -> sink (rxonly)

Each VNF is a stock dpdk-testpmd in io mode with two ports (what arrives
on one leaves by the other); every hop between two neighbours is a pair of
point-to-point flows on br0, in_port=X,actions=output:Y and
in_port=Y,actions=output:X, N + 1 hops in all.  Three modes, interleaved
within each round (N=1 direct, switched, vhost-user, N=2 ...):

  direct      dpdkr ports; the command waits until 'ovs-appctl p2p/show'
              says every forward direction is direct: the VNFs exchange
              packets over lanes, OVS forwards nothing.
  switched    the same dpdkr ports with the bridge's
              other_config:p2p-enable=false: no direction is eligible and
              OVS's PMD forwards every hop, as vanilla OVS would.
  vhost-user  vanilla OVS: dpdkvhostuser ports, DPDK's net_virtio_user in
              the testpmds.

For each chain it reports the packets per second the sink received, the
CPU time of every thread involved (every testpmd, every thread of
ovs-vswitchd) per packet the sink received and per hop, in ns and in
cycles, and the threads that were busy (the paper's figures 5 and 8 are
throughput and cores against chain length).  Process j (the source 0,
VNF i i, the sink N + 1) forwards on CPU j % 2, OVS's PMD where
--pmd-cpu-mask says.  A chain of 0 VNFs (--chain-lengths 0) links the
source to the sink: one hop, the lanes benchmark's case.

Every testpmd polls: with more of them than CPUs, every CPU is in use all
the time, and the CPU per packet per hop is the machine's CPUs divided by
the throughput and the hops.  It then compares the modes as the
throughput does (on the same CPU budget), not what a hop costs where it
is done.  (testpmd's --record-core-cycles cannot tell that either on a
shared CPU: a poll that loses the CPU and finds packets when it gets it
back counts the time it waited as busy.)

Two ways to run it: 'utilities/ovs-p2p-bench-chain' (main() below) starts
its own OVS; another benchmark that has one running calls
add_arguments() on its parser and run(bench, args) with its Bench.  See
Documentation/dpdkr-lanes-benchmark.rst, "Chains of N VNFs".
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

from .common import (Bench, BenchError, Testpmd, add_machine_arguments,
                     add_run_arguments, cpu_delta, log, loadavg, out,
                     set_program, task_runtimes, wait_for,
                     wait_for_quiet_machine)
from .plots import PlotError, plot_chains

PROG = 'ovs-p2p-bench-chain'
MODES = ('direct', 'switched', 'vhost-user')
FILE_PREFIX = 'p2pchain'

# A thread is busy if it used more than this share of a CPU over the
# window, active if more than ACTIVE (a poller that time-shares a CPU with
# others falls between the two on a small machine).
BUSY = 0.5
ACTIVE = 0.1

# Hugepages (2 MiB) that a chain takes, an upper bound from the free
# hugepages during the runs on the development VM (a VNF and its two ports,
# with their regions, lanes and OVS's per-port mempools, took about 95; OVS,
# the source, the sink and their ports with N = 1 about 210): per testpmd
# (--in-memory, --total-num-mbufs=8192), per port, and for OVS itself.
PAGES_TESTPMD = 50
PAGES_PORT = 25
PAGES_OVS = 300


def add_arguments(parser):
    """Adds the chain benchmark's options to 'parser'; their names start
    with --chain- so that they do not collide with another benchmark's.
    finish_arguments() fills in their defaults once parsed."""
    g = parser.add_argument_group('chains of N VNFs')
    g.add_argument('--chain-lengths',
                   help='numbers of VNFs in the chains, 0 for the source '
                   'linked to the sink (default: 1,2,3,4,5,6; 1,2 with '
                   '--quick)')
    g.add_argument('--chain-modes', default=','.join(MODES),
                   help='modes to measure, interleaved within each round '
                   '(default: %(default)s)')
    g.add_argument('--chain-duration', type=float,
                   help='seconds measured per chain (default: --duration, '
                   'or 5)')
    g.add_argument('--chain-warmup', type=float,
                   help='seconds of traffic at the sink before measuring '
                   '(default: --warmup, or 2)')
    g.add_argument('--chain-size', type=int, default=64,
                   help='packet size in bytes (default: %(default)s)')
    g.add_argument('--chain-plot',
                   help='PNG to write the figures to, empty for none '
                   '(default: chains.png in --plot-dir if there is one, '
                   'else in the current directory)')
    g.add_argument('--chain-json',
                   help='file to write the results to, as JSON')


def finish_arguments(args):
    """Parses and checks the --chain- options of 'args' in place, with
    their defaults (some depend on --quick, --duration, --warmup); raises
    BenchError on a bad value.  Doing it twice does nothing more."""
    if getattr(args, 'chain_ready', False):
        return
    quick = getattr(args, 'quick', False)
    lengths = args.chain_lengths or ('1,2' if quick else '1,2,3,4,5,6')
    try:
        args.chain_lengths = [int(x) for x in str(lengths).split(',') if x]
    except ValueError:
        raise BenchError('--chain-lengths: comma-separated integers '
                         'expected')
    if not args.chain_lengths or min(args.chain_lengths) < 0:
        raise BenchError('--chain-lengths: chains of 0 VNFs (the source '
                         'linked to the sink) or more')
    if max(args.chain_lengths) > 100:
        raise BenchError('--chain-lengths: at most 100 VNFs')
    modes = args.chain_modes
    if isinstance(modes, str):
        modes = [m for m in modes.split(',') if m]
    for m in modes:
        if m not in MODES:
            raise BenchError('--chain-modes: %s is not one of %s'
                             % (m, ', '.join(MODES)))
    args.chain_modes = modes
    if args.chain_duration is None:
        args.chain_duration = getattr(args, 'duration', None) or 5
    if args.chain_warmup is None:
        w = getattr(args, 'warmup', None)
        args.chain_warmup = 2 if w is None else w
    if args.chain_duration < 2:
        # testpmd prints its statistics every 1 to 2 s: a window must hold
        # two of them.
        raise BenchError('--chain-duration must be >= 2')
    if not 60 <= args.chain_size <= 1500:
        raise BenchError('--chain-size: 60 to 1500 bytes')
    if getattr(args, 'rounds', None) is None:
        args.rounds = 1
    if args.chain_plot is None:
        args.chain_plot = os.path.join(getattr(args, 'plot_dir', None)
                                       or '.', 'chains.png')
    args.chain_ready = True


def chain_pages(n):
    """Returns about how many hugepages a chain of 'n' VNFs takes, beyond
    what OVS takes when it starts."""
    return (n + 2) * PAGES_TESTPMD + (2 * n + 2) * PAGES_PORT


def chain_hugepages(n):
    """Returns an upper bound of the hugepages that a run with chains of up
    to 'n' VNFs needs, OVS's own included."""
    return PAGES_OVS + chain_pages(n)


def free_hugepages():
    with open('/proc/meminfo') as f:
        m = re.search(r'^HugePages_Free:\s*(\d+)', f.read(), re.M)
    return int(m.group(1)) if m else 0


def tsc_mhz():
    """Returns (MHz, where from): the TSC frequency, from /proc/cpuinfo's
    'cpu MHz', which is the frequency of the TSC that the kernel detected
    on a CPU whose TSC is constant ('constant_tsc'), as in virtual
    machines.  DPDK's and OVS's cycle counts are TSC cycles too."""
    with open('/proc/cpuinfo') as f:
        info = f.read()
    mhz = [float(x) for x in re.findall(r'^cpu MHz\s*:\s*([0-9.]+)', info,
                                        re.M)]
    if not mhz:
        raise BenchError('no "cpu MHz" in /proc/cpuinfo')
    what = "/proc/cpuinfo 'cpu MHz'"
    if re.search(r'^flags\s*:.*\bconstant_tsc\b', info, re.M):
        what += ' (constant_tsc: the TSC frequency)'
    else:
        what += ' (no constant_tsc: the current clock, not the TSC)'
    return statistics.mean(mhz), what


def thread_name(pid, tid):
    try:
        with open('/proc/%d/task/%s/comm' % (pid, tid)) as f:
            return f.read().strip()
    except OSError:
        return '?'


class Chain(object):
    """One chain of 'n' VNFs in 'mode' on 'bench', a Bench whose OVS runs
    with bridge br0: its ports, flows and testpmds, and its measurement.

    Process j (0 the source, 1 to n the VNFs, n + 1 the sink) forwards on
    CPU j % 2.  Its ports: the source's 'chsrc' is OpenFlow port 1, VNF
    i's 'ch<i>in' and 'ch<i>out' are 2i and 2i + 1, the sink's 'chsink' is
    2n + 2; hop k (1 to n + 1) links ports 2k - 1 and 2k."""

    def __init__(self, bench, args, n, mode):
        self.bench = bench
        self.args = args
        self.n = n
        self.mode = mode
        self.ptype = 'vhost-user' if mode == 'vhost-user' else 'dpdkr'
        self.ports = []         # (name, ofport, path)
        self.roles = []         # (role, label, [port index])
        self.added = False
        self.disabled = False
        names = ['chsrc']
        for i in range(1, n + 1):
            names += ['ch%din' % i, 'ch%dout' % i]
        names.append('chsink')
        for ofport, name in enumerate(names, 1):
            if self.ptype == 'dpdkr':
                path = os.path.join(bench.regiondir, name)
            else:
                path = os.path.join(bench.workdir, name)
            self.ports.append((name, ofport, path))
        self.roles.append(('chsrc', 'src', [0]))
        for i in range(1, n + 1):
            self.roles.append(('ch%d' % i, 'vnf%d' % i, [2 * i - 1, 2 * i]))
        self.roles.append(('chsink', 'sink', [2 * n + 1]))
        self.tps = {}           # role -> Testpmd

    # ---- Setup and teardown. ------------------------------------------

    def p2p_show(self):
        unixctl = getattr(self.bench, 'unixctl', None)
        if unixctl is not None:
            return unixctl.call('p2p/show', 'br0')
        return self.bench.appctl('p2p/show', 'br0')

    def forward_dirs(self):
        """The p2p/show prefixes of the forward direction of every hop."""
        p = self.ports
        return ['%s(%d) -> %s(%d): ' % (p[2 * k][0], p[2 * k][1],
                                        p[2 * k + 1][0], p[2 * k + 1][1])
                for k in range(self.n + 1)]

    def not_direct(self, show):
        """Returns the forward directions that 'show' (p2p/show) does not
        say are direct."""
        lines = show.splitlines()
        bad = []
        for d in self.forward_dirs():
            if not any(line.strip().startswith(d + 'direct (')
                       for line in lines):
                bad.append(d.split(' -> ')[0])
        return bad

    def not_switched(self, show):
        """Returns the forward directions that 'show' says are, or may
        become, direct (they must all be switched)."""
        lines = show.splitlines()
        bad = []
        for name, ofport, path in self.ports[0::2]:
            head = '%s(%d)' % (name, ofport)
            mine = [x.strip() for x in lines
                    if x.strip().startswith(head + ':')
                    or x.strip().startswith(head + ' ->')]
            if not mine or any(': switched' not in x for x in mine):
                bad.append(head)
        return bad

    def setup(self):
        b = self.bench
        if self.mode == 'switched':
            # No direction of br0 eligible: OVS's PMD forwards every hop.
            b.vsctl('set', 'bridge', 'br0', 'other_config:p2p-enable=false')
            self.disabled = True
        cmd = []
        for name, ofport, path in self.ports:
            if self.ptype == 'dpdkr':
                iface = ['type=dpdkr', 'options:region-dir=' + b.regiondir]
            else:
                iface = ['type=dpdkvhostuser']
            cmd += ['--', 'add-port', 'br0', name, '--', 'set', 'Interface',
                    name, 'ofport_request=%d' % ofport] + iface
        self.added = True
        b.vsctl(*cmd[1:])
        for name, ofport, path in self.ports:
            b.wait_port(name, ofport, path)
        flows = os.path.join(b.workdir, 'chain-flows.txt')
        with open(flows, 'w') as f:
            for k in range(self.n + 1):
                x, y = 2 * k + 1, 2 * k + 2
                f.write('in_port=%d,actions=output:%d\n' % (x, y))
                f.write('in_port=%d,actions=output:%d\n' % (y, x))
        b.ofctl('add-flows', 'br0', flows)

    def testpmd_cmd(self, j, role, port_idx, fwd):
        """The command of process 'j' (forwarding on CPU j % 2) with ports
        'port_idx', forwarding in mode 'fwd'."""
        a, b = self.args, self.bench
        cpu = j % 2
        cmd = ['stdbuf', '-oL', a.testpmd, '-l', '0,1',
               '--main-lcore', str(1 - cpu), '--in-memory', '--no-pci',
               '--file-prefix', '%s-%s' % (b.file_prefix, role)]
        if self.ptype == 'dpdkr':
            cmd += ['-d', b.pmd]
            for q, i in enumerate(port_idx):
                cmd += ['--vdev', 'net_dpdkr%d,path=%s'
                        % (q, self.ports[i][2])]
        else:
            cmd.append('--single-file-segments')
            for q, i in enumerate(port_idx):
                cmd += ['--vdev', 'net_virtio_user%d,path=%s,queues=1,'
                        'queue_size=%d' % (q, self.ports[i][2],
                                           a.vhost_queue_size)]
        cmd += ['--', '--forward-mode=' + fwd, '--stats-period', '1',
                '--auto-start', '--total-num-mbufs=8192']
        if fwd == 'txonly':
            cmd.append('--txpkts=%d' % a.chain_size)
        return cmd

    def start(self, j):
        role, label, port_idx = self.roles[j]
        if j == 0:
            fwd = 'txonly'
        elif j == self.n + 1:
            fwd = 'rxonly'
        else:
            fwd = 'io'
        tp = Testpmd(self.bench, 'testpmd-' + role,
                     self.testpmd_cmd(j, role, port_idx, fwd))
        self.bench.testpmds[role] = tp
        self.tps[role] = tp
        return tp

    def check_all(self):
        for tp in self.tps.values():
            tp.check()
        return True

    def connected(self, j):
        b = self.bench
        for i in self.roles[j][2]:
            if not b.connected(self.ptype, self.ports[i][0]):
                return False
        return True

    def start_all(self):
        """Starts the sink and the VNFs, waits until they forward and are
        attached to their ports, then starts the source."""
        n = self.n
        for j in range(n + 1, 0, -1):
            self.start(j)
        for j in range(n + 1, 0, -1):
            self.tps[self.roles[j][0]].wait_ready()
            wait_for('%s to attach to its ports' % self.roles[j][1],
                     lambda: self.check_all() and self.connected(j), 60)
        self.start(0).wait_ready()
        wait_for('the source to attach to its port',
                 lambda: self.check_all() and self.connected(0), 60)

    def stop_all(self):
        """Stops the testpmds, the source first."""
        b = self.bench
        for role, label, port_idx in self.roles:
            tp = self.tps.pop(role, None)
            if tp is not None:
                b.testpmds.pop(role, None)
                tp.stop()

    def teardown(self):
        b = self.bench
        self.stop_all()
        if self.added:
            b.ofctl('del-flows', 'br0')
            b.del_ports([(name, path) for name, ofport, path in self.ports])
            self.added = False
        if self.disabled:
            b.vsctl('remove', 'bridge', 'br0', 'other_config', 'p2p-enable')
            self.disabled = False

    # ---- Measurement. -------------------------------------------------

    def measure(self):
        a, b = self.args, self.bench
        self.start_all()
        sink = self.tps['chsink']
        if self.mode == 'direct':
            try:
                wait_for('every hop to go direct',
                         lambda: self.check_all()
                         and not self.not_direct(self.p2p_show()), 60)
            except BenchError:
                raise BenchError('chain of %d: not direct after 60 s:\n%s'
                                 % (self.n, self.p2p_show()))
        wait_for('packets to reach the sink',
                 lambda: self.check_all() and sink.last_rx() > 0, 30)
        time.sleep(a.chain_warmup)
        self.check_consistent('warm-up')

        pids = [('ovs', b.vswitchd.pid)]
        pids += [(label, self.tps[role].p.pid)
                 for role, label, port_idx in self.roles]
        c0 = [task_runtimes(pid) for label, pid in pids]
        tc0 = time.monotonic()
        b.appctl('dpif-netdev/pmd-stats-clear')
        t0 = time.monotonic()
        time.sleep(a.chain_duration)
        # testpmd prints its statistics every 1 s, or 2 s where its TSC
        # estimate is high: the window lasts until the source and the sink
        # have printed two in it (as ovs-p2p-bench-lanes does).
        wait_for('two statistics of the source and the sink in the window',
                 lambda: all(sum(1 for x in list(tp.samples) if x[0] >= t0)
                             >= 2 for tp in (self.tps['chsrc'], sink)),
                 10, 0.05)
        stats = b.appctl('dpif-netdev/pmd-stats-show')
        t1 = time.monotonic()
        c1 = [task_runtimes(pid) for label, pid in pids]
        tc1 = time.monotonic()
        load = loadavg()[0]
        self.check_all()
        show = self.check_consistent('the measurement')
        with open(os.path.join(b.workdir, 'chain-%s-%d.txt'
                               % (self.mode, self.n)), 'a') as f:
            f.write(stats + show)

        wall = t1 - t0
        hops = self.n + 1
        r = {'n': self.n, 'mode': self.mode, 'hops': hops, 'wall': wall,
             'load1': load}
        r['sink_pps'] = sink.rate(t0, t1, 'rx')
        r['src_pps'] = self.tps['chsrc'].rate(t0, t1, 'tx')
        m = re.search(r'packets received: (\d+)', b.pmd_section(stats))
        if not m:
            raise BenchError('cannot parse pmd-stats-show:\n' + stats)
        r['ovs_pps'] = int(m.group(1)) / wall
        # CPU shares over the time between the two snapshots of the CPU
        # times, packets over the window of the statistics within.
        threads = []
        cpu = {}
        cpu_wall = tc1 - tc0
        for (label, pid), before, after in zip(pids, c0, c1):
            cpu[label] = cpu_delta(before, after) / cpu_wall
            for tid in sorted(after, key=int):
                share = (after[tid] - before.get(tid, 0.0)) / cpu_wall
                threads.append(('%s/%s' % (label, thread_name(pid, tid)),
                                share))
        r['cpu'] = cpu
        r['cpus_used'] = sum(cpu.values())
        r['ovs_cpu'] = cpu['ovs']
        threads.sort(key=lambda x: -x[1])
        r['busy_threads'] = [(t, s) for t, s in threads if s > BUSY]
        r['active_threads'] = [(t, s) for t, s in threads if s > ACTIVE]
        r['busy'] = len(r['busy_threads'])
        r['active'] = len(r['active_threads'])
        r['sink_packets'] = r['sink_pps'] * wall
        if r['sink_pps'] > 0:
            # CPUs / (packets / s) = CPU seconds per packet.
            r['ns_pkt_hop'] = r['cpus_used'] / r['sink_pps'] / hops * 1e9
            r['ns_pkt_hop_ovs'] = r['ovs_cpu'] / r['sink_pps'] / hops * 1e9
        else:
            r['ns_pkt_hop'] = r['ns_pkt_hop_ovs'] = float('nan')
        r['cyc_pkt_hop'] = r['ns_pkt_hop'] * a.chain_tsc_mhz / 1e3
        r['hugepages_free'] = free_hugepages()
        return r

    def check_consistent(self, when):
        """Checks that the chain is still in its mode after 'when': every
        hop direct, or switched.  Returns p2p/show's output (empty for
        vhost-user, where it says nothing of interest)."""
        if self.ptype != 'dpdkr':
            return ''
        show = self.p2p_show()
        if self.mode == 'direct':
            bad = self.not_direct(show)
            if bad:
                raise BenchError('chain of %d: %s not direct after %s:\n%s'
                                 % (self.n, ', '.join(bad), when, show))
        else:
            bad = self.not_switched(show)
            if bad:
                raise BenchError('chain of %d, switched: %s not switched '
                                 'after %s:\n%s'
                                 % (self.n, ', '.join(bad), when, show))
        return show


def measure(bench, args, n, mode):
    """Measures one chain of 'n' VNFs in 'mode' and takes it down."""
    need = chain_pages(n)
    have = free_hugepages()
    if have < need:
        log('warning: chain of %d: %d hugepages free, it may need %d '
            '(--hugepages)' % (n, have, need))
    ch = Chain(bench, args, n, mode)
    try:
        ch.setup()
        r = ch.measure()
    except BaseException:
        try:
            ch.teardown()
        except Exception as e:
            log('cleaning up after the error below: %s' % e)
        raise
    ch.teardown()
    return r


HEAD = ('%-5s %3s %-10s %9s %9s %9s %9s %8s %8s %5s %4s %6s %5s'
        % ('round', 'N', 'mode', 'sink Mpps', 'src Mpps', 'OVS Mpps',
           'ns/p/hop', 'cyc/p/h', 'ns OVS', 'CPUs', 'busy', 'active',
           'load'))


def fmt_row(rnd, r):
    return ('%-5d %3d %-10s %9.3f %9.3f %9.3f %9.1f %8.0f %8.1f %5.2f %4d '
            '%6d %5.2f'
            % (rnd, r['n'], r['mode'], r['sink_pps'] / 1e6,
               r['src_pps'] / 1e6, r['ovs_pps'] / 1e6, r['ns_pkt_hop'],
               r['cyc_pkt_hop'], r['ns_pkt_hop_ovs'], r['cpus_used'],
               r['busy'], r['active'], r['load1']))


def fmt_threads(r):
    """One line: the busy threads, then the other active ones, with the
    share of a CPU each used."""
    busy = ' '.join('%s %.0f%%' % (t, 100 * s) for t, s in r['busy_threads'])
    other = ' '.join('%s %.0f%%' % (t, 100 * s)
                     for t, s in r['active_threads'] if s <= BUSY)
    return '      busy: %s; active: %s' % (busy or '-', other or '-')


LEGEND = """\
N: VNFs in the chain (N + 1 hops); sink Mpps: packets the sink received
per second, src Mpps: packets the source sent (testpmd's port statistics);
OVS Mpps: packets OVS's PMD received (pmd-stats-show).  ns/p/hop: CPU time
of every thread of every testpmd and of ovs-vswitchd (utime + stime, from
/proc/PID/task/*/schedstat) over the window, divided by the packets the
sink received and by the number of hops; cyc/p/h: the same in cycles (ns x
the TSC frequency below); ns OVS: the part of ns/p/hop that ovs-vswitchd
used (all its threads).  CPUs: CPUs used in all; busy: threads that used
more than %d%% of a CPU, active: more than %d%% (listed below each row,
process/thread); load: 1-minute load average.  With more polling threads
than CPUs, every CPU is in use all the time: ns/p/hop is then the
machine's CPUs divided by the throughput and by the hops.""" % (
    100 * BUSY, 100 * ACTIVE)


SUMMARY_KEYS = ('sink_pps', 'src_pps', 'ovs_pps', 'ns_pkt_hop', 'cyc_pkt_hop',
                'ns_pkt_hop_ovs', 'cpus_used', 'busy', 'active')


def medians(args, results):
    """Returns {(n, mode): {key: median over the rounds, 'min': {key:
    lowest}, 'max': {key: highest}, 'rounds': rounds}}."""
    med = {}
    for n in args.chain_lengths:
        for mode in args.chain_modes:
            rs = [r for (rnd, rn, rm), r in sorted(results.items())
                  if rn == n and rm == mode]
            if not rs:
                continue
            m = dict((k, statistics.median(r[k] for r in rs))
                     for k in SUMMARY_KEYS)
            m['min'] = dict((k, min(r[k] for r in rs)) for k in SUMMARY_KEYS)
            m['max'] = dict((k, max(r[k] for r in rs)) for k in SUMMARY_KEYS)
            m['rounds'] = len(rs)
            med[(n, mode)] = m
    return med


def ratio(a, b):
    return a / b if b else float('nan')


def json_clean(x):
    """'x' with NaNs (a figure without data) as None and tuples as lists:
    strict JSON."""
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, dict):
        return dict((k, json_clean(v)) for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return [json_clean(v) for v in x]
    return x


def check_quick(args, results):
    """--quick: raises BenchError unless every chain carried packets to
    its sink at a positive cost, direct chains without OVS's PMD and the
    others through it."""
    bad = []
    for rnd in range(1, args.rounds + 1):
        for n in args.chain_lengths:
            for mode in args.chain_modes:
                r = results.get((rnd, n, mode))
                what = '%s chain of %d' % (mode, n)
                if r is None:
                    bad.append(what + ': no result')
                    continue
                for key in ('sink_pps', 'src_pps', 'ns_pkt_hop',
                            'cyc_pkt_hop', 'cpus_used'):
                    if not r[key] > 0:
                        bad.append('%s: %s = %r' % (what, key, r[key]))
                if not r['active'] > 0:
                    bad.append(what + ': no active thread')
                if mode == 'direct' and r['ovs_pps'] != 0:
                    bad.append("%s: OVS's PMD received %r pps"
                               % (what, r['ovs_pps']))
                if mode != 'direct' and not r['ovs_pps'] > 0:
                    bad.append("%s: OVS's PMD received nothing" % what)
    if bad:
        raise BenchError('--quick: implausible figures: ' + '; '.join(bad))
    out('quick run: every figure plausible')


def run(bench, args):
    """Measures chains of every length and mode of 'args' (see
    add_arguments(); finish_arguments() is called if it was not) on
    'bench', a started Bench (ovs-vswitchd running with bridge br0 and
    nothing on it), prints a table per run and a summary, writes the plot
    and the JSON file if asked, and returns the results as a dict that
    json can dump.  Raises BenchError on a failure, or under --quick on an
    implausible figure."""
    finish_arguments(args)
    a = args
    a.chain_tsc_mhz, tsc_from = tsc_mhz()
    out('Chains of N VNFs: source (txonly) -> N x testpmd io -> sink '
        '(rxonly), %d B packets; N = %s; modes %s'
        % (a.chain_size, ','.join(str(n) for n in a.chain_lengths),
           ', '.join(a.chain_modes)))
    out('%d round(s), %g s warm-up, %g s measured per chain; forwarding '
        'lcores alternate over CPUs 0 and 1 (source on 0, VNF 1 on 1, ...); '
        "OVS's PMD on mask %s"
        % (a.rounds, a.chain_warmup, a.chain_duration,
           getattr(a, 'pmd_cpu_mask', '?')))
    out('cycles = ns x %.1f MHz, from %s' % (a.chain_tsc_mhz, tsc_from))
    out()
    out(LEGEND)
    out()
    out(HEAD)
    results = {}
    for rnd in range(1, a.rounds + 1):
        for n in a.chain_lengths:
            for mode in a.chain_modes:
                r = measure(bench, a, n, mode)
                r['round'] = rnd
                results[(rnd, n, mode)] = r
                out(fmt_row(rnd, r))
                out(fmt_threads(r))
    med = medians(a, results)
    out()
    out('Summary: median over %d round(s), per hop (N + 1 hops)' % a.rounds)
    out('%3s %-10s %9s %9s %8s %8s %5s %6s   %s'
        % ('N', 'mode', 'sink Mpps', 'ns/p/hop', 'cyc/p/h', 'ns OVS',
           'busy', 'active', 'cyc/p/h by round'))
    for n in a.chain_lengths:
        for mode in a.chain_modes:
            m = med.get((n, mode))
            if not m:
                continue
            out('%3d %-10s %9.3f %9.1f %8.0f %8.1f %5g %6g   %s'
                % (n, mode, m['sink_pps'] / 1e6, m['ns_pkt_hop'],
                   m['cyc_pkt_hop'], m['ns_pkt_hop_ovs'], m['busy'],
                   m['active'],
                   ' '.join('%.0f' % results[(rnd, n, mode)]['cyc_pkt_hop']
                            for rnd in range(1, a.rounds + 1))))
    if 'direct' in a.chain_modes and len(a.chain_modes) > 1:
        others = [m for m in a.chain_modes if m != 'direct']
        out()
        out('Against direct: medians of the per-round ratios (cycles per '
            'packet per hop: x more than direct; throughput: x less)')
        out('%3s %s' % ('N', ' '.join('%21s' % m for m in others)))
        out('%3s %s' % ('', ' '.join('%10s %10s' % ('cyc/p/h', 'Mpps')
                                     for m in others)))
        for n in a.chain_lengths:
            cols = []
            for m in others:
                cyc, thr = [], []
                for rnd in range(1, a.rounds + 1):
                    d = results.get((rnd, n, 'direct'))
                    o = results.get((rnd, n, m))
                    if d and o:
                        cyc.append(ratio(o['cyc_pkt_hop'], d['cyc_pkt_hop']))
                        thr.append(ratio(d['sink_pps'], o['sink_pps']))
                cols.append('%9.2fx %9.2fx'
                            % (statistics.median(cyc) if cyc
                               else float('nan'),
                               statistics.median(thr) if thr
                               else float('nan')))
            out('%3d %s' % (n, ' '.join(cols)))
    out()

    with open('/proc/cpuinfo') as f:
        cpu = re.search(r'model name\s*:\s*(.*)', f.read())
    res = {'size': a.chain_size, 'rounds': a.rounds,
           'lengths': list(a.chain_lengths), 'modes': list(a.chain_modes),
           'duration': a.chain_duration, 'warmup': a.chain_warmup,
           'tsc_mhz': a.chain_tsc_mhz, 'tsc_source': tsc_from,
           'machine': '%d CPUs (%s)' % (os.cpu_count(),
                                        cpu.group(1) if cpu else '?'),
           'busy_threshold': BUSY, 'active_threshold': ACTIVE,
           'runs': [results[k] for k in sorted(results)],
           'summary': [dict(m, n=n, mode=mode)
                       for (n, mode), m in sorted(med.items())]}
    res = json_clean(res)
    if a.chain_json:
        d = os.path.dirname(a.chain_json)
        if d:
            os.makedirs(d, exist_ok=True)
        with open(a.chain_json, 'w') as f:
            json.dump(res, f, indent=1, sort_keys=True, allow_nan=False)
            f.write('\n')
        out('results: %s' % a.chain_json)
    if a.chain_plot:
        try:
            plot_chains(res, a.chain_plot)
        except PlotError as e:
            raise BenchError('plot: %s' % e)
        out('plot: %s' % a.chain_plot)
    if getattr(a, 'quick', False):
        check_quick(a, results)
    return res


def main(argv=None):
    set_program(PROG)
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Benchmarks chains of N testpmd VNFs between a source '
        'and a sink: all hops direct, all switched by OVS, and over '
        "vanilla OVS's vhost-user ports.")
    add_run_arguments(parser, 'chain length and mode')
    parser.add_argument('--quick', action='store_true',
                        help='a check of the benchmark itself: chains of 1 '
                        'and 2 VNFs, 1 round of 5 s after 1 s of warm-up, '
                        '64-byte packets, no waiting for a quiet machine; '
                        'fails unless every figure is plausible')
    add_arguments(parser)
    add_machine_arguments(parser, '/usr/local/lib/ovs-p2p/bench-chain',
                          argparse.SUPPRESS)
    # The shared options' help, for chains.
    helps = {'rounds': 'rounds, each running every chain length and mode '
             '(default: %(default)s)',
             'duration': 'seconds measured per chain, unless '
             '--chain-duration (default: %(default)s)',
             'warmup': 'seconds of traffic before measuring, unless '
             '--chain-warmup (default: %(default)s)',
             'sizes': argparse.SUPPRESS,
             'hugepages': 'hugepages to reserve (default: enough for the '
             'longest chain, %d for 6 VNFs)' % chain_hugepages(6)}
    for action in parser._actions:
        if action.dest in helps:
            action.help = helps[action.dest]
    args = parser.parse_args(argv)
    if args.sizes is not None:
        parser.error('--sizes: the chains use one size, --chain-size')
    if args.quick:
        # A window of two of testpmd's statistics, which may come every
        # 2 s (see dpdkr.py).
        args.rounds, args.duration, args.warmup = 1, 5, 1
        args.load_wait = 0
    try:
        finish_arguments(args)
    except BenchError as e:
        parser.error(str(e))
    if args.rounds < 1:
        parser.error('--rounds must be >= 1')
    if args.hugepages is None:
        args.hugepages = chain_hugepages(max(args.chain_lengths))
    args.builddir = os.path.abspath(args.builddir)
    args.srcdir = os.path.abspath(args.srcdir or
                                  os.path.join(args.builddir, '..', 'src'))

    bench = Bench(args, FILE_PREFIX)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(143))
    ok = False
    try:
        bench.start_load = wait_for_quiet_machine(args)
        bench.prepare()
        bench.start_ovs(extra_config=getattr(args, 'ovs_config', ()))
        bench.banner(PROG, 'forwarding lcores alternate over CPUs 0 and 1',
                     ' (NOT quiet: expect noisy figures)')
        out()
        run(bench, args)
        load = loadavg()
        out('load average at end: %.2f %.2f %.2f' % tuple(load))
        ok = True
    except BenchError as e:
        log('error: %s' % e)
    except subprocess.TimeoutExpired as e:
        log('error: %s' % e)
    except KeyboardInterrupt:
        log('interrupted')
    finally:
        bench.cleanup()
        if bench.workdir:
            if ok and not args.keep:
                shutil.rmtree(bench.workdir, ignore_errors=True)
            else:
                log('logs kept in %s' % bench.workdir)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
