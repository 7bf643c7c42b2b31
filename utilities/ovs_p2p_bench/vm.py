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

"""Benchmarks direct lanes between virtual machines, as the paper did.

One OVS, two QEMU guests (utilities/ovs-p2p-guest: TCG unless --accel
says otherwise), each running dpdk-testpmd in io mode on its dpdkr port
(net_dpdkr pci=auto), ovs-p2p-agent plugging lanes over QMP, and the chain

    ovs-p2p-traffic -> h1 -> vm1 (v1) -> vm2 (v2) -> h2 -> ovs-p2p-traffic

with one flow per hop.  Two parts:

1. Time to establish a direct channel between the guests.  The hop
   v1 -> v2 is taken back to OVS by a flow_mod that also copies to a dummy
   port, then made point-to-point again by a flow_mod; from just before
   that flow_mod is written, this script reads the logs of ovs-vswitchd and
   of the agent (millisecond timestamps, one clock) and splits the time to
   "direct" into: OVS (the detector and the lane manager up to asking for
   the lane: "wanted in the port's virtual machine"), agent (the database
   and the agent until it starts QEMU's commands), QEMU plug (object-add
   and device_add, both guests, as the agent times them), report (until
   OVS has both answers) and guest (discovery of the device by the driver
   in each guest and the hand-over itself, to "direct").  Traffic runs at
   --rate throughout and must show no loss, duplicate or reordering.

2. Throughput through the chain, switched (other_config:p2p-enable=false)
   against direct, in interleaved rounds: the rate at which OVS counts
   packets delivered to h2 (lanes' included) while ovs-p2p-traffic sends
   as fast as it can.

Under emulation (TCG) the figures are not those of KVM: compare the
ratios, and the parts of the setup time that do not run in the guest.
See Documentation/dpdkr-vm.rst.  Run as root, after 'make'.
"""

import argparse
import datetime
import os
import re
import statistics
import subprocess
import time

from .common import (Bench, BenchError, UTILITIES, add_machine_arguments,
                     log, out, set_program, wait_for)

GUEST = os.path.join(UTILITIES, 'ovs-p2p-guest')
AGENT = os.path.join(UTILITIES, 'ovs-p2p-agent')

# ovs-vswitchd writes "2026-12-02T03:05:59.613Z"; OVS's Python vlog, the
# agent's, writes the milliseconds as the first three characters of
# str(microseconds / 1000): "...:42.66.Z" is 66 ms, "...:42.5.5Z" 5.5 ms.
TS_RE = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.([\d.]{1,3})Z')


def log_times(path, pattern, since):
    """Returns the times (seconds since the epoch) of the lines of log
    'path' that match regular expression 'pattern', at or after 'since',
    with the match objects."""
    found = []
    rx = re.compile(pattern)
    with open(path, errors='replace') as f:
        for line in f:
            m = TS_RE.match(line)
            if not m:
                continue
            mm = rx.search(line)
            if not mm:
                continue
            t = datetime.datetime.strptime(m.group(1),
                                           '%Y-%m-%dT%H:%M:%S').replace(
                tzinfo=datetime.timezone.utc).timestamp()
            t += float(m.group(2).rstrip('.')) / 1000
            if t >= since - 0.0005:
                found.append((t, mm))
    return found


