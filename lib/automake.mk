# ovs-p2p sources in lib/ (included from p2p.mk).
