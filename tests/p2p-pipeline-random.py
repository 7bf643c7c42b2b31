#! /usr/bin/python3
#
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

"""Random walk over multi-table pipelines, with an independent oracle.

usage: p2p-pipeline-random.py SEED STEPS
       p2p-pipeline-random.py --selftest

Drives the ovs-vswitchd of the current test (bridge br0, dummy ports
p1...p4, time stopped) through STEPS random steps over OpenFlow tables 0-4:
pipelines that chain a port through several tables (resubmit, goto_table,
reg0, metadata, 'all' groups of one bucket) to an output, and rules that
disturb them (matches on in_port, reg0, metadata, dl_type, tcp_dst, dl_vlan,
dl_src; actions output, resubmit, goto_table, set_field, write_metadata,
drop, NORMAL, controller, mod_vlan_vid, group, learn, note), sent in
bundles or one by one, modified and deleted; group changes, port-mods,
time warps that expire rules and changes of other_config:vlan-limit.

After every step:

  - 'ovs-appctl p2p/check' must succeed: the detector's incremental state
    agrees with a recomputation from scratch;

  - the oracle: for every direction A -> B that 'p2p/show br0' says is
    eligible or direct, 'ofproto/trace' of many random packets entering A
    (VLAN shape none, 802.1Q, 802.1ad or two tags; ethertype IPv4, IPv6,
    ARP, MPLS, 0x88b5 or 802.3/LLC; IP fragments, TCP/UDP ports, TCP flags;
    MACs, addresses and ports drawn from the rules' constants and at
    random) must give exactly one datapath action, the output to B's
    datapath port, and visit no learn action (whose side effect a trace
    without a packet does not show).  The oracle uses nothing of the
    detector: only OVS's translation, through ofproto/trace.  It is
    one-sided (the detector may be conservative); for switched ports it
    only counts how often every trace agreed on a single output.

The first failure stops the walk, printing the step, the flow table, the
groups, p2p/show and, for the oracle, the packet and its trace.  Prints a
summary.  --selftest checks that the oracle fails on a pipeline that is not
a link and passes on one that is.
"""

import json
import os
import random
import re
import socket
import subprocess
import sys

PORTS = [1, 2, 3, 4]
TABLES = [0, 1, 2, 3, 4]
REGS = [5, 6]
METAS = [0x1, 0x2]
VIDS = [5, 6]
MACS = ["00:00:00:00:00:0a", "00:00:00:00:00:0b"]
TCP_PORTS = [80, 443]
GROUPS = [1, 2, 3]               # Always exist; group 4 comes and goes.

# Actions that leave some packets alone and change others ({p}: a port).
SUBTLE = ["mod_dl_src:00:00:00:00:00:0a",
          "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]", "clone(output:{p})",
          "set_field:{p}->reg1,output:NXM_NX_REG1[0..15]", "enqueue:{p}:1",
          "push_vlan:0x8100", "mod_vlan_pcp:0", "mod_vlan_vid:5"]
# The same, but OpenFlow 1.1 and later refuse them without a match on the
# header they change: sent with OpenFlow 1.0 (and NXM), never in bundles.
OF10_ONLY = ["strip_vlan", "dec_ttl", "fin_timeout(idle_timeout=5)"]

N_TRACES_ELIGIBLE = 24           # Packets traced per eligible direction.
N_TRACES_SWITCHED = 4            # Per switched port (statistics only).
MAX_RULES = 90                   # Beyond this the walk flushes the tables.


