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

"""ovs-p2p-agent: plugs ovs-p2p's direct lanes into virtual machines.

When a direction between two dpdkr ports goes direct and an end of it is an
application in a virtual machine, ovs-vswitchd creates the lane's file and
lists it in the port's Interface status, "dpdkr-lanes".  This agent watches
the database, finds the virtual machine whose QEMU maps the port's region
(status "dpdkr-region") as a memory backend, plugs the lane into it as an
ivshmem-plain device over QMP, and tells ovs-vswitchd ("ovs-appctl
dpdkr/lane-plugged PORT LANE [ERROR]").  When a lane is no longer listed,
it unplugs it: device_del, the DEVICE_DELETED event, then object-del.

The virtual machines are the QMP sockets given with --qmp NAME=SOCKET and
those named NAME.qmp in the --qmp-dir directories (looked up whenever a lane
needs a virtual machine), or, with --libvirt URI, the active domains of
that libvirt connection, into which lanes are attached as <shmem> devices
(libvirt takes their memory from /dev/shm/NAME only, so their ports need
options:region-dir=/dev/shm).

Devices and memory backends that the agent adds are named p2pd-EPOCH and
p2pm-EPOCH after the lane's epoch (in its header: every lane the switch
creates has its own, whereas a file system may give a new lane file the
inode of an old one), so that a restarted agent recognizes them and a
re-created lane never reuses an old name.  Every QMP wait is bounded
(--qmp-timeout, --unplug-timeout), and the agent holds a QMP connection
only while it works on a lane, since QEMU serves one client per QMP
socket."""

import argparse
import errno
import os
import queue
import threading
import time

import ovs.daemon
import ovs.db.idl
import ovs.dirs
import ovs.jsonrpc
import ovs.poller
import ovs.stream
import ovs.unixctl
import ovs.unixctl.client
import ovs.unixctl.server
import ovs.util
import ovs.vlog

from ovs_p2p_agent.qmp import Qmp, QmpError

vlog = ovs.vlog.Vlog('ovs-p2p-agent')

DEV_PREFIX = 'p2pd-'
MEM_PREFIX = 'p2pm-'


# Where a region's header holds its epoch (include/dpdkr-abi.h).
EPOCH_OFFSET = 24


def lane_epoch(path):
    """Returns the epoch in the header of the lane file at 'path'."""
    with open(path, 'rb') as f:
        f.seek(EPOCH_OFFSET)
        return int.from_bytes(f.read(8), 'little')


def lane_ids(epoch):
    tag = '%x' % epoch
    return DEV_PREFIX + tag, MEM_PREFIX + tag


class Vm(object):
    """One QEMU, reached over its QMP socket.  Used by the worker only."""

    def __init__(self, name, path, timeout):
        self.name = name
        self.path = path
        self.timeout = timeout
        self.qmp = None

    def connect(self):
        if not self.qmp or not self.qmp._sock:
            self.qmp = Qmp(self.path, self.timeout)
        return self.qmp

    def close(self):
        if self.qmp:
            self.qmp.close()
            self.qmp = None

    def memory_paths(self):
        """Returns {mem-path: object id} of the memory backends."""
        q = self.connect()
        paths = {}
        for obj in q.command('qom-list', path='/objects'):
            if obj['type'].startswith('child<memory-backend-file'):
                p = q.command('qom-get', path='/objects/' + obj['name'],
                              property='mem-path')
                paths[p] = obj['name']
        return paths

    def our_devices(self):
        """Returns {device id: (memory backend id, lane path)} of the
        devices this agent (or an earlier one) plugged in."""
        q = self.connect()
        devs = {}
        for child in q.command('qom-list', path='/machine/peripheral'):
            if not child['name'].startswith(DEV_PREFIX):
                continue
            mem = MEM_PREFIX + child['name'][len(DEV_PREFIX):]
            try:
                path = q.command('qom-get', path='/objects/' + mem,
                                 property='mem-path')
            except QmpError:
                path = None
            devs[child['name']] = (mem, path)
        return devs

    def plug(self, lane, dev, mem, size):
        q = self.connect()
        q.command('object-add', **{'qom-type': 'memory-backend-file',
                                   'id': mem, 'mem-path': lane,
                                   'size': size, 'share': True})
        try:
            q.command('device_add', driver='ivshmem-plain', id=dev,
                      memdev=mem)
        except QmpError:
            q.command('object-del', id=mem)
            raise

    def unplug(self, dev, mem, timeout):
        """Unplugs device 'dev' and deletes backend 'mem'.  Returns False
        if the guest did not release the device within 'timeout'
        seconds (QEMU completes the removal later, then 'mem' can go)."""
        q = self.connect()
        if dev in [c['name'] for c in
                   q.command('qom-list', path='/machine/peripheral')]:
            try:
                q.command('device_del', id=dev)
            except QmpError as e:
                if 'in progress' not in str(e):
                    raise
            if not q.wait_event('DEVICE_DELETED',
                                lambda d: d.get('device') == dev, timeout):
                return False
        try:
            q.command('object-del', id=mem)
        except QmpError as e:
            if 'not found' not in str(e):
                raise
        return True


