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

"""The benchmarks' plots, as PNG files (matplotlib, Debian's
python3-matplotlib, with the Agg backend: no display needed).

Every function takes plain data (lists, dicts, numbers) and a file name,
writes the file and returns its name; none runs or parses anything, so
that a benchmark can plot from what it just measured or from the JSON
file of an earlier run.  They raise PlotError when matplotlib is missing.
"""

import os


class PlotError(Exception):
    pass


def _pyplot():
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotError('matplotlib missing (apt-get install '
                        'python3-matplotlib; run with /usr/bin/python3)')
    return plt


def _save(plt, fig, path):
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def throughput_vs_size(path, series, title,
                       ylabel='million packets per second'):
    """Writes a plot of throughput against packet size, one line per entry
    of 'series', on a log y axis, into 'path'.

    Each entry of 'series' is a dict: 'label'; 'sizes' (bytes); 'median'
    (the values at those sizes); optionally 'min' and 'max' (drawn as
    error bars: the spread over rounds) and 'style' ('dashed' for a
    reference such as a ceiling, 'dotted' for a second measure of a
    kind).  A missing or non-positive value leaves
    its point out."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    sizes = set()
    # Distinct markers, so that lines that coincide stay visible.
    markers = 'os^Dvx<>'
    for i, s in enumerate(series):
        pts = [(x, m, lo, hi) for x, m, lo, hi
               in zip(s['sizes'], s['median'],
                      s.get('min') or s['median'],
                      s.get('max') or s['median'])
               if m is not None and m > 0]
        if not pts:
            continue
        xs, ms, los, his = zip(*pts)
        sizes.update(xs)
        style = {'dashed': '--', 'dotted': ':'}.get(s.get('style'), '-')
        ax.errorbar(xs, ms,
                    yerr=[[m - lo for m, lo in zip(ms, los)],
                          [hi - m for m, hi in zip(ms, his)]],
                    linestyle=style, marker=markers[i % len(markers)],
                    markersize=5, markerfacecolor='none', capsize=3,
                    label=s['label'])
    ax.set_yscale('log')
    ax.set_xlabel('packet size (bytes)')
    ax.set_ylabel(ylabel)
    if sizes:
        ax.set_xticks(sorted(sizes))
    ax.set_title(title, fontsize=10)
    ax.grid(True, which='both', alpha=0.3)
    ax.legend(fontsize=8)
    return _save(plt, fig, path)


def latency_cdf(path, series, title, xlabel='time (ms)', limit=None,
                limit_label=None):
    """Writes the empirical CDFs of 'series' on a log x axis into 'path'.

    'series' is a list of (label, values) or (label, values, style): one
    curve per entry, values in the unit of 'xlabel' (non-positive values
    are left out: a log axis cannot show them); 'style' is a dict of
    matplotlib line properties, e.g. {'color': 'C0', 'linestyle': '--'}.
    'limit', if given, draws a vertical line there, labelled
    'limit_label' (e.g. a goal)."""
    plt = _pyplot()
    from matplotlib.ticker import FormatStrFormatter
    fig, ax = plt.subplots(figsize=(8, 5))
    for entry in series:
        label, values = entry[:2]
        style = entry[2] if len(entry) > 2 else {}
        xs = sorted(v for v in values if v > 0)
        if not xs:
            continue
        n = len(xs)
        ax.step(xs, [(i + 1) / n for i in range(n)], where='post',
                label='%s (n=%d)' % (label, n), **style)
    if limit is not None:
        ax.axvline(limit, color='black', linestyle=':', linewidth=1,
                   label=limit_label)
    ax.set_xscale('log')
    ax.xaxis.set_major_formatter(FormatStrFormatter('%g'))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel('fraction of measurements <= x')
    ax.set_title(title, fontsize=10)
    ax.grid(True, which='both', alpha=0.3)
    ax.legend(fontsize=8, loc='lower right')
    return _save(plt, fig, path)


def is_png(path):
    """True if 'path' is a non-empty file that starts as a PNG does."""
    try:
        with open(path, 'rb') as f:
            return f.read(8) == b'\x89PNG\r\n\x1a\n'
    except OSError:
        return False


def plot_chains(results, path):
    """Writes the figures of chains of N VNFs into 'path': 'results' is
    what ovs_p2p_bench.chain.run() returns (or its JSON file).  Two panels
    against the chain length N, one line per mode, the medians over the
    rounds with bars from the lowest to the highest round: the CPU cycles
    of every thread per packet at the sink per hop, and the packets per
    second at the sink."""
    plt = _pyplot()
    colors = {'direct': 'tab:green', 'switched': 'tab:orange',
              'vhost-user': 'tab:blue'}
    panels = (('cyc_pkt_hop', 1, 'CPU cycles per packet per hop',
               'CPU of every thread / packets at the sink / hops'),
              ('sink_pps', 1e-6, 'packets at the sink (Mpps)',
               'throughput (time-shared CPUs: indicative only)'))
    fig, axes = plt.subplots(1, len(panels), figsize=(11, 4.8))
    for ax, (key, scale, ylabel, title) in zip(axes, panels):
        for mode in results['modes']:
            rows = sorted((s for s in results['summary']
                           if s['mode'] == mode
                           and s.get(key) is not None and s[key] > 0),
                          key=lambda s: s['n'])
            if not rows:
                continue
            ns = [s['n'] for s in rows]
            ms = [s[key] * scale for s in rows]
            lo = [(s.get('min', {}).get(key) or s[key]) * scale
                  for s in rows]
            hi = [(s.get('max', {}).get(key) or s[key]) * scale
                  for s in rows]
            ax.errorbar(ns, ms,
                        yerr=[[m - x for m, x in zip(ms, lo)],
                              [x - m for m, x in zip(ms, hi)]],
                        marker='o', markersize=4, capsize=3, label=mode,
                        color=colors.get(mode))
        ax.set_xlabel('VNFs in the chain (N; N + 1 hops)')
        ax.set_xticks(results['lengths'])
        ax.set_yscale('log')
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9)
        ax.grid(True, which='both', alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle('Chains of N testpmd VNFs, %d B packets, %s; medians of '
                 '%d round(s)' % (results['size'], results['machine'],
                                  results['rounds']), fontsize=10)
    return _save(plt, fig, path)