class VmBench(Bench):
    def start_guest(self, name, region):
        sh = os.path.join(self.workdir, name + '.sh')
        with open(sh, 'w') as f:
            f.write('dpdk-testpmd -l 0,1 --main-lcore 1 --in-memory --no-pci '
                    '--log-level=pmd.net.dpdkr:info -d %s '
                    '--vdev net_dpdkr0,pci=auto -- --forward-mode=io '
                    '--stats-period 1 --auto-start --total-num-mbufs=8192 '
                    '</dev/null >%s.log 2>&1 &\n'
                    'pid=$!\n'
                    'while ! test -e %s.stop && kill -0 $pid 2>/dev/null; '
                    'do sleep 0.2; done\n'
                    'kill -INT $pid 2>/dev/null\nwait $pid\n'
                    % (self.pmd, name, name))
        self.run([GUEST, 'run', '--name', name, '--dir', self.workdir,
                  '--accel', self.args.accel,
                  '--ivshmem', 'port=%s,addr=0x5' % region,
                  '--', 'sh %s.sh' % name], timeout=600)
        self.guests.append(name)

    def guest_forwards(self, name):
        try:
            with open(os.path.join(self.workdir, name + '.log')) as f:
                return 'NIC statistics for port 0' in f.read()
        except OSError:
            return False

    def stop_guests(self):
        for name in self.guests:
            open(os.path.join(self.workdir, name + '.stop'), 'w').close()
        for name in self.guests:
            self.run([GUEST, 'wait', name, '--dir', self.workdir,
                      '--timeout', '120'], check=False, timeout=150)
        self.guests = []

    def show(self):
        return self.appctl('p2p/show')

    def direct(self, hop):
        return '%s: direct' % hop in self.show()


def setup(b):
    b.guests = []
    b.prepare()
    # The agent imports OVS's Python library from the source tree.
    b.env['PYTHONPATH'] = os.path.join(b.args.srcdir, 'python')
    b.start_ovs()
    ports = [('h1', 1), ('v1', 2), ('v2', 3), ('h2', 4)]
    paths = {}
    for name, ofport in ports:
        b.vsctl('add-port', 'br0', name, '--', 'set', 'Interface', name,
                'type=dpdkr', 'ofport_request=%d' % ofport,
                'options:region-dir=' + b.regiondir)
        paths[name] = os.path.join(b.regiondir, name)
    b.vsctl('add-port', 'br0', 'd', '--', 'set', 'Interface', 'd',
            'type=dummy', 'ofport_request=5')
    for name, ofport in ports:
        b.wait_port(name, ofport, paths[name])
    for i in (1, 2, 3):
        b.ofctl('add-flow', 'br0', 'in_port=%d,actions=output:%d'
                % (i, i + 1))
    t0 = time.monotonic()
    b.start_guest('vm1', paths['v1'])
    b.start_guest('vm2', paths['v2'])
    wait_for('testpmd to forward in both guests',
             lambda: all(b.guest_forwards(g) for g in ('vm1', 'vm2')), 600,
             1)
    log('guests forwarding after %.0f s' % (time.monotonic() - t0))
    b.spawn('agent', [AGENT, 'unix:' + os.path.join(b.workdir, 'db.sock'),
                      '--qmp-dir', b.workdir,
                      '--switch', os.path.join(
                          b.workdir, 'ovs-vswitchd.%d.ctl'
                          % int(open(os.path.join(
                              b.workdir, 'ovs-vswitchd.pid')).read())),
                      '--log-file=' + os.path.join(b.workdir,
                                                   'ovs-p2p-agent.log'),
                      '--no-chdir', '-vconsole:off'])
    return paths


def traffic_cmd(b, paths, rate, seconds, stop=None):
    cmd = [os.path.join(b.args.builddir, 'tests', 'ovs-p2p-traffic'),
           '-l', '0', '--in-memory', '--no-pci', '--no-telemetry',
           '--file-prefix', 'p2pbenchvm-t', '-d', b.pmd,
           '--vdev', 'net_dpdkr0,path=' + paths['h1'],
           '--vdev', 'net_dpdkr1,path=' + paths['h2'], '--',
           '--count', '0', '--rate', str(rate), '--max-time', str(seconds),
           '--idle-timeout', '5']
    if stop:
        cmd += ['--stop-file', stop]
    return cmd


def summary(b, name):
    with open(os.path.join(b.workdir, name + '.log')) as f:
        for line in f:
            if line.startswith('sent='):
                return dict(kv.split('=') for kv in line.split())
    raise BenchError('%s: no summary:\n%s' % (name, b.log_tail(name)))