class Unixctl(object):
    """A minimal JSON-RPC client of ovs-vswitchd's control socket, to run
    thousands of appctl commands without a process each."""

    def __init__(self):
        rundir = os.environ.get("OVS_RUNDIR", ".")
        with open(os.path.join(rundir, "ovs-vswitchd.pid")) as f:
            pid = int(f.read().strip())
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(os.path.join(rundir, "ovs-vswitchd.%d.ctl" % pid))
        self.buf = ""
        self.decoder = json.JSONDecoder()
        self.id = 0

    def call(self, method, *params):
        """Returns (ok, text)."""
        self.id += 1
        req = {"method": method, "params": list(params), "id": self.id}
        self.sock.sendall(json.dumps(req).encode())
        while True:
            s = self.buf.lstrip()
            if s:
                try:
                    msg, end = self.decoder.raw_decode(s)
                except ValueError:
                    msg = None
                if msg is not None:
                    self.buf = s[end:]
                    if msg.get("id") != self.id:
                        continue
                    if msg.get("error") is not None:
                        return False, str(msg["error"])
                    return True, msg.get("result") or ""
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("ovs-vswitchd closed its control socket")
            self.buf += data.decode()


def run(args, check=True):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if check and p.returncode:
        sys.stderr.write("command failed: %s\n%s%s" % (" ".join(args),
                                                       p.stdout, p.stderr))
        sys.exit(1)
    return p


OFCTL = ["ovs-ofctl", "-O", "OpenFlow14"]


# The oracle.
# ===========

def rand_mac(rng):
    r = rng.random()
    if r < 0.4:
        return rng.choice(MACS)
    if r < 0.45:
        return "01:80:c2:00:00:00"
    if r < 0.5:
        return "ff:ff:ff:ff:ff:ff"
    return "%02x:%02x:%02x:%02x:%02x:%02x" % tuple(
        [rng.randrange(256) & 0xfe] + [rng.randrange(256) for _ in range(5)])


def rand_l4port(rng):
    return rng.choice(TCP_PORTS) if rng.random() < 0.4 else rng.randrange(
        1, 65536)


def rand_packet(rng, dp_in):
    """Returns a random packet entering datapath port 'dp_in', as a
    datapath flow for ofproto/trace, and a short description."""
    fields = ["in_port(%d)" % dp_in,
              "eth(src=%s,dst=%s)" % (rand_mac(rng), rand_mac(rng))]
    shape = rng.choice(["none", "none", "802.1Q", "802.1ad", "QinQ"])
    eth = rng.choice(["ip", "ip", "ipv6", "ipv6", "arp", "mpls", "0x88b5",
                      "llc"])
    frag = rng.choice(["no", "no", "no", "first", "later"])
    proto = rng.choice(["tcp", "tcp", "udp", "icmp"])
    tos = rng.choice([0, 0, 0x10, 0x03, 0xb8])
    ttl = rng.choice([64, 64, 1, 255])
    l4 = ""
    if eth == "ip":
        inner = ("eth_type(0x0800),ipv4(src=10.0.%d.%d,dst=10.0.%d.%d,"
                 "proto=%d,tos=%d,ttl=%d,frag=%s)"
                 % (rng.randrange(4), rng.randrange(256), rng.randrange(4),
                    rng.randrange(256),
                    {"tcp": 6, "udp": 17, "icmp": 1}[proto], tos, ttl,
                    frag))
    elif eth == "ipv6":
        inner = ("eth_type(0x86dd),ipv6(src=2001:db8::%x,dst=2001:db8::%x,"
                 "label=0,proto=%d,tclass=%d,hlimit=%d,frag=%s)"
                 % (rng.randrange(65536), rng.randrange(65536),
                    {"tcp": 6, "udp": 17, "icmp": 58}[proto], tos, ttl,
                    frag))
    elif eth == "arp":
        inner = ("eth_type(0x0806),arp(sip=10.0.0.%d,tip=10.0.0.%d,op=%d,"
                 "sha=%s,tha=00:00:00:00:00:00)"
                 % (rng.randrange(256), rng.randrange(256),
                    rng.choice([1, 2]), rand_mac(rng)))
    elif eth == "mpls":
        inner = ("eth_type(0x8847),mpls(label=%d,tc=0,ttl=64,bos=1)"
                 % rng.randrange(1 << 20))
    elif eth == "0x88b5":
        inner = "eth_type(0x88b5)"
    else:
        inner = ""              # No ethertype: 802.3 with an LLC header.
    if eth in ("ip", "ipv6") and frag != "later":
        if proto == "tcp":
            l4 = ",tcp(src=%d,dst=%d),tcp_flags(0x%03x)" % (
                rand_l4port(rng), rand_l4port(rng),
                rng.choice([0x002, 0x010, 0x012, 0x011, 0x004,
                            rng.randrange(0x1000)]))
        elif proto == "udp":
            l4 = ",udp(src=%d,dst=%d)" % (rand_l4port(rng),
                                          rand_l4port(rng))
        else:
            l4 = ",%s(type=%d,code=0)" % (
                "icmp" if eth == "ip" else "icmpv6", rng.choice([0, 8, 128]))
    inner += l4

    def vlan(tpid, vid):
        return "eth_type(%s),vlan(vid=%d,pcp=%d),encap(%%s)" % (
            tpid, vid, rng.randrange(8))

    vid = (rng.choice(VIDS) if rng.random() < 0.5
           else rng.randrange(4096))
    if shape == "none":
        body = inner
    elif shape == "802.1Q":
        body = vlan("0x8100", vid) % inner
    elif shape == "802.1ad":
        body = vlan("0x88a8", vid) % inner
    else:
        body = vlan("0x88a8", vid) % (
            vlan("0x8100", rng.choice(VIDS + [rng.randrange(4096)]))
            % inner)
    if body:
        fields.append(body)
    return ",".join(fields), "%s/%s/frag=%s" % (shape, eth, frag)


