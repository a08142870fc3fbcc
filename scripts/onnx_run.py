#!/usr/bin/env python3
"""Runs an ONNX model in ONNX Runtime, for the export tests (Tests/ExportTests) and by hand.

    .venv-onnx/bin/python scripts/onnx_run.py MODEL.onnx --output-dir DIR [--input FILE ...] [--check]

Each --input is a batch for the model's only input: a .npy file, or raw little-endian
float32 values (C*H*W of them per image; the batch size follows from the file's length and
the model's static C, H, W). For input k, DIR/output-k.f32 receives the first output as raw
little-endian float32. DIR/info.json describes the model (IR version, opsets, producer,
metadata_props, inputs and outputs with their dimensions: a symbolic one as its name, a
fixed one as a number) and each run (batch size, output shape). --check first runs
onnx.checker.check_model with full_check (which includes ONNX's shape inference).
scripts/install-onnx-venv makes the venv (onnxruntime, onnx, numpy).
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort


def dims(value_info):
    shape = value_info.type.tensor_type.shape
    return [d.dim_param if d.HasField("dim_param") else d.dim_value for d in shape.dim]


def read_batch(path, image_shape):
    if path.endswith(".npy"):
        return np.load(path).astype(np.float32)
    flat = np.fromfile(path, dtype="<f4")
    per_image = int(np.prod(image_shape))
    if flat.size == 0 or flat.size % per_image != 0:
        sys.exit(f"{path}: {flat.size} floats is not a whole number of images of {per_image} floats")
    return flat.reshape((flat.size // per_image,) + tuple(image_shape))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--input", action="append", default=[], help="a .npy or raw float32 file (repeatable)")
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--check", action="store_true", help="run onnx.checker.check_model(full_check=True) first")
    args = parser.parse_args()

    model = onnx.load(args.model)
    if args.check:
        onnx.checker.check_model(model, full_check=True)
    inputs = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    info = {
        "ir_version": model.ir_version,
        "opset": [{"domain": o.domain, "version": o.version} for o in model.opset_import],
        "producer": model.producer_name,
        "metadata": {p.key: p.value for p in model.metadata_props},
        "inputs": [{"name": i.name, "dims": dims(i), "elem_type": i.type.tensor_type.elem_type} for i in inputs],
        "outputs": [{"name": o.name, "dims": dims(o), "elem_type": o.type.tensor_type.elem_type} for o in model.graph.output],
        "checked": bool(args.check),
        "runs": [],
    }
    if len(inputs) != 1:
        sys.exit(f"{args.model}: expected one input, found {len(inputs)}")
    image_shape = dims(inputs[0])[1:]
    if not all(isinstance(d, int) and d > 0 for d in image_shape):
        sys.exit(f"{args.model}: the input's dimensions after the batch must be fixed, found {image_shape}")

    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    os.makedirs(args.output_dir, exist_ok=True)
    for k, path in enumerate(args.input):
        batch = read_batch(path, image_shape)
        (out,) = session.run([model.graph.output[0].name], {inputs[0].name: batch})[:1]
        out = np.ascontiguousarray(out, dtype="<f4")
        out.tofile(os.path.join(args.output_dir, f"output-{k}.f32"))
        info["runs"].append({"input": path, "batch": int(batch.shape[0]), "output_shape": list(out.shape)})
    with open(os.path.join(args.output_dir, "info.json"), "w") as f:
        json.dump(info, f, indent=1)

if __name__ == "__main__":
    main()