def setup_time(b, paths, rounds):
    """Part 1: returns a list of per-round breakdowns (ms)."""
    vsw = os.path.join(b.workdir, 'ovs-vswitchd.log')
    agent = os.path.join(b.workdir, 'ovs-p2p-agent.log')
    stop = os.path.join(b.workdir, 'setup.stop')
    tp = b.spawn('setup-traffic', traffic_cmd(b, paths, b.args.rate, 3600,
                                              stop))
    lane = os.path.join(b.regiondir, 'lane-v1-v2')
    results = []
    hop = 'v1(2) -> v2(3)'
    wait_for('the chain to go direct',
             lambda: all(b.direct(h) for h in
                         ('h1(1) -> v1(2)', hop, 'v2(3) -> h2(4)')), 300, 0.5)
    for r in range(rounds):
        b.ofctl('mod-flows', 'br0', 'in_port=2,actions=output:3,output:5')
        wait_for('v1 -> v2 to be switched', lambda: not b.direct(hop), 120,
                 0.2)
        wait_for('the lane to be unplugged',
                 lambda: len(log_times(agent, 'unplugged %s' % re.escape(lane),
                                       0)) >= 2 * (r + 1), 120, 0.2)
        time.sleep(1)           # Let the machine settle between rounds.
        t0 = time.time()
        b.ofctl('mod-flows', 'br0', 'in_port=2,actions=output:3')
        wait_for('v1 -> v2 to go direct', lambda: b.direct(hop), 300, 0.05)
        wanted = log_times(vsw, r'lane %s wanted' % re.escape(lane), t0)
        plugs = log_times(agent, r'plugged %s into (\S+) as \S+ in (\d+) ms'
                          % re.escape(lane), t0)
        acked = log_times(vsw, r'lane %s plugged into' % re.escape(lane), t0)
        direct = log_times(vsw, r'port 2 -> 3: direct', t0)
        if not (wanted and len(plugs) >= 2 and len(acked) >= 2 and direct):
            raise BenchError('round %d: missing log lines (wanted %d, '
                             'plugs %d, answers %d, direct %d)'
                             % (r + 1, len(wanted), len(plugs), len(acked),
                                len(direct)))
        qemu_ms = sum(int(m.group(2)) for _, m in plugs[:2])
        first_plug_start = plugs[0][0] - int(plugs[0][1].group(2)) / 1000
        res = {
            'ovs': (wanted[0][0] - t0) * 1000,
            'agent': (first_plug_start - wanted[0][0]) * 1000,
            'qemu': qemu_ms,
            'report': (acked[1][0] - plugs[1][0]) * 1000,
            'guest': (direct[0][0] - acked[1][0]) * 1000,
            'total': (direct[0][0] - t0) * 1000,
        }
        results.append(res)
        parts = ', '.join('%s %.0f ms' % kv for kv in res.items())
        log('round %d: %s' % (r + 1, parts))
    open(stop, 'w').close()
    tp.wait(60)
    s = summary(b, 'setup-traffic')
    if (s['lost'], s['duplicates'], s['reordered']) != ('0', '0', '0'):
        raise BenchError('traffic across the hand-overs: %s' % s)
    return results, s


def port_tx(b, ofport):
    """Returns the packets OVS counts as sent on 'ofport' of br0 (lanes'
    packets included, as a controller sees them)."""
    m = re.search(r'tx pkts=(\d+)', b.ofctl('dump-ports', 'br0', str(ofport)))
    if not m:
        raise BenchError('no tx counter for port %d' % ofport)
    return int(m.group(1))


def throughput(b, paths, rounds, seconds):
    """Part 2: returns {'switched': [pps...], 'direct': [pps...]}: the rate
    at which h2 receives while ovs-p2p-traffic sends as fast as it can,
    measured from OVS's counters of port h2 once the chain is in the state
    wanted (the traffic tool must hold the ports for lanes to form)."""
    hops = ('h1(1) -> v1(2)', 'v1(2) -> v2(3)', 'v2(3) -> h2(4)')
    rates = {'switched': [], 'direct': []}
    for r in range(rounds):
        for kind in ('switched', 'direct'):
            b.vsctl('set', 'Bridge', 'br0', 'other_config:p2p-enable=%s'
                    % ('true' if kind == 'direct' else 'false'))
            name = 'tput-%s-%d' % (kind, r)
            stop = os.path.join(b.workdir, name + '.stop')
            p = b.spawn(name, traffic_cmd(b, paths, 0, seconds + 600, stop))
            if kind == 'direct':
                wait_for('the chain to go direct',
                         lambda: all(b.direct(h) for h in hops), 300, 0.5)
            else:
                wait_for('the chain to be switched',
                         lambda: ': direct' not in b.show(), 300, 0.5)
            time.sleep(1)       # Past the hand-over.
            t0, n0 = time.monotonic(), port_tx(b, 4)
            time.sleep(seconds)
            t1, n1 = time.monotonic(), port_tx(b, 4)
            open(stop, 'w').close()
            p.wait(60)
            pps = (n1 - n0) / (t1 - t0)
            rates[kind].append(pps)
            s = summary(b, name)
            log('round %d %s: %.0f pps received by h2 (run: %s sent, %s '
                'received, %s reordered)' % (r + 1, kind, pps, s['sent'],
                                             s['received'], s['reordered']))
    return rates


