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

"""Benchmarks dpdkr ports against vhost-user ports through OVS-DPDK.

Topology, the same for both port types:

    testpmd A (txonly) -> OVS port 1 -> flow -> OVS port 2 -> testpmd B
                                                              (rxonly)

For dpdkr, A and B load the net_dpdkr PMD (-d) and attach to the ports'
regions; for vhost-user, A and B use DPDK's net_virtio_user against OVS
dpdkvhostuser ports (the fastest process-to-OVS port of vanilla OVS).  The
runs of both types alternate within each round, in one OVS, so that both
see the same machine state.

For each run it reports OVS's PMD processing cycles per packet (busy
cycles / packets, from dpif-netdev/pmd-perf-show and pmd-stats-show), the
rate OVS forwarded and the rate B received, and how much CPU each party
got.  See Documentation/dpdkr-benchmark.rst.

Run as root, after 'make', while nothing else runs DPDK on the machine.


Quick mode (--quick) runs the whole path at the smallest sizes, in
seconds, and checks that its figures are plausible; the test suite runs it
(tests/bench.at).
"""

import argparse
import os
import re
import signal
import shutil
import statistics
import subprocess
import sys
import time

from .common import (Bench, BenchError, add_machine_arguments,
                     add_run_arguments, find_thread, log, loadavg, out,
                     set_program, task_runtime, wait_for,
                     wait_for_quiet_machine)

PROG = 'ovs-p2p-bench-dpdkr'
TYPES = ('dpdkr', 'vhost-user')
FILE_PREFIX = 'p2pbench'


class DpdkrBench(Bench):
    """Measures one port type at a time: A -> port 1 -> OVS -> port 2 ->
    B."""

    def start_ovs(self):
        super().start_ovs()
        # What a packet costs OVS's PMD between two dpdkr ports: the
        # switched path.  With the p2p detector on, the flow would make
        # port 1 -> 2 a direct lane, which OVS's PMD never sees.
        self.vsctl('set', 'bridge', 'br0', 'other_config:p2p-enable=false')

    def measure(self, ptype, size):
        a = self.args
        ports = self.add_ports(ptype)
        try:
            (n1, p1), (n2, p2) = ports
            tb = self.start_testpmd('b', ptype, p2, 'rxonly', size)
            tb.wait_ready()
            wait_for('testpmd B to connect to %s' % n2,
                     lambda: tb.check() and self.connected(ptype, n2), 30)
            ta = self.start_testpmd('a', ptype, p1, 'txonly', size)
            ta.wait_ready()
            wait_for('testpmd A to connect to %s' % n1,
                     lambda: ta.check() and self.connected(ptype, n1), 30)
            wait_for('packets to reach testpmd B',
                     lambda: ta.check() and tb.check() and tb.last_rx() > 0,
                     20)
            time.sleep(a.warmup)

            pmd_tid = find_thread(self.vswitchd.pid, 'pmd')
            if not pmd_tid:
                raise BenchError('no PMD thread in ovs-vswitchd')
            cpu0 = (task_runtime(self.vswitchd.pid, pmd_tid),
                    task_runtime(ta.p.pid), task_runtime(tb.p.pid))
            self.appctl('dpif-netdev/pmd-stats-clear')
            t0 = time.monotonic()
            time.sleep(a.duration)
            perf = self.appctl('dpif-netdev/pmd-perf-show')
            stats = self.appctl('dpif-netdev/pmd-stats-show')
            t1 = time.monotonic()
            cpu1 = (task_runtime(self.vswitchd.pid, pmd_tid),
                    task_runtime(ta.p.pid), task_runtime(tb.p.pid))
            load = loadavg()[0]
            ta.check()
            tb.check()
            with open(os.path.join(self.workdir, 'perf-%s-%d.txt'
                                   % (ptype, size)), 'a') as f:
                f.write(perf + stats)
            r = self.parse(perf, stats, t1 - t0)
            r['rx_b_mpps'] = tb.rate(t0, t1, 'rx') / 1e6
            r['tx_a_mpps'] = ta.rate(t0, t1, 'tx') / 1e6
            wall = t1 - t0
            r['pmd_cpu'] = (cpu1[0] - cpu0[0]) / wall
            r['a_cpu'] = (cpu1[1] - cpu0[1]) / wall
            r['b_cpu'] = (cpu1[2] - cpu0[2]) / wall
            r['load1'] = load
            # pmd-perf-show counts TSC cycles of wall time, so the time the
            # PMD thread spent preempted counts as cycles it used.  Scaled
            # by the share of the window it was on a CPU, its cycles per
            # packet are what it cost while it ran (preemption hits busy
            # and idle iterations alike).
            r['oncpu_cpp'] = r['perf_cpp'] * min(r['pmd_cpu'], 1.0)
            if r['pmd_cpu'] < 0.9:
                log('warning: %s %d B: the OVS PMD thread ran only %.0f%% '
                    'of the time (CPU contention): its cycles/packet are '
                    'inflated' % (ptype, size, 100 * r['pmd_cpu']))
        except BaseException:
            # Clean up without hiding the error that brought us here.
            try:
                self.stop_testpmds()
                self.del_ports(ports)
            except Exception as e:
                log('cleaning up after the error below: %s' % e)
            raise
        else:
            self.stop_testpmds()
            self.del_ports(ports)
        return r

    def parse(self, perf, stats, wall):
        perf = self.pmd_section(perf)
        stats = self.pmd_section(stats)
        r = {}

        def get(regex, text, what):
            m = re.search(regex, text)
            if not m:
                raise BenchError('cannot find %s in:\n%s' % (what, text))
            return m.groups()
        m = re.search(r'Measurement duration: *([0-9.]+) s', perf)
        r['duration'] = float(m.group(1)) if m else wall
        rx, cpp = get(r'Rx packets: *(\d+) *\([0-9.]+ [KM]?pps, '
                      r'([0-9.]+) cycles/pkt\)', perf, 'Rx packets')
        r['ovs_pkts'] = int(rx)
        r['ovs_mpps'] = int(rx) / r['duration'] / 1e6
        r['perf_cpp'] = float(cpp)
        m = re.search(r'Tx batches: *\d+ *\(([0-9.]+) pkts/batch\)', perf)
        r['tx_batch'] = float(m.group(1)) if m else 0.0
        m = re.search(r'Rx packets:.*\n(?:.*\n)*?.*EMC hits: *\d+ *'
                      r'\( *([0-9.]+) %\)', perf)
        r['emc'] = float(m.group(1)) if m else 0.0
        (cpp,) = get(r'avg processing cycles per packet: ([0-9.]+)', stats,
                     'avg processing cycles per packet')
        r['stats_cpp'] = float(cpp)
        (busy,) = get(r'processing cycles: \d+ \(([0-9.]+)%\)', stats,
                      'processing cycles')
        r['busy'] = float(busy)
        return r