class LibvirtVm(object):
    """One libvirt domain.  libvirt maps a <shmem> device's memory from
    /dev/shm/NAME only, so lanes plugged this way must live in /dev/shm
    (ports with options:region-dir=/dev/shm).  Used by the worker only."""

    def __init__(self, conn, dom, timeout, events):
        self.conn = conn
        self.dom = dom
        self.name = dom.name()
        self.path = 'libvirt:' + self.name
        self.timeout = timeout
        self.events = events
        self.qmp = True         # Stays "connected": libvirt is.

    def close(self):
        pass

    def _shmems(self):
        import xml.etree.ElementTree as ET
        root = ET.fromstring(self.dom.XMLDesc(0))
        for sh in root.iter('shmem'):
            alias = sh.find('alias')
            yield (sh.get('name'),
                   alias.get('name') if alias is not None else None)

    def memory_paths(self):
        return dict(('/dev/shm/' + name, alias)
                    for name, alias in self._shmems())

    def our_devices(self):
        devs = {}
        for name, alias in self._shmems():
            if alias and alias.startswith('ua-' + DEV_PREFIX):
                dev = alias[len('ua-'):]
                devs[dev] = (None, '/dev/shm/' + name)
        return devs

    def plug(self, lane, dev, mem, size):
        import libvirt
        d, name = os.path.split(lane)
        if d != '/dev/shm':
            raise QmpError('libvirt maps shared memory from /dev/shm only: '
                           'give the ports options:region-dir=/dev/shm')
        from xml.sax.saxutils import quoteattr
        # A port name, in the lane's, may hold any character but '/'.
        xml = ("<shmem name=%s><model type='ivshmem-plain'/>"
               "<size unit='b'>%d</size><alias name='ua-%s'/></shmem>"
               % (quoteattr(name), size, dev))
        try:
            self.dom.attachDeviceFlags(xml, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        except libvirt.libvirtError as e:
            raise QmpError(str(e))

    def unplug(self, dev, mem, timeout):
        import libvirt
        alias = 'ua-' + dev
        if dev not in self.our_devices():
            return True
        done = self.events.expect(self.name, alias)
        try:
            self.dom.detachDeviceAlias(alias, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        except libvirt.libvirtError as e:
            self.events.forget(self.name, alias)
            raise QmpError(str(e))
        ok = done.wait(timeout) or dev not in self.our_devices()
        self.events.forget(self.name, alias)
        return ok


class LibvirtEvents(object):
    """libvirt's default event loop, in a thread of its own, and the
    DEVICE_REMOVED events that unplugs wait for."""

    def __init__(self):
        import libvirt
        libvirt.virEventRegisterDefaultImpl()
        self.lock = threading.Lock()
        self.waiting = {}
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        import libvirt
        while True:
            libvirt.virEventRunDefaultImpl()

    def watch(self, conn):
        import libvirt
        conn.domainEventRegisterAny(
            None, libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
            self.removed, None)

    def removed(self, conn, dom, alias, opaque):
        with self.lock:
            ev = self.waiting.get((dom.name(), alias))
        if ev:
            ev.set()

    def expect(self, vm, alias):
        ev = threading.Event()
        with self.lock:
            self.waiting[(vm, alias)] = ev
        return ev

    def forget(self, vm, alias):
        with self.lock:
            self.waiting.pop((vm, alias), None)


class Agent(object):
    def __init__(self, args):
        self.args = args
        self.vms = {}               # Name -> Vm; the worker's.
        self.lock = threading.Lock()
        # Guarded by 'lock':
        self.wanted = {}            # (port, lane) -> region
        self.done = set()           # (port, lane) reported plugged.
        self.failed = {}            # (port, lane) -> error
        self.plugged = {}           # (vm, lane) -> (dev, mem, epoch)
        self.pending = set()        # Keys of queued tasks.
        self.unplug_retry = {}      # (vm, lane) -> when to look again.
        self.tasks = queue.Queue()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        self.libvirt_conn = None    # The worker's.
        self.libvirt_events = None
        self.started = False        # The worker has recovered.
        self.db_ready = False       # The database's contents are in.

    # Virtual machines.

    def libvirt_vms(self):
        import libvirt
        if not self.libvirt_conn:
            if not self.libvirt_events:
                self.libvirt_events = LibvirtEvents()
            try:
                self.libvirt_conn = libvirt.open(self.args.libvirt)
                self.libvirt_events.watch(self.libvirt_conn)
            except libvirt.libvirtError as e:
                vlog.warn('%s: %s' % (self.args.libvirt, e))
                self.libvirt_conn = None
                return []
        try:
            doms = self.libvirt_conn.listAllDomains(
                libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)
        except libvirt.libvirtError as e:
            vlog.warn('%s: %s' % (self.args.libvirt, e))
            self.libvirt_conn = None
            return []
        return [LibvirtVm(self.libvirt_conn, d, self.args.qmp_timeout,
                          self.libvirt_events) for d in doms]

    def vm_list(self):
        if self.args.libvirt:
            self.vms = dict((vm.name, vm) for vm in self.libvirt_vms())
            return list(self.vms.values())
        found = {}
        for spec in self.args.qmp or []:
            name, _, path = spec.partition('=')
            found[name] = path
        for d in self.args.qmp_dir or []:
            try:
                for f in sorted(os.listdir(d)):
                    if f.endswith('.qmp'):
                        found.setdefault(f[:-4], os.path.join(d, f))
            except OSError as e:
                vlog.warn('%s: %s' % (d, os.strerror(e.errno)))
        for name in list(self.vms):
            if name not in found or self.vms[name].path != found[name]:
                self.vms.pop(name).close()
        for name, path in found.items():
            if name not in self.vms:
                self.vms[name] = Vm(name, path, self.args.qmp_timeout)
        return list(self.vms.values())

    def vm_gone(self, vm, why):
        vlog.info('%s: %s' % (vm.name, why))
        vm.close()
        with self.lock:
            for key in [k for k in self.plugged if k[0] == vm.name]:
                del self.plugged[key]

    def vm_of_region(self, region):
        for vm in self.vm_list():
            try:
                if region in vm.memory_paths():
                    return vm
            except QmpError as e:
                self.vm_gone(vm, e)
        return None

    def recover(self):
        """Learns what earlier agents plugged into the virtual machines."""
        for vm in self.vm_list():
            try:
                devs = vm.our_devices()
            except QmpError as e:
                self.vm_gone(vm, e)
                continue
            vm.close()
            with self.lock:
                for dev, (mem, path) in devs.items():
                    epoch = int(dev[len(DEV_PREFIX):], 16)
                    self.plugged[(vm.name, path)] = (dev, mem, epoch)
                    vlog.info('%s: found lane %s (%s)' % (vm.name, path, dev))

    # Tasks, run by the worker thread.

    def report(self, port, lane, error=None):
        err, path = ovs.unixctl.socket_name_from_target(self.args.switch)
        if err:
            vlog.warn('cannot find %s: %s' % (self.args.switch, path))
            return False
        err, client = ovs.unixctl.client.UnixctlClient.create(path)
        if err:
            vlog.warn('cannot reach %s: %s' % (path, os.strerror(err)))
            return False
        argv = [port, lane] + ([error] if error else [])
        err, rpc_err, _ = client.transact('dpdkr/lane-plugged', argv)
        client.close()
        if err or rpc_err:
            vlog.info('%s: lane %s: ovs-vswitchd answered: %s'
                      % (port, lane, rpc_err or os.strerror(err)))
            return False
        return True

    def do_plug(self, port, lane, region):
        key = (port, lane)
        try:
            st = os.stat(lane)
            epoch = lane_epoch(lane)
        except OSError as e:
            return self.plug_failed(key, '%s: %s' % (lane,
                                                     os.strerror(e.errno)))
        size = st.st_size
        if size < (1 << 20) or size & (size - 1):
            # QEMU aborts on a BAR that is not a power of 2.
            return self.plug_failed(key, '%s: %d bytes is not a power of 2 '
                                    'of at least 1 MiB' % (lane, size))
        vm = self.vm_of_region(region)
        if not vm:
            return self.plug_failed(key, 'no virtual machine maps %s'
                                    % region)
        dev, mem = lane_ids(epoch)
        with self.lock:
            old = self.plugged.get((vm.name, lane))
        try:
            if old and old[2] != epoch:
                # A lane of the same name before: it must go first.
                if not vm.unplug(old[0], old[1], self.args.unplug_timeout):
                    return self.plug_failed(key, 'the guest did not release '
                                            'the previous lane %s' % old[0])
                with self.lock:
                    self.plugged.pop((vm.name, lane), None)
                old = None
            if not old:
                t0 = time.monotonic()
                vm.plug(lane, dev, mem, size)
                vlog.info('%s: plugged %s into %s as %s in %.0f ms'
                          % (port, lane, vm.name, dev,
                             (time.monotonic() - t0) * 1000))
                with self.lock:
                    self.plugged[(vm.name, lane)] = (dev, mem, epoch)
        except QmpError as e:
            if not vm.qmp:
                self.vm_gone(vm, e)
            return self.plug_failed(key, '%s: %s' % (vm.name, e))
        if self.report(port, lane):
            with self.lock:
                self.done.add(key)

    def plug_failed(self, key, error):
        vlog.warn('%s: cannot plug lane %s: %s' % (key[0], key[1], error))
        with self.lock:
            self.failed[key] = error
        self.report(key[0], key[1], error)

    def do_unplug(self, vm_name, lane):
        vm = self.vms.get(vm_name)
        with self.lock:
            p = self.plugged.get((vm_name, lane))
            if any(lane == k[1] for k in self.wanted):
                # Wanted again since this task was queued.
                p = None
        if not vm or not p:
            return
        try:
            ok = vm.unplug(p[0], p[1], self.args.unplug_timeout)
        except QmpError as e:
            if not vm.qmp:
                self.vm_gone(vm, e)
                return
            vlog.warn('%s: cannot unplug %s: %s' % (vm_name, p[0], e))
            ok = False
        with self.lock:
            if ok:
                vlog.info('%s: unplugged %s (%s)' % (vm_name, lane, p[0]))
                self.plugged.pop((vm_name, lane), None)
                self.unplug_retry.pop((vm_name, lane), None)
            else:
                vlog.warn('%s: the guest has not released %s yet; looking '
                          'again in %d s' % (vm_name, p[0],
                                             self.args.unplug_timeout))
                self.unplug_retry[(vm_name, lane)] = (
                    time.monotonic() + self.args.unplug_timeout)

    def worker(self):
        self.recover()
        with self.lock:
            self.started = True
        os.write(self.wake_w, b'x')
        while True:
            kind, key, region = self.tasks.get()
            if kind == 'exit':
                break
            try:
                if kind == 'plug':
                    self.do_plug(key[0], key[1], region)
                else:
                    self.do_unplug(key[0], key[1])
            except Exception as e:      # Keep serving the other lanes.
                vlog.err('%s %s: %s' % (kind, key, e))
            # A QMP socket takes one client at a time: leave it to others
            # between tasks.
            for vm in self.vms.values():
                vm.close()
            with self.lock:
                self.pending.discard((kind, key))
            os.write(self.wake_w, b'x')
        for vm in self.vms.values():
            vm.close()

    # The main thread.

    def read_db(self, idl):
        wanted = {}
        for row in idl.tables['Interface'].rows.values():
            status = row.status
            region = status.get('dpdkr-region')
            for lane in status.get('dpdkr-lanes', '').split():
                if region:
                    wanted[(row.name, lane)] = region
        with self.lock:
            self.db_ready = True
            self.wanted = wanted
            self.done &= set(wanted)
            for key in list(self.failed):
                if key not in wanted:
                    del self.failed[key]

    def schedule(self):
        """Queues what brings the virtual machines to what is wanted.
        Returns when to look again (monotonic time), or None."""
        now = time.monotonic()
        again = None
        with self.lock:
            if not self.started or not self.db_ready:
                # What is wanted is not known yet: unplugging now could
                # pull a lane from under a running guest.
                return None
            for key, region in self.wanted.items():
                if (key not in self.done and key not in self.failed
                        and ('plug', key) not in self.pending):
                    self.pending.add(('plug', key))
                    self.tasks.put(('plug', key, region))
            wanted_lanes = set(lane for _, lane in self.wanted)
            for key in list(self.plugged):
                if key[1] in wanted_lanes or ('unplug', key) in self.pending:
                    continue
                retry = self.unplug_retry.get(key, 0)
                if retry > now:
                    again = retry if again is None else min(again, retry)
                    continue
                self.pending.add(('unplug', key))
                self.tasks.put(('unplug', key, None))
        return again

    def show(self):
        with self.lock:
            lines = []
            for (port, lane), region in sorted(self.wanted.items()):
                state = ('plugged' if (port, lane) in self.done
                         else 'failed: ' + self.failed[(port, lane)]
                         if (port, lane) in self.failed else 'plugging')
                lines.append('%s: %s: %s' % (port, lane, state))
            for (vm, lane), (dev, mem, _) in sorted(self.plugged.items()):
                lines.append('%s: %s as %s' % (vm, lane, dev))
        return '\n'.join(lines)


def get_schema(remote):
    err, stream = ovs.stream.Stream.open_block(ovs.stream.Stream.open(remote))
    if err:
        raise OSError(err, '%s: %s' % (remote, os.strerror(err)))
    rpc = ovs.jsonrpc.Connection(stream)
    err, resp = rpc.transact_block(
        ovs.jsonrpc.Message.create_request('get_schema', ['Open_vSwitch']))
    rpc.close()
    if err or resp.error:
        raise OSError(err or errno.EPROTO, '%s: cannot get the schema'
                      % remote)
    return resp.result


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('database', nargs='?',
                        default='unix:%s/db.sock' % ovs.dirs.RUNDIR,
                        help='OVSDB server to watch (default: %(default)s)')
    parser.add_argument('--qmp', action='append', metavar='NAME=SOCKET',
                        help='a virtual machine and its QMP socket')
    parser.add_argument('--qmp-dir', action='append', metavar='DIR',
                        help='every NAME.qmp socket in DIR is a virtual '
                        'machine')
    parser.add_argument('--libvirt', metavar='URI',
                        help='plug lanes into the active domains of this '
                        'libvirt connection (e.g. qemu:///system) instead '
                        'of over QMP')
    parser.add_argument('--switch', default='ovs-vswitchd',
                        help='unixctl target of ovs-vswitchd (default: '
                        '%(default)s)')
    parser.add_argument('--qmp-timeout', type=float, default=10.0,
                        metavar='SECONDS',
                        help='longest wait for an answer from QEMU')
    parser.add_argument('--unplug-timeout', type=float, default=10.0,
                        metavar='SECONDS',
                        help='longest wait for a guest to release a lane')
    ovs.vlog.add_args(parser)
    ovs.daemon.add_args(parser)
    args = parser.parse_args(argv)
    ovs.vlog.handle_args(args)
    ovs.daemon.handle_args(args)

    try:
        helper = ovs.db.idl.SchemaHelper(schema_json=get_schema(
            args.database))
    except OSError as e:
        ovs.util.ovs_fatal(0, str(e), vlog)
    helper.register_columns('Interface', ['name', 'type', 'status'])
    idl = ovs.db.idl.Idl(args.database, helper)

    ovs.daemon.daemonize()
    agent = Agent(args)
    exiting = []

    def unixctl_show(conn, unused_argv, unused_aux):
        conn.reply(agent.show())

    def unixctl_exit(conn, unused_argv, unused_aux):
        exiting.append(True)
        conn.reply(None)

    ovs.unixctl.command_register('agent/show', '', 0, 0, unixctl_show, None)
    ovs.unixctl.command_register('exit', '', 0, 0, unixctl_exit, None)
    err, server = ovs.unixctl.server.UnixctlServer.create(None)
    if err:
        ovs.util.ovs_fatal(err, 'cannot create the unixctl server', vlog)

    worker = threading.Thread(target=agent.worker, daemon=True)
    worker.start()
    seqno = idl.change_seqno
    while True:
        server.run()
        if exiting:
            # 'exit' came in server.run(): nothing else would wake the
            # poller below.
            break
        idl.run()
        if seqno != idl.change_seqno:
            seqno = idl.change_seqno
            agent.read_db(idl)
        try:
            while os.read(agent.wake_r, 512):
                pass
        except BlockingIOError:
            pass
        again = agent.schedule()

        poller = ovs.poller.Poller()
        server.wait(poller)
        idl.wait(poller)
        poller.fd_wait(agent.wake_r, ovs.poller.POLLIN)
        if again is not None:
            poller.timer_wait(max(0, int((again - time.monotonic())
                                         * 1000)))
        poller.block()

    agent.tasks.put(('exit', None, None))
    worker.join(agent.args.qmp_timeout + agent.args.unplug_timeout + 1)
    server.close()
    idl.close()
    return 0
