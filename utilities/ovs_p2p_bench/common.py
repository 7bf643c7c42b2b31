#! /usr/bin/python3
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

"""What the ovs-p2p benchmarks share: running the patched OVS from the
build tree in a private directory with DPDK, its ports, dpdk-testpmd
applications and their statistics, CPU accounting, and cleanup.

The benchmarks (ovs_p2p_bench.dpdkr, ovs_p2p_bench.lanes) build on Bench
and Testpmd; each names itself with set_program() for its messages.
"""

import argparse
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# This package's parent: utilities/, with ovs-p2p-hugepages.
UTILITIES = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
# The build tree next to it, as 'make' leaves it.
DEFAULT_BUILDDIR = os.path.join(os.path.dirname(UTILITIES), 'ovs', 'build')

ANSI_RE = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')
PR_SET_CHILD_SUBREAPER = 36

_program = 'ovs-p2p-bench'


def set_program(name):
    """Names the running benchmark in log() messages."""
    global _program
    _program = name


class BenchError(Exception):
    pass


def log(msg):
    sys.stderr.write('%s: %s\n' % (_program, msg))
    sys.stderr.flush()


def out(msg=''):
    sys.stdout.write(msg + '\n')
    sys.stdout.flush()


def wait_for(what, cond, timeout, interval=0.1):
    """Calls 'cond' until it returns a true value, which it returns, for at
    most 'timeout' seconds; raises BenchError("timed out waiting for
    'what'") otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise BenchError('timed out after %g s waiting for %s'
                             % (timeout, what))
        time.sleep(interval)


def loadavg():
    with open('/proc/loadavg') as f:
        return [float(x) for x in f.read().split()[:3]]


def task_runtime(pid, tid=None):
    """Returns the CPU time, in seconds, that thread 'tid' of process 'pid'
    (or all its threads when 'tid' is None) has had so far, from
    schedstat; 0 if it is gone."""
    try:
        tids = [tid] if tid else os.listdir('/proc/%d/task' % pid)
        total = 0
        for t in tids:
            with open('/proc/%d/task/%s/schedstat' % (pid, t)) as f:
                total += int(f.read().split()[0])
        return total / 1e9
    except (OSError, ValueError):
        return 0.0


def find_threads(pid, prefix):
    """Returns the ids of the threads of 'pid' whose names start with
    'prefix' (none if 'pid' is gone)."""
    tids = []
    try:
        for tid in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/comm' % (pid, tid)) as f:
                if f.read().startswith(prefix):
                    tids.append(tid)
    except OSError:
        pass
    return tids


def find_thread(pid, prefix):
    """Returns the id of a thread of 'pid' whose name starts with 'prefix',
    or None."""
    tids = find_threads(pid, prefix)
    return tids[0] if tids else None


def become_subreaper():
    """Makes what this process starts stay its children even if they fork,
    so that it can wait for them (PID 1 here may not reap)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def hugetlbfs_mount():
    """Returns where a hugetlbfs is mounted."""
    with open('/proc/mounts') as f:
        for line in f:
            fields = line.split()
            if fields[2] == 'hugetlbfs':
                return fields[1]
    raise BenchError('no hugetlbfs mounted')


# The programs of the build tree that a sandboxed OVS runs.
BUILD_PROGRAMS = ('ovsdb/ovsdb-tool', 'ovsdb/ovsdb-server',
                  'vswitchd/ovs-vswitchd', 'utilities/ovs-vsctl',
                  'utilities/ovs-appctl', 'utilities/ovs-ofctl')


def task_runtimes(pid):
    """Returns {tid: CPU seconds so far} for every thread of 'pid', from
    schedstat (the time the thread ran: utime + stime, in ns)."""
    r = {}
    try:
        tids = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return r
    for t in tids:
        try:
            with open('/proc/%d/task/%s/schedstat' % (pid, t)) as f:
                r[t] = int(f.read().split()[0]) / 1e9
        except (OSError, ValueError):
            pass
    return r


def cpu_delta(before, after, tids=None, exclude=()):
    """CPU seconds used between two task_runtimes() snapshots by threads
    'tids' (all when None), minus those in 'exclude'."""
    total = 0.0
    for t, v in after.items():
        if (tids is None or t in tids) and t not in exclude:
            total += v - before.get(t, 0.0)
    return total