HEAD = ('%-5s %5s %-10s %8s %8s %8s %8s %8s %8s %6s %5s %5s %5s %5s %5s'
        % ('round', 'size', 'type', 'OVS Mpps', 'B Mpps', 'A Mpps',
           'cyc/pkt', '(stats)', 'on-CPU', 'batch', 'busy%', 'pmd', 'A',
           'B', 'load'))


def fmt_row(rnd, size, ptype, r):
    return ('%-5d %5d %-10s %8.3f %8.3f %8.3f %8.1f %8.1f %8.1f %6.1f '
            '%5.1f %5.2f %5.2f %5.2f %5.2f'
            % (rnd, size, ptype, r['ovs_mpps'], r['rx_b_mpps'],
               r['tx_a_mpps'], r['perf_cpp'], r['stats_cpp'], r['oncpu_cpp'],
               r['tx_batch'], r['busy'], r['pmd_cpu'], r['a_cpu'],
               r['b_cpu'], r['load1']))


LEGEND = """\
OVS Mpps: packets OVS's PMD received (from A) per second; B Mpps: packets
testpmd B received per second; A Mpps: packets A sent.  cyc/pkt: OVS PMD
processing cycles per packet (pmd-perf-show; '(stats)': pmd-stats-show);
on-CPU: cyc/pkt scaled by the share of time the PMD thread ran.  batch:
packets per OVS output batch; busy%: PMD busy cycles; pmd, A, B: CPUs used
by the OVS PMD thread and by testpmd A and B; load: 1-minute load average
(this run itself keeps about 3 threads busy)."""


def median(rs, key):
    return statistics.median(r[key] for r in rs)


def summary(args, results):
    out()
    out('Summary: median over %d round(s); cyc/pkt = OVS PMD processing '
        'cycles per packet (lower is better)' % args.rounds)
    out('%5s %-10s %8s %8s %8s %8s %5s   %s'
        % ('size', 'type', 'OVS Mpps', 'B Mpps', 'cyc/pkt', 'on-CPU',
           'pmd', 'cyc/pkt by round'))
    for size in args.sizes:
        for ptype in args.types:
            rs = [results[k] for k in sorted(results)
                  if k[1] == size and k[2] == ptype]
            if not rs:
                continue
            out('%5d %-10s %8.3f %8.3f %8.1f %8.1f %5.2f   %s'
                % (size, ptype, median(rs, 'ovs_mpps'),
                   median(rs, 'rx_b_mpps'), median(rs, 'perf_cpp'),
                   median(rs, 'oncpu_cpp'), median(rs, 'pmd_cpu'),
                   ' '.join('%.1f' % r['perf_cpp'] for r in rs)))
    if set(TYPES) <= set(args.types):
        out()
        out('dpdkr / vhost-user: median of the per-round ratios '
            '(side-by-side runs)')
        keys = ('perf_cpp', 'oncpu_cpp', 'ovs_mpps', 'rx_b_mpps')
        out('%5s %8s %8s %8s %8s' % ('size', 'cyc/pkt', 'on-CPU',
                                     'OVS Mpps', 'B Mpps'))
        for size in args.sizes:
            ratios = dict((k, []) for k in keys)
            for rnd in range(1, args.rounds + 1):
                d = results.get((rnd, size, 'dpdkr'))
                v = results.get((rnd, size, 'vhost-user'))
                if d and v:
                    for k in keys:
                        if v[k] > 0:
                            ratios[k].append(d[k] / v[k])
            if all(ratios.values()):
                out('%5d %8.3f %8.3f %8.3f %8.3f'
                    % ((size,) + tuple(statistics.median(ratios[k])
                                       for k in keys)))


