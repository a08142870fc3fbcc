#!/usr/bin/env python3
"""Reads the scalars of the TensorBoard event files in one folder, the way TensorBoard does.

    .venv-report/bin/python scripts/read_tensorboard.py DIR

Prints one JSON object: {"tags": [...], "scalars": {"tag": [[step, value, wall_time], ...]}}.
Only DIR itself is read (not run subfolders). Exit 2 with a message when DIR is no folder.
Installed by scripts/install-report-tools.
"""
import json
import math
import os
import sys


def main(argv):
    if len(argv) != 2:
        print("usage: read_tensorboard.py DIR", file=sys.stderr)
        return 2
    folder = argv[1]
    if not os.path.isdir(folder):
        print(f"read_tensorboard.py: {folder}: not a folder", file=sys.stderr)
        return 2
    from tensorboard.backend.event_processing import event_accumulator

    acc = event_accumulator.EventAccumulator(folder, size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    tags = sorted(acc.Tags().get("scalars", []))

    def finite(v):
        # JSON has no NaN: keep it readable by every parser.
        return v if math.isfinite(v) else None

    scalars = {tag: [[e.step, finite(e.value), e.wall_time] for e in acc.Scalars(tag)] for tag in tags}
    print(json.dumps({"tags": tags, "scalars": scalars}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
