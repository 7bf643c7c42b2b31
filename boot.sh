#! /bin/sh
# Generates configure and Makefile.in of the outer ovs-p2p build.
set -e
autoreconf --install --force