def check_quick(args, results):
    """--quick: raises BenchError unless every run of every type and size
    measured traffic that went through: packets OVS forwarded and B
    received, at a positive rate and a positive cost per packet."""
    bad = []
    for rnd in range(1, args.rounds + 1):
        for size in args.sizes:
            for ptype in args.types:
                r = results.get((rnd, size, ptype))
                if r is None:
                    bad.append('%s %d B: no result' % (ptype, size))
                    continue
                for key in ('ovs_pkts', 'ovs_mpps', 'rx_b_mpps', 'tx_a_mpps',
                            'perf_cpp', 'stats_cpp', 'oncpu_cpp', 'pmd_cpu'):
                    if not r[key] > 0:
                        bad.append('%s %d B: %s = %r'
                                   % (ptype, size, key, r[key]))
    if bad:
        raise BenchError('--quick: implausible figures: ' + '; '.join(bad))
    out('quick run: every figure plausible')


def main(argv=None):
    set_program(PROG)
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Benchmarks dpdkr ports against vhost-user ports: '
        'testpmd txonly -> port -> OVS -> port -> testpmd rxonly.')
    add_run_arguments(parser, 'type')
    parser.add_argument('--quick', action='store_true',
                        help='a check of the benchmark itself, in seconds: '
                        '1 round of 2 s after 0.5 s of warm-up, 64-byte '
                        'packets, 512 hugepages, no waiting for a quiet '
                        'machine; fails unless every figure is plausible')
    parser.add_argument('--types', default=','.join(TYPES),
                        help='port types (default: %(default)s)')
    add_machine_arguments(parser, '/usr/local/lib/ovs-p2p/bench',
                          'virtio-user ring size, as dpdkr\'s default '
                          'ring size (default: %(default)s)')
    args = parser.parse_args(argv)
    if args.quick:
        # testpmd prints its statistics every --stats-period of its own
        # TSC estimate: on a machine where that is a little high, every
        # 2 s, and a window must hold two of them.
        args.rounds, args.duration, args.warmup = 1, 5, 0.5
        args.load_wait = 0
    if args.sizes is None:
        args.sizes = '64' if args.quick else '64,1500'
    if args.hugepages is None:
        args.hugepages = 512 if args.quick else 2048
    args.builddir = os.path.abspath(args.builddir)
    args.srcdir = os.path.abspath(args.srcdir or
                                  os.path.join(args.builddir, '..', 'src'))
    try:
        args.sizes = [int(x) for x in args.sizes.split(',')]
    except ValueError:
        parser.error('--sizes: comma-separated integers expected')
    args.types = args.types.split(',')
    for t in args.types:
        if t not in TYPES:
            parser.error('--types: %s is not one of %s' % (t, TYPES))
    if args.rounds < 1 or args.duration < 2:
        parser.error('--rounds must be >= 1 and --duration >= 2')

    bench = DpdkrBench(args, FILE_PREFIX)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(143))
    ok = False
    try:
        bench.start_load = wait_for_quiet_machine(args)
        bench.prepare()
        bench.start_ovs()
        bench.banner(PROG, 'testpmd A and B forward on core 0',
                     ' (NOT quiet: waited %d s)' % args.load_wait)
        out('%d round(s), %g s warm-up, %g s measured per run'
            % (args.rounds, args.warmup, args.duration))
        out()
        out(LEGEND)
        out()
        out(HEAD)
        results = {}
        for rnd in range(1, args.rounds + 1):
            for size in args.sizes:
                for ptype in args.types:
                    r = bench.measure(ptype, size)
                    results[(rnd, size, ptype)] = r
                    out(fmt_row(rnd, size, ptype, r))
        summary(args, results)
        if args.quick:
            check_quick(args, results)
        load = loadavg()
        out()
        out('load average at end: %.2f %.2f %.2f (our own run keeps about '
            '3 CPUs busy)' % tuple(load))
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
