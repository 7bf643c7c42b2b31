# ovs-p2p guest-side drivers (included from p2p.mk).