class Bench(object):
    """One patched OVS with DPDK, started by start_ovs() in a private work
    directory that prepare() makes, and the ports and dpdk-testpmd
    applications of the measurements.  'file_prefix' names its DPDK
    processes' files, so that two benchmarks do not mix theirs."""

    def __init__(self, args, file_prefix):
        self.args = args
        self.file_prefix = file_prefix
        self.procs = []         # (name, Popen) of every child we started.
        self.testpmds = {}
        self.workdir = None
        self.regiondir = None
        self.env = None

    # ---- Setup. -------------------------------------------------------

    def check_root_path(self, path):
        """DPDK loads a plugin only if no directory above it can be written
        by others: checks that, for a clear error before DPDK's."""
        p = os.path.dirname(path)
        while True:
            st = os.stat(p)
            if st.st_uid != 0 or st.st_mode & 0o022:
                raise BenchError('%s: must be owned by root and not writable '
                                 'by group or others, for DPDK to load %s'
                                 % (p, path))
            if p == '/':
                break
            p = os.path.dirname(p)

    def prepare(self):
        a = self.args
        if os.geteuid() != 0:
            raise BenchError('must run as root (DPDK, hugepages)')
        if not shutil.which(a.testpmd):
            raise BenchError('%s not found (package dpdk-dev)' % a.testpmd)
        if not shutil.which('stdbuf'):
            raise BenchError('stdbuf not found (package coreutils)')

        become_subreaper()

        self.workdir = tempfile.mkdtemp(prefix='ovs-p2p-bench.',
                                        dir=a.workdir_parent)
        log('work directory (logs): %s' % self.workdir)

        # Snapshot the binaries, so that a rebuild of the tree during the
        # run cannot change what runs.
        bindir = os.path.join(self.workdir, 'bin')
        os.mkdir(bindir)
        for rel in BUILD_PROGRAMS:
            src = os.path.join(a.builddir, rel)
            if not os.access(src, os.X_OK):
                raise BenchError('%s missing: run make first (or pass '
                                 '--builddir)' % src)
            shutil.copy2(src, bindir)
        schema = os.path.join(a.srcdir, 'vswitchd', 'vswitch.ovsschema')
        if not os.path.exists(schema):
            raise BenchError('%s missing (pass --srcdir)' % schema)
        shutil.copy2(schema, self.workdir)

        # Install the PMD plugin where DPDK accepts to load it from.
        so = os.path.join(a.builddir, 'drivers/net/dpdkr/librte_net_dpdkr.so')
        if not os.path.exists(so):
            raise BenchError('%s missing: run make first' % so)
        os.makedirs(a.pmd_dir, mode=0o755, exist_ok=True)
        self.pmd = os.path.join(a.pmd_dir, 'librte_net_dpdkr.so')
        subprocess.check_call(['install', '-o', 'root', '-g', 'root',
                               '-m', '0755', so, self.pmd])
        self.check_root_path(self.pmd)

        self.env = dict(os.environ)
        for var in ('OVS_RUNDIR', 'OVS_LOGDIR', 'OVS_DBDIR',
                    'OVS_SYSCONFDIR'):
            self.env[var] = self.workdir
        self.env['PATH'] = bindir + ':' + os.environ.get('PATH', '')

        hp = os.path.join(UTILITIES, 'ovs-p2p-hugepages')
        subprocess.check_call([hp, str(a.hugepages)], stdout=sys.stderr)
        mnt = hugetlbfs_mount()
        # Regions on hugetlbfs, as dpdkr does by default.
        self.regiondir = os.path.join(mnt, 'ovs-p2p-bench.%d' % os.getpid())
        os.mkdir(self.regiondir, 0o700)

    def run(self, cmd, check=True, timeout=30):
        p = subprocess.run(cmd, env=self.env, cwd=self.workdir,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=timeout)
        if check and p.returncode:
            raise BenchError('%s failed (exit %d): %s'
                             % (' '.join(cmd), p.returncode,
                                p.stderr.strip()))
        return p.stdout

    def vsctl(self, *args, **kw):
        return self.run(['ovs-vsctl', '--timeout=20'] + list(args), **kw)

    def appctl(self, *args):
        return self.run(['ovs-appctl', '--timeout=20'] + list(args))

    def ofctl(self, *args):
        return self.run(['ovs-ofctl'] + list(args))

    def spawn(self, name, cmd, **kw):
        logf = open(os.path.join(self.workdir, name + '.log'), 'w')
        p = subprocess.Popen(cmd, env=self.env, cwd=self.workdir,
                             stdin=subprocess.DEVNULL, stdout=logf,
                             stderr=subprocess.STDOUT, process_group=0,
                             **kw)
        logf.close()
        self.procs.append((name, p))
        return p

    def log_tail(self, name, n=15):
        try:
            with open(os.path.join(self.workdir, name + '.log')) as f:
                lines = f.readlines()[-n:]
            return ''.join('    ' + ANSI_RE.sub('', x) for x in lines)
        except OSError:
            return ''

    def start_ovs(self, extra_config=(), wrapper=()):
        """Starts ovsdb-server and ovs-vswitchd with DPDK and bridge br0;
        'extra_config' adds 'KEY=VALUE' to Open_vSwitch's other_config,
        'wrapper' is a command that runs ovs-vswitchd (e.g. unshare -n)."""
        a = self.args
        self.run(['ovsdb-tool', 'create', 'conf.db', 'vswitch.ovsschema'])
        self.ovsdb = self.spawn('ovsdb-server', [
            'ovsdb-server', '--no-chdir', '--pidfile', '-vconsole:off',
            '--log-file', '-vsyslog:off',
            '--remote=punix:' + os.path.join(self.workdir, 'db.sock'),
            'conf.db'])
        wait_for('ovsdb-server socket',
                 lambda: os.path.exists(os.path.join(self.workdir,
                                                     'db.sock')), 20)
        self.vsctl('--no-wait', 'init', '--', 'set', 'Open_vSwitch', '.',
                   'other_config:dpdk-init=true',
                   'other_config:dpdk-extra=--file-prefix=%s --no-pci'
                   % self.file_prefix,
                   'other_config:per-port-memory=true',
                   'other_config:pmd-cpu-mask=%s' % a.pmd_cpu_mask,
                   *['other_config:' + kv for kv in extra_config])
        self.vswitchd = self.spawn('ovs-vswitchd', list(wrapper) + [
            'ovs-vswitchd', '--no-chdir', '--pidfile', '-vconsole:off',
            '--log-file', '-vsyslog:off', '--disable-system',
            '--disable-system-route',
            'unix:' + os.path.join(self.workdir, 'db.sock')])

        def dpdk_up():
            if self.vswitchd.poll() is not None:
                raise BenchError('ovs-vswitchd exited (status %d):\n%s'
                                 % (self.vswitchd.returncode,
                                    self.log_tail('ovs-vswitchd')))
            return self.vsctl('get', 'Open_vSwitch', '.', 'dpdk_initialized',
                              check=False).strip() == 'true'
        wait_for('DPDK to initialize in ovs-vswitchd', dpdk_up, 120, 0.5)
        self.vsctl('add-br', 'br0', '--', 'set', 'bridge', 'br0',
                   'datapath_type=netdev', 'fail-mode=secure')
        self.version = self.run(['ovs-vswitchd', '--version']).splitlines()[0]
        self.dpdk_version = self.vsctl('get', 'Open_vSwitch', '.',
                                       'dpdk_version').strip().strip('"')

    # ---- Ports and applications. --------------------------------------

    def add_ports(self, ptype):
        """Adds two ports of 'ptype' as OpenFlow ports 1 and 2 with flows
        1->2 and 2->1; returns [(name, path for the application)]."""
        ports = []
        for i in (1, 2):
            if ptype == 'dpdkr':
                name = 'dpdkr%d' % i
                self.vsctl('add-port', 'br0', name, '--', 'set', 'Interface',
                           name, 'type=dpdkr', 'ofport_request=%d' % i,
                           'options:region-dir=' + self.regiondir)
                path = os.path.join(self.regiondir, name)
            else:
                name = 'vhu%d' % i
                self.vsctl('add-port', 'br0', name, '--', 'set', 'Interface',
                           name, 'type=dpdkvhostuser',
                           'ofport_request=%d' % i)
                path = os.path.join(self.workdir, name)
            ports.append((name, path))
        for i, (name, path) in enumerate(ports, 1):
            self.wait_port(name, i, path)
        self.ofctl('add-flow', 'br0', 'in_port=1,actions=output:2')
        self.ofctl('add-flow', 'br0', 'in_port=2,actions=output:1')
        return ports

    def wait_port(self, name, ofport, path):
        """Waits until port 'name' has OpenFlow port 'ofport' and, unless
        'path' is None, its socket or region file 'path' exists; fails at
        once on an Interface error."""
        def ready():
            err = self.vsctl('get', 'Interface', name, 'error',
                             check=False).strip()
            if err not in ('[]', ''):
                raise BenchError('port %s: %s' % (name, err))
            got = self.vsctl('get', 'Interface', name, 'ofport',
                             check=False).strip()
            return got == str(ofport) and (not path or os.path.exists(path))
        wait_for('port %s (ofport %d%s)'
                 % (name, ofport, ', ' + path if path else ''), ready, 30)

    def banner(self, prog, placement, quiet_note):
        """Prints what runs where: the program, machine, OVS and DPDK,
        'placement' (where the applications forward) and the load average
        before the start, with 'quiet_note' if it was not quiet."""
        with open('/proc/cpuinfo') as f:
            cpu = re.search(r'model name\s*:\s*(.*)', f.read())
        out('%s, %s' % (prog, time.strftime('%Y-%m-%d %H:%M:%S %Z')))
        out('machine: %s, %d CPUs (%s), kernel %s'
            % (os.uname().nodename, os.cpu_count(),
               cpu.group(1) if cpu else '?', os.uname().release))
        out('OVS: %s, DPDK: %s; OVS PMD on cpu mask %s; %s'
            % (self.version, self.dpdk_version, self.args.pmd_cpu_mask,
               placement))
        if getattr(self.args, 'ovs_config', None):
            out('OVS other_config, besides the defaults: %s'
                % ' '.join(self.args.ovs_config))
        if getattr(self.args, 'nt_copy', None):
            out('net_dpdkr with nt-copy=%s in the applications, and the '
                'ceiling with --nt-copy=%s'
                % (self.args.nt_copy, self.args.nt_copy))
        load, quiet = self.start_load
        out('load average before start: %.2f %.2f %.2f%s'
            % (load[0], load[1], load[2], '' if quiet else quiet_note))

    def del_ports(self, ports):
        self.ofctl('del-flows', 'br0')
        for name, path in ports:
            self.vsctl('--if-exists', 'del-port', name)
        for name, path in ports:
            wait_for('%s to go' % path, lambda: not os.path.exists(path), 20)

    def connected(self, ptype, name):
        if ptype == 'dpdkr':
            return self.vsctl('get', 'Interface', name,
                              'status:dpdkr-attached',
                              check=False).strip() == '"true"'
        return self.vsctl('get', 'Interface', name, 'link_state',
                          check=False).strip() == 'up'

    def start_testpmd(self, role, ptype, path, mode, size, main_lcore=1,
                      memif_role='server'):
        """Starts dpdk-testpmd as application 'role' ('a' or 'b') of port
        'path' of 'ptype', forwarding in 'mode' ('txonly' sending 'size'
        bytes, 'rxonly') on CPU 1 - 'main_lcore'.

        'ptype' 'memif' is no OVS port but DPDK's own net_memif, 'path' its
        control socket, which the 'server' ('memif_role') creates and
        listens on (start it first) and the 'client' connects to when it
        starts; with a lane's ring size, 1024 descriptors, and memif's
        default buffers of 2048 bytes."""
        a = self.args
        cmd = ['stdbuf', '-oL', a.testpmd, '-l', '0,1',
               '--main-lcore', str(main_lcore), '--in-memory', '--no-pci',
               '--file-prefix', '%s-%s' % (self.file_prefix, role)]
        if ptype == 'dpdkr':
            vdev = 'net_dpdkr0,path=' + path
            if getattr(a, 'nt_copy', None):
                vdev += ',nt-copy=' + a.nt_copy
            cmd += ['-d', self.pmd, '--vdev', vdev]
        elif ptype == 'memif':
            # DPDK 22.11 takes the socket as an abstract address unless
            # told otherwise, and truncates it silently at 108 bytes.
            if len(path) >= 108:
                raise BenchError('memif socket path too long (%d bytes, '
                                 'at most 107): %s' % (len(path), path))
            cmd += ['--vdev', 'net_memif0,role=%s,id=0,socket=%s,'
                    'socket-abstract=no,rsize=10,bsize=2048'
                    % (memif_role, path)]
        else:
            cmd += ['--single-file-segments', '--vdev',
                    'net_virtio_user0,path=%s,queues=1,queue_size=%d'
                    % (path, a.vhost_queue_size)]
        cmd += ['--', '--forward-mode=' + mode, '--stats-period', '1',
                '--auto-start', '--total-num-mbufs=8192']
        if ptype == 'memif':
            # The server's link is down until the client connects: no 9 s
            # wait for it at start.
            cmd.append('--disable-link-check')
        if mode == 'txonly':
            cmd.append('--txpkts=%d' % size)
            if ptype == 'dpdkr':
                cmd.append('--display-xstats=' + ','.join(COPY_XSTATS))
        tp = Testpmd(self, 'testpmd-%s' % role, cmd)
        self.testpmds[role] = tp
        return tp

    def stop_testpmds(self):
        for role in list(self.testpmds):
            self.testpmds.pop(role).stop()

    # ---- Measurement. -------------------------------------------------

    def pmd_section(self, text):
        """Returns the lines of the first PMD thread's section of
        pmd-stats-show or pmd-perf-show output."""
        lines, inside = [], False
        for line in text.splitlines():
            if line.startswith('pmd thread'):
                if inside:
                    break
                inside = True
            elif line and not line.startswith(' '):
                if inside:
                    break
            elif inside:
                lines.append(line)
        if not inside:
            raise BenchError('no PMD thread in:\n' + text)
        return '\n'.join(lines)

    # ---- Teardown. ----------------------------------------------------

    def stop_proc(self, name, p, sig=signal.SIGTERM, timeout=10):
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                log('%s (pid %d) did not exit, killing it' % (name, p.pid))
                p.kill()
                p.wait(10)

    def cleanup(self):
        try:
            self.stop_testpmds()
        except Exception as e:
            log('stopping testpmd: %s' % e)
        for name, p in reversed(self.procs):
            try:
                self.stop_proc(name, p)
            except Exception as e:
                log('stopping %s: %s' % (name, e))
        # Reap anything our daemons left behind (we are their subreaper).
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        if self.regiondir and os.path.isdir(self.regiondir):
            shutil.rmtree(self.regiondir, ignore_errors=True)


