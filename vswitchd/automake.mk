# ovs-p2p sources in vswitchd/ (included from p2p.mk).
