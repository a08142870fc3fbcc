"""Draws time-to-accuracy curves: validation accuracy against wall-clock seconds, one line per
system, from bench/time_to_accuracy.py's results.json. Run in the `plot` venv (matplotlib).

  python tta_plot.py RESULTS.json OUT.svg|OUT.png
"""
import json
import os
import sys

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {'imgclf': '#d62728', 'imgclf-bf16': '#ff7f0e', 'mx': '#1f77b4', 'pt': '#7f7f7f',
           'pt-cl': '#2ca02c', 'pt-bf16': '#9467bd'}
LABELS = {'imgclf': 'imgclf (float32)', 'imgclf-bf16': 'imgclf (bf16)', 'mx': 'MXNet 1.9.1',
          'pt': 'PyTorch (NCHW)', 'pt-cl': 'PyTorch (channels-last)', 'pt-bf16': 'PyTorch (channels-last, bf16)'}


def main(results_path, out):
    saved = json.load(open(results_path))
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for r in saved['results']:
        if not r['curve']:
            continue
        xs = [0] + [c['seconds'] for c in r['curve']]
        ys = [None] + [100 * c['val_acc'] for c in r['curve']]
        ax.plot(xs[1:], ys[1:], marker='o', markersize=3, color=COLOURS.get(r['system']),
                label='%s: %.1f%% in %.0f s' % (LABELS.get(r['system'], r['system']), ys[-1], r['seconds']))
        ax.axvline(r['seconds'], color=COLOURS.get(r['system']), linestyle=':', linewidth=0.8)
    ax.set_xlabel('wall-clock seconds since start (dotted: model written)')
    ax.set_ylabel('validation accuracy (%)')
    ax.set_xlim(left=0)
    ax.grid(True, alpha=0.3)
    ax.legend(loc='lower right', fontsize=9)
    ax.set_title(saved['config'], fontsize=8, wrap=True)
    fig.tight_layout()
    tmp = out + '.tmp' + os.path.splitext(out)[1]
    fig.savefig(tmp, metadata={'Date': None} if out.endswith('.svg') else None)
    os.replace(tmp, out)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