DP_ACTIONS = re.compile(r"^Datapath actions: (.*)$", re.M)
SIDE_EFFECT = re.compile(r"\blearn\(|\bfin_timeout\(")


class Oracle(object):
    def __init__(self, ctl, rng):
        self.ctl = ctl
        self.rng = rng
        self.dp = {}            # OpenFlow port number -> datapath port.
        self.n_traces = 0

    def read_ports(self):
        ok, text = self.ctl.call("dpif/show")
        if not ok:
            raise RuntimeError("dpif/show: " + text)
        self.dp = {}
        for m in re.finditer(r"^\s+\S+ (\d+)/(\d+):", text, re.M):
            self.dp[int(m.group(1))] = int(m.group(2))

    def trace(self, dp_flow):
        ok, text = self.ctl.call("ofproto/trace", dp_flow)
        self.n_traces += 1
        if not ok:
            raise RuntimeError("ofproto/trace %s: %s" % (dp_flow, text))
        m = DP_ACTIONS.search(text)
        return (m.group(1).strip() if m else "?"), text

    def check_direction(self, a, b, n):
        """Traces 'n' random packets from OpenFlow port 'a'.  Returns None
        if every one was output to 'b' alone, or (flow, trace) of the first
        that was not."""
        want = str(self.dp[b])
        for _ in range(n):
            flow, _ = rand_packet(self.rng, self.dp[a])
            actions, text = self.trace(flow)
            if actions != want or SIDE_EFFECT.search(text):
                return flow, text
        return None

    def one_output(self, a, n):
        """Traces 'n' random packets from 'a'.  Returns true if every one
        gave the same datapath action, one output and nothing else."""
        seen = set()
        for _ in range(n):
            flow, _ = rand_packet(self.rng, self.dp[a])
            actions, text = self.trace(flow)
            if SIDE_EFFECT.search(text) or not re.match(r"^\d+$", actions):
                return False
            seen.add(actions)
        return len(seen) == 1


DIRECTION = re.compile(r"^  \S+\((\d+)\) -> \S+\((\d+)\): (eligible|direct)",
                       re.M)
SWITCHED = re.compile(r"^  \S+\((\d+)\)(?: -> \S+)?: switched: (.*)$",
                      re.M)