# net_dpdkr's counters of its sender's copy (nt-copy, see net_dpdkr(7)),
# which testpmd A prints with its periodic statistics (--display-xstats).
COPY_XSTATS = ('tx_nt_copy_packets', 'tx_copy_trials', 'tx_copy_trials_nt')


class Testpmd(object):
    """A dpdk-testpmd child, whose periodic port statistics (one block a
    second with --stats-period 1) a thread reads and timestamps, with the
    extended statistics that --display-xstats adds to them."""

    STAT_RE = re.compile(r'(RX|TX)-packets: *(\d+)')
    XSTAT_RE = re.compile(r'^ +([a-z][a-z0-9_]*) +(\d+) +\d+ *$')

    def __init__(self, bench, name, cmd):
        self.bench = bench
        self.name = name
        self.samples = []       # (monotonic time, rx packets, tx packets)
        self.xsamples = []      # (monotonic time, {xstat name: value})
        self.lock = threading.Lock()
        self.logf = open(os.path.join(bench.workdir, name + '.log'), 'w')
        self.logf.write(' '.join(cmd) + '\n')
        self.logf.flush()
        self.p = subprocess.Popen(cmd, env=bench.env, cwd=bench.workdir,
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  process_group=0,
                                  universal_newlines=True, errors='replace')
        self.thread = threading.Thread(target=self.reader, daemon=True)
        self.thread.start()

    def reader(self):
        in_port0, rx = False, None
        xstats = None           # Of port 0's block, until its end.
        for line in self.p.stdout:
            now = time.monotonic()
            self.logf.write(line)
            line = ANSI_RE.sub('', line)
            if 'NIC statistics for port 0' in line:
                in_port0, rx = True, None
                xstats = {}
                continue
            if xstats is not None:
                m = self.XSTAT_RE.match(line)
                if m:
                    xstats[m.group(1)] = int(m.group(2))
                elif line.strip() and not line.strip('# \n'):
                    if xstats:
                        with self.lock:
                            self.xsamples.append((now, xstats))
                    xstats = None
            if not in_port0:
                continue
            for m in self.STAT_RE.finditer(line):
                if m.group(1) == 'RX':
                    rx = int(m.group(2))
                elif rx is not None:
                    with self.lock:
                        self.samples.append((now, rx, int(m.group(2))))
                    in_port0 = False
        self.logf.close()

    def check(self):
        if self.p.poll() is not None:
            self.thread.join(5)
            raise BenchError('%s exited (status %d):\n%s'
                             % (self.name, self.p.returncode,
                                self.bench.log_tail(self.name)))
        return True

    def wait_ready(self):
        wait_for('%s to start forwarding' % self.name,
                 lambda: self.check() and self.samples, 60)

    def last_rx(self):
        with self.lock:
            return self.samples[-1][1] if self.samples else 0

    def delta(self, t0, t1, which):
        """Returns the packets received ('rx') or sent ('tx') between the
        first and last statistics printed within [t0, t1], and the time
        between those two, in seconds."""
        with self.lock:
            s = [x for x in self.samples if t0 <= x[0] <= t1]
        if len(s) < 2:
            raise BenchError('%s: fewer than 2 statistics samples in the '
                             'measurement window' % self.name)
        i = 1 if which == 'rx' else 2
        return s[-1][i] - s[0][i], s[-1][0] - s[0][0]

    def rate(self, t0, t1, which):
        """Returns packets/s received ('rx') or sent ('tx') between the
        first and last statistics printed within [t0, t1]."""
        n, secs = self.delta(t0, t1, which)
        return n / secs

    def xstat_delta(self, name, t0, t1):
        """Returns how much extended statistic 'name' grew between the first
        and last statistics printed within [t0, t1], or None if fewer than
        two of them had it."""
        with self.lock:
            s = [x[1][name] for x in self.xsamples
                 if t0 <= x[0] <= t1 and name in x[1]]
        return s[-1] - s[0] if len(s) >= 2 else None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(15)
            except subprocess.TimeoutExpired:
                log('%s did not exit on SIGINT, killing it' % self.name)
                self.p.kill()
                self.p.wait(10)
        self.thread.join(5)