def main(argv=None):
    set_program('ovs-p2p-bench-vm')
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('--builddir', default=None,
                        help='patched OVS build tree')
    parser.add_argument('--srcdir', help='patched OVS source tree')
    parser.add_argument('--rounds', type=int, default=5,
                        help='set-up rounds (default: %(default)s)')
    parser.add_argument('--tput-rounds', type=int, default=3,
                        help='throughput rounds (default: %(default)s)')
    parser.add_argument('--duration', type=float, default=10,
                        help='seconds per throughput run (default: '
                        '%(default)s)')
    parser.add_argument('--rate', type=int, default=2000,
                        help='packets/s during the set-up rounds (default: '
                        '%(default)s)')
    parser.add_argument('--accel', default='tcg',
                        help="the guests' QEMU accelerator (default: "
                        "%(default)s)")
    add_machine_arguments(parser, '/usr/local/lib/ovs-p2p/bench-vm',
                          argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from .common import DEFAULT_BUILDDIR
    args.builddir = args.builddir or DEFAULT_BUILDDIR
    args.srcdir = args.srcdir or os.path.join(args.builddir, '..', 'src')
    args.hugepages = args.hugepages or 512

    b = VmBench(args, 'p2pbenchvm')
    ok = False
    try:
        paths = setup(b)
        out('ovs-p2p-bench-vm, %s UTC' % datetime.datetime.utcnow()
            .strftime('%Y-%m-%d %H:%M:%S'))
        out('%s; guests: QEMU %s, 2 vCPUs each, testpmd io on net_dpdkr '
            'pci=auto' % (b.version, args.accel))
        res, s = setup_time(b, paths, args.rounds)
        out()
        out('Time from the flow_mod to "direct" for the hop between the '
            'guests (ms), %d rounds, traffic at %d pps (%s sent, lost %s, '
            'reordered %s):' % (len(res), args.rate, s['sent'], s['lost'],
                                s['reordered']))
        out('  %-8s %8s %8s %8s' % ('part', 'median', 'min', 'max'))
        for k in ('ovs', 'agent', 'qemu', 'report', 'guest', 'total'):
            v = [x[k] for x in res]
            out('  %-8s %8.0f %8.0f %8.0f' % (k, statistics.median(v),
                                              min(v), max(v)))
        rates = throughput(b, paths, args.tput_rounds, args.duration)
        sw = statistics.median(rates['switched'])
        di = statistics.median(rates['direct'])
        out()
        out('Throughput through h1 -> vm1 -> vm2 -> h2 (packets/s received, '
            '%d rounds of %.0f s):' % (args.tput_rounds, args.duration))
        out('  switched  median %8.0f  (%s)' % (sw, ', '.join(
            '%.0f' % x for x in rates['switched'])))
        out('  direct    median %8.0f  (%s)' % (di, ', '.join(
            '%.0f' % x for x in rates['direct'])))
        out('  direct / switched: %.2f' % (di / sw if sw else 0))
        ok = True
    except (BenchError, subprocess.TimeoutExpired) as e:
        log('error: %s' % e)
    finally:
        try:
            b.stop_guests()
        except Exception as e:          # Clean up the rest anyway.
            log('stopping the guests: %s' % e)
        b.cleanup()
    return 0 if ok else 1