def reason_kind(reason):
    """The reason of a switched port without its rule, table and packet
    class, to count reasons of a kind together."""
    reason = re.sub(r'rule "[^"]*"', "RULE", reason)
    reason = re.sub(r"\btable \d+", "table T", reason)
    reason = re.sub(r", for .* packets$", "", reason)
    return re.sub(r"\b\d+\b", "N", reason)


def parse_show(text):
    """Returns ({A: B} of the eligible or direct directions, {switched
    OpenFlow port: reason}) from p2p/show."""
    eligible = {int(m.group(1)): int(m.group(2))
                for m in DIRECTION.finditer(text)}
    switched = {int(m.group(1)): m.group(2)
                for m in SWITCHED.finditer(text)}
    return eligible, switched


# The walk.
# =========

def rand_match(rng, table):
    parts = []
    if table == 0 or rng.random() < 0.2:
        if rng.random() < 0.9:
            parts.append("in_port=%d" % rng.choice(PORTS))
    if table > 0 and rng.random() < 0.45:
        parts.append("reg0=%d" % rng.choice(REGS))
    if table > 0 and rng.random() < 0.2:
        parts.append("metadata=0x%x" % rng.choice(METAS))
    r = rng.random()
    if r < 0.12:
        parts.append("tcp,tp_dst=%d" % rng.choice(TCP_PORTS))
    elif r < 0.18:
        parts.append("tcp6,tp_dst=%d" % rng.choice(TCP_PORTS))
    elif r < 0.36:
        parts.append(rng.choice(["ip", "ipv6", "arp"]))
    elif r < 0.44:
        parts.append(rng.choice([
            "ip,nw_frag=later", "ipv6,nw_frag=first", "ip,nw_frag=yes",
            "tcp,tcp_flags=+syn", "dl_type=0x88b5", "mpls",
            "vlan_tci=0/0x1000", "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
            "ip,nw_tos=0x10", "ip,nw_ttl=1"]))
    if rng.random() < 0.1:
        parts.append("dl_vlan=%d" % rng.choice(VIDS))
    if rng.random() < 0.1:
        parts.append("dl_src=%s" % rng.choice(MACS))
    return parts


def is_of10(line):
    return any(a in line for a in OF10_ONLY)