def wait_for_quiet_machine(args):
    """Waits, polling every --load-poll seconds for at most --load-wait
    seconds, until the 1-minute load average is below --max-load."""
    deadline = time.monotonic() + args.load_wait
    while True:
        load = loadavg()
        if load[0] < args.max_load:
            log('load average %.2f %.2f %.2f: below %.2f, starting'
                % (load[0], load[1], load[2], args.max_load))
            return load, True
        if time.monotonic() >= deadline:
            log('load average still %.2f after %d s: measuring anyway; '
                'expect noisy figures' % (load[0], args.load_wait))
            return load, False
        log('load average %.2f >= %.2f (other work on this machine), '
            'waiting %d s' % (load[0], args.max_load, args.load_poll))
        time.sleep(args.load_poll)


def add_run_arguments(parser, what, sizes='64,1500'):
    """Adds the options that say what the benchmark runs: the build, and
    rounds of 'what' (e.g. "type") and size ('sizes' by default, 64 with
    --quick)."""
    parser.add_argument('--builddir', default=DEFAULT_BUILDDIR,
                        help='patched OVS build tree (default: %(default)s)')
    parser.add_argument('--srcdir', help='patched OVS source tree, for the '
                        'schema (default: BUILDDIR/../src)')
    parser.add_argument('--rounds', type=int, default=3,
                        help='rounds, each running every %s and size '
                        '(default: %%(default)s)' % what)
    parser.add_argument('--duration', type=float, default=5,
                        help='seconds measured per run (default: '
                        '%(default)s)')
    parser.add_argument('--warmup', type=float, default=2,
                        help='seconds of traffic before measuring '
                        '(default: %(default)s)')
    parser.add_argument('--sizes',
                        help='packet sizes (default: %s; 64 with '
                        '--quick)' % sizes)


