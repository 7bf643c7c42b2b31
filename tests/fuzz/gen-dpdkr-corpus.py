#! /usr/bin/env python3
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

"""Writes the seed corpus of tests/fuzz/dpdkr_fuzz.c into a directory.

Usage: gen-dpdkr-corpus.py DIR

Each seed is a valid region header (as dpdkr_region_layout() computes it,
for a few geometries) followed by a short program of operations in the
format that dpdkr_fuzz.c documents.  The committed corpus in
tests/fuzz/corpus/dpdkr was made with this script."""

import os
import struct
import sys

MAGIC = 0x3250325052444b50
HDR_SIZE = 4096
CTRL_SIZE = 4096
RING_HDR_SIZE = 128

# Operations (low 3 bits of an op byte; bit 3 selects the ring, bit 4 a
# variant).
HEAD, TAIL, DESC, FILL, CONS, PROD, COUNTERS, HEAL = range(8)


def page(n):
    return (n + 4095) & ~4095


def layout(log2_size, buf_size, align=4096):
    n = 1 << log2_size
    ring_bytes = RING_HDR_SIZE + n * 16
    off = HDR_SIZE + CTRL_SIZE
    rings = []
    for _ in range(2):
        rings.append([off, 0, log2_size, buf_size, n * buf_size])
        off += page(ring_bytes)
    for r in rings:
        r[1] = off
        off += page(r[4])
    return (off + align - 1) & ~(align - 1), rings


def header(log2_size, buf_size):
    size, rings = layout(log2_size, buf_size)
    h = struct.pack('<QHHIQQIIQII', MAGIC, 1, 0, HDR_SIZE, size, 7, 2, 0,
                    HDR_SIZE, CTRL_SIZE, 0)
    for r in rings:
        h += struct.pack('<QQIIQ', *r)
    h = h.ljust(192, b'\0')
    h += struct.pack('<II', 1, 1).ljust(64, b'\0')
    h += struct.pack('<IIQ', 2, 2, 1).ljust(64, b'\0')
    assert len(h) == 320
    return h + b'\x01'          # File size = region_size.


def op(code, ring=0, variant=0):
    return bytes([code | ring << 3 | variant << 4])


def u8(v):
    return struct.pack('<B', v & 0xff)


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def seeds():
    for log2_size, buf_size in ((6, 256), (7, 2048), (6, 1999), (6, 4096)):
        area = (1 << log2_size) * buf_size
        name = 'l%d-b%d' % (log2_size, buf_size)
        h = header(log2_size, buf_size)
        starts = u32(0) + u32(0xfffffff0)

        # Honest traffic on both rings.
        prog = b''
        for ring in (0, 1):
            prog += op(PROD, ring) + u8(31) + u16(59)
            prog += op(CONS, ring) + u8(15)
            prog += op(CONS, ring, 1) + u8(63) + u16(64)
        yield name + '-traffic', h + starts + prog

        # Garbage indexes.
        prog = (op(HEAD) + u32(0x80000000) + op(CONS) + u8(8)
                + op(TAIL) + u32(0xffffffff) + op(PROD) + u8(8) + u16(10)
                + op(HEAD, 1, 1) + u16(1 << log2_size)
                + op(CONS, 1) + u8(63) + op(HEAL) + op(PROD) + u8(4) + u16(1))
        yield name + '-indexes', h + starts + prog

        # Descriptors at and just past the end of the buffer area.
        prog = (op(DESC) + u8(0) + u32(area - 64) + u32(64)
                + op(DESC) + u8(1) + u32(area - 63) + u32(64)
                + op(DESC) + u8(2) + u32(0xffffffff) + u32(2)
                + op(DESC, 0, 1) + u8(3) + u32(0) + u32(60) + u16(1)
                + op(DESC) + u8(4) + u32(0) + u32(buf_size + 1)
                + op(HEAD, 0, 1) + u16(5) + op(CONS) + u8(63)
                + op(FILL, 1, 1) + u32(area - 4 * buf_size) + u16(buf_size)
                + u16(buf_size - 2) + u8(8)
                + op(HEAD, 1, 1) + u16(8) + op(CONS, 1, 1) + u8(63) + u16(9000))
        yield name + '-descs', h + starts + prog

        # Counters.
        prog = op(COUNTERS) + u64(-1) + u64(-1) + u32(-1) + op(CONS) + u8(1)
        yield name + '-counters', h + starts + prog

    # A region too big to allocate: validation only.
    h = header(15, 65535 - 1000)
    yield 'big-validate-only', h


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
