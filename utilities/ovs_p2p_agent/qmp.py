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

"""A small QMP client (QEMU Machine Protocol, docs/interop/qmp-spec.rst)
whose every wait is bounded: connecting, each command's answer and each
awaited event.  Events that arrive while it waits for something else are
kept, so none is lost between a command and the wait for its event."""

import json
import socket
import time


class QmpError(Exception):
    """QEMU answered a command with an error, or could not be reached."""


class QmpTimeout(QmpError):
    """QEMU did not answer in time."""


class Qmp(object):
    def __init__(self, path, timeout=10.0):
        """Connects to the QMP server at Unix socket 'path' and negotiates
        capabilities, waiting at most 'timeout' seconds for each step."""
        self.path = path
        self.timeout = timeout
        self.events = []
        self._buf = b''
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.settimeout(timeout)
            self._sock.connect(path)
            greeting = self._read(time.monotonic() + timeout)
            if 'QMP' not in greeting:
                raise QmpError('%s: not a QMP server' % path)
            self.command('qmp_capabilities')
        except (OSError, ValueError) as e:
            self.close()
            raise QmpError('%s: %s' % (path, e))
        except QmpError:
            self.close()
            raise

    def close(self):
        if self._sock:
            self._sock.close()
            self._sock = None

    def _read(self, deadline):
        """Returns the next message, waiting until 'deadline' at most."""
        while b'\n' not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QmpTimeout('%s: QEMU did not answer in time'
                                 % self.path)
            self._sock.settimeout(left)
            try:
                data = self._sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise QmpError('%s: QEMU closed the connection' % self.path)
            self._buf += data
        line, self._buf = self._buf.split(b'\n', 1)
        return json.loads(line)

    def command(self, name, **arguments):
        """Executes QMP command 'name' and returns its 'return' value, or
        raises QmpError with QEMU's description of the error."""
        if not self._sock:
            raise QmpError('%s: not connected' % self.path)
        msg = {'execute': name}
        if arguments:
            msg['arguments'] = arguments
        deadline = time.monotonic() + self.timeout
        try:
            self._sock.settimeout(self.timeout)
            self._sock.sendall(json.dumps(msg).encode() + b'\n')
            while True:
                reply = self._read(deadline)
                if 'event' in reply:
                    self.events.append(reply)
                elif 'error' in reply:
                    raise QmpError(reply['error'].get('desc', str(reply)))
                elif 'return' in reply:
                    return reply['return']
        except (OSError, ValueError) as e:
            self.close()
            raise QmpError('%s: %s' % (self.path, e))

    def wait_event(self, name, match, timeout):
        """Waits at most 'timeout' seconds for event 'name' whose 'data'
        satisfies 'match'; returns it, or None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev['event'] == name and match(ev.get('data', {})):
                    del self.events[i]
                    return ev
            try:
                self.events.append(self._read(deadline))
            except QmpTimeout:
                return None
            except (OSError, ValueError) as e:
                self.close()
                raise QmpError('%s: %s' % (self.path, e))
