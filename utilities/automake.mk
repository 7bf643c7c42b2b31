# ovs-p2p sources in utilities/ (included from p2p.mk).