class Walk(object):
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.ctl = Unixctl()
        self.oracle = Oracle(self.ctl, random.Random(seed * 7919 + 1))
        self.group4 = False
        self.groups = {}        # Group id -> its buckets, as ovs-ofctl says.
        self.n_chains = 0
        self.n_conj = 0
        self.history = []       # (table, priority, match) of added rules.
        self.last = []          # The steps so far, for a failure report.
        self.n_flow_mods = 0
        self.n_steps = 0
        self.n_eligible = 0     # Eligible directions checked by the oracle.
        self.n_multitable = 0   # ...of which whose traces crossed tables.
        self.n_switched = 0     # Switched ports sampled.
        self.n_switched_one = 0  # ...whose traces all agreed on 1 output.
        self.one_reasons = {}   # Their reasons, by kind: count.

    # Actions.

    def rand_actions(self, table):
        rng = self.rng
        if rng.random() < 0.06:
            return "drop"
        if rng.random() < 0.05:
            acts = [rng.choice(OF10_ONLY), "output:%d" % rng.choice(PORTS)]
            if table < 4 and rng.random() < 0.3:
                acts.append("resubmit(,%d)" % rng.randint(table + 1, 4))
            return ",".join(acts)
        acts = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            r = rng.random()
            if r < 0.38:
                acts.append("output:%d" % rng.choice(PORTS))
            elif r < 0.50 and table < 4:
                acts.append("resubmit(,%d)" % rng.randint(table + 1, 4))
            elif r < 0.60:
                acts.append("set_field:%d->reg0" % rng.choice(REGS))
            elif r < 0.66:
                acts.append("group:%d" % rng.choice(
                    GROUPS + ([4] if self.group4 else [])))
            elif r < 0.71:
                acts.append("mod_vlan_vid:%d" % rng.choice(VIDS + [7]))
            elif r < 0.76:
                acts.append("note:%02x" % rng.randrange(256))
            elif r < 0.80:
                acts.append("NORMAL")
            elif r < 0.83:
                acts.append("controller")
            elif r < 0.85:
                acts.append("learn(table=4,priority=9,hard_timeout=30,"
                            "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],"
                            "output:NXM_OF_IN_PORT[])")
            elif r < 0.87:
                acts.append("IN_PORT")
            elif r < 0.95:
                # Actions that are no-ops for some packets only.
                acts.append(rng.choice(SUBTLE).format(
                    p=rng.choice(PORTS)))
        if table < 4 and rng.random() < 0.1:
            acts.append("write_metadata:0x%x" % rng.choice(METAS))
        if table < 4 and rng.random() < 0.3:
            acts.append("goto_table:%d" % rng.randint(table + 1, 4))
        return ",".join(acts) or "drop"

    def rand_rule(self):
        """Returns (table, priority, match parts) of a random rule."""
        rng = self.rng
        table = rng.choice([0, 0, 1, 2, 3, 4])
        match = rand_match(rng, table)
        if table == 0 and not any(m.startswith("in_port") for m in match):
            # A rule of table 0 that may match any port hides every link
            # below it: keep most of them low, so that links come and go.
            prio = rng.choice([0] * 8 + [1, 100])
        else:
            prio = rng.choice([0, 1, 5, 10, 100, 1000, 40000])
        return table, prio, match

    def spec(self, table, prio, match, extra=()):
        return ",".join(["table=%d" % table, "priority=%d" % prio]
                        + list(match) + list(extra))

    def rand_flow_mod(self):
        """Returns one random flow_mod in ovs-ofctl add-flows syntax."""
        rng = self.rng
        cmd = rng.choice(["add"] * 4 + ["modify", "modify_strict",
                                        "delete", "delete_strict"])
        if cmd != "add" and self.history and rng.random() < 0.7:
            table, prio, match = rng.choice(self.history)
        else:
            table, prio, match = self.rand_rule()
        if cmd == "add":
            extra = []
            if rng.random() < 0.06:
                extra.append("hard_timeout=%d" % rng.randint(1, 3))
            self.history.append((table, prio, match))
            return "add %s,actions=%s" % (self.spec(table, prio, match, extra),
                                          self.rand_actions(table))
        if cmd == "modify":
            return "modify %s,actions=%s" % (
                ",".join(["table=%d" % table] + match),
                self.rand_actions(table))
        if cmd == "modify_strict":
            return "modify_strict %s,actions=%s" % (
                self.spec(table, prio, match), self.rand_actions(table))
        if cmd == "delete":
            return "delete %s" % ",".join(["table=%d" % table] + match)
        return "delete_strict %s" % self.spec(table, prio, match)

    def chain(self):
        """Returns the flow_mods of a pipeline that takes one port through
        one to four tables to one output, which is a link unless other
        rules get in its way."""
        rng = self.rng
        a = rng.choice(PORTS)
        b = rng.choice([p for p in PORTS if p != a])
        tables = [0] + sorted(rng.sample([1, 2, 3, 4], rng.randint(0, 3)))
        self.n_chains += 1
        cookie = "cookie=0x%x" % (0xc000 + self.n_chains)
        prio = rng.choice([100, 200, 1000])
        lines = []
        match = ["in_port=%d" % a]
        for i, t in enumerate(tables):
            acts = []
            if rng.random() < 0.1:
                acts.append("note:%02x" % rng.randrange(256))
            if i == len(tables) - 1:
                if rng.random() < 0.15:
                    acts.append("group:%d" % rng.choice(GROUPS))
                else:
                    acts.append("output:%d" % b)
                nextmatch = []
            else:
                # How the next table recognizes the port's packets.
                glue = rng.choice(["reg0", "metadata", "in_port", "none"])
                goto = "goto_table:%d" % tables[i + 1]
                resubmit = "resubmit(,%d)" % tables[i + 1]
                if glue == "reg0":
                    v = rng.choice(REGS)
                    acts.append("set_field:%d->reg0" % v)
                    nextmatch = ["reg0=%d" % v]
                elif glue == "metadata":
                    # An instruction, applied after the apply-actions: a
                    # resubmit would not see it.
                    v = rng.choice(METAS)
                    acts.append("write_metadata:0x%x" % v)
                    nextmatch = ["metadata=0x%x" % v]
                    resubmit = goto
                elif glue == "in_port":
                    nextmatch = ["in_port=%d" % a]
                else:
                    nextmatch = []
                acts.append(rng.choice([goto, resubmit]))
            if rng.random() < 0.15:
                lines += self.conjunction(cookie, t, prio, match, acts)
            else:
                self.history.append((t, prio, match))
                lines.append("add %s,%s,actions=%s"
                             % (cookie, self.spec(t, prio, match),
                                ",".join(acts)))
            match = nextmatch
        return lines

    def conjunction(self, cookie, table, prio, match, acts):
        """Returns the flow_mods of a conjunctive match in 'table', of
        'match' and of a second dimension, with 'acts' as its actions.  The
        second dimension is reg1=0, which every packet of a chain matches,
        or sometimes IP and IPv6 only, which makes it a near miss."""
        self.n_conj += 1
        cid = self.n_conj
        lines = ["add %s,%s,actions=conjunction(%d,1/2)"
                 % (cookie, self.spec(table, prio, match), cid)]
        if self.rng.random() < 0.7:
            dim2 = [["reg1=0"]]
        else:
            dim2 = [["ip"], ["ipv6"]]
        for m in dim2:
            lines.append("add %s,%s,actions=conjunction(%d,2/2)"
                         % (cookie, self.spec(table, prio, m), cid))
        lines.append("add %s,%s,actions=%s"
                     % (cookie, self.spec(table, prio, ["conj_id=%d" % cid]),
                        ",".join(acts)))
        return lines

    # Steps.

    def send(self, lines, bundle):
        of10 = [x for x in lines if is_of10(x)]
        lines = [x for x in lines if not is_of10(x)]
        what = []
        if lines:
            with open("pipeline-flows.txt", "w") as f:
                f.write("\n".join(lines) + "\n")
            args = OFCTL + (["--bundle"] if bundle else [])
            run(args + ["add-flows", "br0", "pipeline-flows.txt"])
            self.n_flow_mods += len(lines)
            what.append("%s of %d flow_mods:\n  %s" % (
                "bundle" if bundle else "batch", len(lines),
                "\n  ".join(lines)))
        what += [self.single(x) for x in of10]
        return "\n".join(what)

    def single(self, line):
        cmd, spec = line.split(" ", 1)
        verb = {"add": "add-flow", "modify": "mod-flows",
                "modify_strict": "mod-flows", "delete": "del-flows",
                "delete_strict": "del-flows"}[cmd]
        args = ((["ovs-ofctl", "-O", "OpenFlow10"] if is_of10(line)
                 else OFCTL)
                + (["--strict"] if cmd.endswith("_strict") else []))
        run(args + [verb, "br0", spec])
        self.n_flow_mods += 1
        return line + (" (OpenFlow 1.0)" if is_of10(line) else "")

    def rand_bucket(self):
        rng = self.rng
        r = rng.random()
        if r < 0.6:
            return "bucket=output:%d" % rng.choice(PORTS)
        if r < 0.7:
            return "bucket=mod_vlan_vid:7,output:%d" % rng.choice(PORTS)
        if r < 0.8:
            return "bucket=output:%d,bucket=output:%d" % (
                rng.choice(PORTS), rng.choice(PORTS))
        if r < 0.9:
            return "bucket=set_field:5->reg0,resubmit(,4)"
        return ""

    def group_step(self):
        rng = self.rng
        if rng.random() < 0.2:
            if self.group4:
                self.group4 = False
                run(OFCTL + ["del-groups", "br0", "group_id=4"])
                return "del-groups group_id=4"
            self.group4 = True
            spec = "group_id=4,type=all,%s" % self.rand_bucket()
            run(OFCTL + ["add-group", "br0", spec.rstrip(",")])
            return "add-group " + spec
        g = rng.choice(GROUPS + ([4] if self.group4 else []))
        spec = "group_id=%d,type=all,%s" % (g, self.rand_bucket())
        run(OFCTL + ["mod-group", "br0", spec.rstrip(",")])
        return "mod-group " + spec

    def port_mod(self):
        port = self.rng.choice(PORTS)
        what = self.rng.choice(["no-forward", "down", "no-receive"]
                               + ["forward", "up", "receive"] * 3)
        run(["ovs-ofctl", "mod-port", "br0", "p%d" % port, what])
        return "mod-port p%d %s" % (port, what)

    def step(self):
        rng = self.rng
        r = rng.random()
        if r < 0.28:
            lines = self.chain()
            if rng.random() < 0.3:
                lines += [self.rand_flow_mod()
                          for _ in range(rng.randint(1, 3))]
            what = self.send(lines, bundle=rng.random() < 0.8)
        elif r < 0.45:
            what = self.send([self.rand_flow_mod()
                              for _ in range(rng.randint(1, 10))],
                             bundle=rng.random() < 0.6)
        elif r < 0.70:
            what = self.single(self.rand_flow_mod())
        elif r < 0.75 and self.n_chains:
            c = rng.randint(max(1, self.n_chains - 5), self.n_chains)
            what = self.single("delete cookie=0x%x/-1" % (0xc000 + c))
        elif r < 0.83:
            what = self.group_step()
        elif r < 0.88:
            what = self.port_mod()
        elif r < 0.92:
            run(["ovs-appctl", "time/warp", "1000"])
            what = "time/warp 1000"
        elif r < 0.95:
            limit = rng.choice([0, 1, 2])
            run(["ovs-vsctl", "set", "Open_vSwitch", ".",
                 "other_config:vlan-limit=%d" % limit])
            what = "other_config:vlan-limit=%d" % limit
        else:
            what = self.single(self.rand_flow_mod())
        self.n_steps += 1
        self.last = (self.last + [what])[-5:]
        with open("pipeline-steps.log", "a") as f:
            f.write("step %d: %s\n" % (self.n_steps, what))
        self.check(what)
        if self.n_steps % 10 == 0:
            n = self.n_rules()
            if n > MAX_RULES:
                run(OFCTL + ["del-flows", "br0"])
                self.history = []
                self.last = (self.last + ["del-flows (%d rules)" % n])[-5:]
                self.check("del-flows")

    def n_rules(self):
        out = run(OFCTL + ["dump-aggregate", "br0"]).stdout
        return int(re.search(r"flow_count=(\d+)", out).group(1))

    # Checks.

    def fail(self, what, detail):
        sys.stderr.write("step %d failed: %s\n%s\n" % (self.n_steps, what,
                                                       detail))
        sys.stderr.write("the last steps:\n  %s\n" % "\n  ".join(self.last))
        for args in (OFCTL + ["dump-flows", "br0", "--no-stats"],
                     OFCTL + ["dump-groups", "br0"],
                     ["ovs-ofctl", "show", "br0"],
                     ["ovs-appctl", "p2p/show", "br0"]):
            p = run(args, check=False)
            sys.stderr.write("$ %s\n%s%s" % (" ".join(args), p.stdout,
                                             p.stderr))
        sys.exit(1)

    def check(self, what):
        ok, text = self.ctl.call("p2p/check")
        if not ok:
            self.fail(what, "p2p/check:\n" + text)
        ok, show = self.ctl.call("p2p/show", "br0")
        if not ok:
            self.fail(what, "p2p/show br0:\n" + show)
        eligible, switched = parse_show(show)
        self.oracle.read_ports()
        for a, b in sorted(eligible.items()):
            self.n_eligible += 1
            bad = self.oracle.check_direction(a, b, N_TRACES_ELIGIBLE)
            if bad:
                self.fail(what, "p2p/show says %d -> %d is a link, but this "
                          "packet (datapath port %d in, %d expected out) is "
                          "not:\n$ ovs-appctl ofproto/trace '%s'\n%s"
                          % (a, b, self.oracle.dp[a], self.oracle.dp[b],
                             bad[0], bad[1]))
            # Whether the link crossed more than table 0.
            flow, _ = rand_packet(self.oracle.rng, self.oracle.dp[a])
            _, text = self.oracle.trace(flow)
            if re.search(r"^ *[1-4]\. ", text, re.M):
                self.n_multitable += 1
        for a, reason in sorted(switched.items()):
            if a in self.oracle.dp and a in PORTS:
                self.n_switched += 1
                if self.oracle.one_output(a, N_TRACES_SWITCHED):
                    self.n_switched_one += 1
                    kind = reason_kind(reason)
                    self.one_reasons[kind] = self.one_reasons.get(kind, 0) + 1


