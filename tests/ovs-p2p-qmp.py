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
"""ovs-p2p-qmp SOCKET COMMAND [ARGUMENTS-JSON]
ovs-p2p-qmp SOCKET ivshmem-bars

Sends one QMP command to the QEMU monitor at the Unix socket SOCKET (after
the capabilities handshake) and prints its "return" value as JSON on one
line; exits 1, printing the error, if QEMU answers with one.  Waits at most
10 s for QEMU, connecting and answering.  For the tests' QEMU guests.

"ivshmem-bars" runs query-pci and prints, for each ivshmem device
(1af4:1110), a line "SLOT BAR2-SIZE"."""

import json
import socket
import sys
import time


def connect(path, timeout):
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    s = connect(sys.argv[1], 10)
    f = s.makefile('rw')
    json.loads(f.readline())            # The greeting.

    def execute(cmd, args=None):
        msg = {'execute': cmd}
        if args is not None:
            msg['arguments'] = args
        f.write(json.dumps(msg) + '\n')
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if 'return' in reply or 'error' in reply:
                return reply        # Events are skipped.

    execute('qmp_capabilities')
    if sys.argv[2] == 'ivshmem-bars':
        reply = execute('query-pci')
    else:
        reply = execute(sys.argv[2],
                        json.loads(sys.argv[3]) if len(sys.argv) == 4
                        else None)
    if 'error' in reply:
        print(json.dumps(reply['error']))
        return 1
    if sys.argv[2] == 'ivshmem-bars':
        for bus in reply['return']:
            for d in bus['devices']:
                if (d['id']['vendor'], d['id']['device']) == (0x1af4, 0x1110):
                    print(d['slot'], *[r['size'] for r in d['regions']
                                       if r['bar'] == 2])
    else:
        print(json.dumps(reply['return']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
