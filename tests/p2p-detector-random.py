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

"""Random walk over everything the p2p-link detector reacts to.

usage: p2p-detector-random.py SEED STEPS

Drives the ovs-vswitchd of the current test (bridge br0, dummy ports
p1...p4, time stopped) through STEPS random steps: batches of flow_mods
sent as one bundle or one by one, single flow_mods, port-mods, time warps
that expire rules, ports added, deleted and renumbered, and changes to the
off switches, mirrors, sFlow, QoS and policing.  After every step it runs
'ovs-appctl p2p/check', which recomputes every verdict from scratch and
compares it with the detector's incremental state; the first mismatch
stops the walk with the step that caused it.  Prints a summary line.
"""

import random
import subprocess
import sys

PORTS = [1, 2, 3, 4, 5]          # p5 comes and goes.
PRIORITIES = [0, 1, 5, 10, 100, 32768, 65535]
EXTRA = [""] * 12 + ["ip", "tcp,tp_dst=80", "dl_vlan=5", "arp"]
ACTIONS = ["output:%d"] * 14 + ["drop",
           "NORMAL", "output:1,output:2", "note:01,output:%d", "IN_PORT",
           "mod_vlan_vid:3,output:%d", "resubmit(,1)", "LOCAL",
           "output:9"]


def run(args, check=True):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if check and p.returncode:
        sys.stderr.write("command failed: %s\n%s%s" % (" ".join(args),
                                                       p.stdout, p.stderr))
        sys.exit(1)
    return p


def rand_match(rng, strict_ok=True):
    parts = []
    if rng.random() < 0.15:
        parts.append("table=1")
    if rng.random() < 0.96:
        parts.append("in_port=%d" % rng.choice(PORTS))
    extra = rng.choice(EXTRA)
    if extra:
        parts.append(extra)
    return parts


def rand_actions(rng):
    a = rng.choice(ACTIONS)
    return a % rng.choice(PORTS) if "%d" in a else a


def rand_flow_mod(rng):
    """Returns one flow_mod line in ovs-ofctl add-flows file syntax."""
    cmd = rng.choice(["add", "add", "add", "modify", "modify_strict",
                      "delete", "delete_strict"])
    match = rand_match(rng)
    if not any(m.startswith("in_port") for m in match):
        # Rules with wildcarded in_port hide every link above them: keep
        # most of them low, so that links come and go.
        prio = "priority=%d" % rng.choice([0] * 12 + [1, 100])
    elif len(match) > 1 and rng.random() < 0.8:
        # So are more specific rules, or they would shadow most links.
        prio = "priority=%d" % rng.choice([0, 1, 5])
    else:
        prio = "priority=%d" % rng.choice(PRIORITIES[1:])
    if cmd == "delete" and rng.random() < 0.1:
        return "delete"
    if cmd == "add":
        fields = [prio] + match
        if rng.random() < 0.1:
            fields.append("idle_timeout=%d" % rng.randint(1, 5))
        if rng.random() < 0.1:
            fields.append("hard_timeout=%d" % rng.randint(1, 5))
        return "add %s,actions=%s" % (",".join(fields), rand_actions(rng))
    elif cmd in ("modify", "modify_strict"):
        fields = ([prio] if cmd == "modify_strict" else []) + match
        return "%s %s,actions=%s" % (cmd, ",".join(fields) or "priority=0",
                                     rand_actions(rng))
    else:
        fields = ([prio] if cmd == "delete_strict" else []) + match
        if not fields:
            fields = ["in_port=%d" % rng.choice(PORTS)]
        return "%s %s" % (cmd, ",".join(fields))