def selftest():
    """The oracle must reject a pipeline that is not a link and accept one
    that is."""
    ctl = Unixctl()
    oracle = Oracle(ctl, random.Random(1))
    oracle.read_ports()
    flows = ["table=0,in_port=1,actions=set_field:5->reg0,goto_table:2",
             "table=2,priority=10,reg0=5,tcp,tp_dst=80,actions=output:3",
             "table=2,priority=5,reg0=5,actions=output:2"]
    for f in flows:
        run(OFCTL + ["add-flow", "br0", f])
    # About 1 packet in 60 is TCP to port 80 that OVS parses as TCP.
    bad = oracle.check_direction(1, 2, 1000)
    if not bad:
        sys.stderr.write("oracle accepted a tcp_dst split as a link\n")
        sys.exit(1)
    print("oracle rejects 1 -> 2 with a tcp_dst=80 split: packet %s"
          % bad[0])
    bad = oracle.check_direction(1, 3, 200)
    if not bad:
        sys.stderr.write("oracle accepted the wrong output port\n")
        sys.exit(1)
    print("oracle rejects 1 -> 3 (the wrong port)")
    run(OFCTL + ["del-flows", "br0", "table=2,tcp"])
    bad = oracle.check_direction(1, 2, 200)
    if bad:
        sys.stderr.write("oracle rejected a link: %s\n%s\n" % bad)
        sys.exit(1)
    print("oracle accepts 1 -> 2 through tables 0 and 2 (%d traces)"
          % oracle.n_traces)
    run(OFCTL + ["del-flows", "br0"])


def main():
    if sys.argv[1:] == ["--selftest"]:
        selftest()
        return
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    seed, steps = int(sys.argv[1]), int(sys.argv[2])
    run(OFCTL + ["del-flows", "br0"])
    run(OFCTL + ["del-groups", "br0"])
    for g in GROUPS:
        run(OFCTL + ["add-group", "br0",
                     "group_id=%d,type=all,bucket=output:%d" % (g, g)])
    walk = Walk(seed)
    for _ in range(steps):
        walk.step()
    print("seed %d: %d steps, %d flow_mods, %d chains, p2p/check passed "
          "after each" % (seed, walk.n_steps, walk.n_flow_mods,
                          walk.n_chains))
    print("oracle: %d traces, %d eligible directions confirmed (%d through "
          "several tables)" % (walk.oracle.n_traces, walk.n_eligible,
                               walk.n_multitable))
    print("switched ports sampled: %d, every trace one same output: %d"
          % (walk.n_switched, walk.n_switched_one))
    for kind, n in sorted(walk.one_reasons.items(), key=lambda x: -x[1])[:8]:
        print("  %5d %s" % (n, kind))
    run(OFCTL + ["del-groups", "br0"])


if __name__ == "__main__":
    main()