def add_machine_arguments(parser, pmd_dir, vhost_help):
    """Adds the options about the machine and the benchmark's own files,
    with 'pmd_dir' the default for --pmd-dir and 'vhost_help' the help of
    --vhost-queue-size."""
    parser.add_argument('--max-load', type=float, default=1.5,
                        help='wait until the 1-minute load average is '
                        'below this before starting (default: %(default)s)')
    parser.add_argument('--load-wait', type=int, default=600,
                        help='wait at most this many seconds for it '
                        '(default: %(default)s)')
    parser.add_argument('--load-poll', type=int, default=20,
                        help=argparse.SUPPRESS)
    parser.add_argument('--pmd-cpu-mask', default='0x2',
                        help="OVS's pmd-cpu-mask (default: %(default)s)")
    parser.add_argument('--vhost-queue-size', type=int, default=1024,
                        help=vhost_help)
    parser.add_argument('--hugepages', type=int,
                        help='hugepages to reserve (default: 2048, 512 with '
                        '--quick)')
    parser.add_argument('--pmd-dir', default=pmd_dir,
                        help='root-owned directory to install the net_dpdkr '
                        'PMD in (default: %(default)s)')
    parser.add_argument('--testpmd', default='dpdk-testpmd',
                        help='testpmd binary (default: %(default)s)')
    parser.add_argument('--workdir-parent', default='/var/tmp',
                        help='where to make the work directory (default: '
                        '%(default)s)')
    parser.add_argument('--keep', action='store_true',
                        help='keep the work directory (logs) even on '
                        'success')
