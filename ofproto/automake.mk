# ovs-p2p sources in ofproto/ (included from p2p.mk).
