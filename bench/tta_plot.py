"""Draws bench/time_to_accuracy.py's curves with matplotlib (bench/peers/tta_plot.py, in the
`plot` venv that bench/peers/install.sh makes)."""
import json
import os
import tempfile
import types

import benchlib


def write_svg(results, config, out):
    benchlib.ensure_peers(types.SimpleNamespace(no_install=False), 'plot')
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        json.dump({'config': config, 'results': results}, f)
    try:
        benchlib.run([benchlib.peer_python('plot'), benchlib.peer_script('tta_plot.py'), f.name, out])
    finally:
        os.unlink(f.name)