class Walk(object):
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.p5 = False
        self.n_flow_mods = 0
        self.n_steps = 0
        self.n_eligible = 0

    def flow_batch(self, bundle):
        n = self.rng.randint(1, 40)
        lines = [rand_flow_mod(self.rng) for _ in range(n)]
        with open("random-flows.txt", "w") as f:
            f.write("\n".join(lines) + "\n")
        args = ["ovs-ofctl", "-O", "OpenFlow14"]
        if bundle:
            args.append("--bundle")
        run(args + ["add-flows", "br0", "random-flows.txt"])
        self.n_flow_mods += n
        return "%s of %d flow_mods:\n  %s" % (
            "bundle" if bundle else "batch", n, "\n  ".join(lines))

    def single_flow_mod(self):
        line = rand_flow_mod(self.rng)
        cmd, spec = (line + " ").split(" ", 1)
        verb = {"add": "add-flow", "modify": "mod-flows",
                "modify_strict": "mod-flows", "delete": "del-flows",
                "delete_strict": "del-flows"}[cmd]
        args = ["ovs-ofctl", "-O", "OpenFlow14"]
        if cmd.endswith("_strict"):
            args.append("--strict")
        run(args + [verb, "br0"] + ([spec.strip()] if spec.strip() else []))
        self.n_flow_mods += 1
        return line

    def port_mod(self):
        port = self.rng.choice([1, 2, 3, 4] + ([5] if self.p5 else []))
        what = self.rng.choice(["no-receive", "no-forward", "down"]
                               + ["receive", "forward", "up"] * 2)
        run(["ovs-ofctl", "mod-port", "br0", "p%d" % port, what])
        return "mod-port p%d %s" % (port, what)

    def warp(self):
        run(["ovs-appctl", "time/warp", "1000"])
        return "time/warp 1000"

    def vsctl(self, *args):
        run(["ovs-vsctl"] + list(args))
        return "ovs-vsctl " + " ".join(args)

    def blocker(self, what, on, off):
        """Applies configuration 'on', checks, changes flows while it is on,
        checks, and reverts it with 'off'."""
        self.vsctl(*on)
        self.check(what + " on")
        self.flow_batch(bundle=self.rng.random() < 0.5)
        self.check("flow_mods while " + what + " on")
        self.vsctl(*off)
        return what + " on and off"

    def config(self):
        rng = self.rng
        port = "p%d" % rng.randint(1, 4)
        choice = rng.randint(0, 10)
        if choice == 0:
            if self.p5:
                self.p5 = False
                return self.vsctl("--if-exists", "del-port", "p5")
            self.p5 = True
            return self.vsctl("--may-exist", "add-port", "br0", "p5",
                              "--", "set", "Interface", "p5", "type=dummy",
                              "ofport_request=5")
        elif choice == 1 and self.p5:
            return self.vsctl("set", "Interface", "p5", "ofport_request=%d"
                              % rng.choice([5, 6]))
        elif choice == 2:
            return self.blocker(
                "global off switch",
                ["set", "Open_vSwitch", ".", "other_config:p2p-enable=false"],
                ["remove", "Open_vSwitch", ".", "other_config", "p2p-enable"])
        elif choice == 3:
            return self.blocker(
                "bridge off switch",
                ["set", "Bridge", "br0", "other_config:p2p-enable=false"],
                ["set", "Bridge", "br0", "other_config:p2p-enable=true"])
        elif choice == 4:
            return self.blocker(
                "interface off switch",
                ["set", "Interface", port, "other_config:p2p-enable=false"],
                ["remove", "Interface", port, "other_config", "p2p-enable"])
        elif choice == 5:
            return self.blocker(
                "policing",
                ["set", "Interface", port, "ingress_policing_rate=1000"],
                ["set", "Interface", port, "ingress_policing_rate=0"])
        elif choice == 6:
            return self.blocker(
                "QoS",
                ["--", "set", "Port", port, "qos=@q", "--", "--id=@q",
                 "create", "QoS", "type=linux-htb"],
                ["clear", "Port", port, "qos"])
        elif choice == 7:
            sel = rng.choice(["select-src-port", "select-dst-port"])
            return self.blocker(
                "mirror",
                ["--", "--id=@p", "get", "Port", port, "--", "--id=@m",
                 "create", "Mirror", "name=m", "%s=@p" % sel, "--", "set",
                 "Bridge", "br0", "mirrors=@m"],
                ["clear", "Bridge", "br0", "mirrors"])
        elif choice == 8:
            return self.blocker(
                "STP",
                ["set", "Bridge", "br0", "stp_enable=true"],
                ["set", "Bridge", "br0", "stp_enable=false"])
        elif choice == 9:
            return self.blocker(
                "NetFlow",
                ["--", "set", "Bridge", "br0", "netflow=@n", "--", "--id=@n",
                 "create", "NetFlow", 'targets="127.0.0.1:5566"'],
                ["clear", "Bridge", "br0", "netflow"])
        else:
            return self.port_mod()

    def check(self, what):
        p = run(["ovs-appctl", "p2p/check"], check=False)
        if p.returncode:
            sys.stderr.write("p2p/check failed after step %d: %s\n%s%s"
                             % (self.n_steps, what, p.stdout, p.stderr))
            run(["ovs-appctl", "p2p/show"], check=False)
            sys.exit(1)

    def step(self):
        r = self.rng.random()
        if r < 0.30:
            what = self.flow_batch(bundle=True)
        elif r < 0.45:
            what = self.flow_batch(bundle=False)
        elif r < 0.75:
            what = self.single_flow_mod()
        elif r < 0.83:
            what = self.port_mod()
        elif r < 0.90:
            what = self.warp()
        else:
            what = self.config()
        self.n_steps += 1
        self.check(what)
        if self.n_steps % 4 == 0:
            show = run(["ovs-appctl", "p2p/show", "br0"]).stdout
            self.n_eligible += show.count(": eligible")
            with open("random-show.log", "a") as f:
                f.write(show)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    seed, steps = int(sys.argv[1]), int(sys.argv[2])
    walk = Walk(seed)
    for _ in range(steps):
        walk.step()
    print("seed %d: %d steps, %d flow_mods, p2p/check passed after each"
          % (seed, walk.n_steps, walk.n_flow_mods))
    print("eligible directions seen: %d" % walk.n_eligible)


if __name__ == "__main__":
    main()
