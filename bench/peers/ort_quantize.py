"""ONNX Runtime's own static int8 quantization of an ONNX model, for the int8 comparison.

    python ort_quantize.py MODEL.onnx OUT.onnx [CALIBRATION_BATCHES] [BATCH]   (the ort venv)

`onnxruntime.quantization.quantize_static` in QDQ format, per-channel s8 weights, u8
activations, MinMax calibration (the plain maximum, as `imgclf quantize` uses) on the same
raw-range random batches `ort_bench.py` and `imgclf benchmark` time (calibration data does
not change the speed). The model is pre-processed first (`quant_pre_process`: shape
inference and ORT's graph optimisations), as ONNX Runtime's documentation asks. Prints one
JSON line with the output path.
"""
import json
import sys

import numpy as np
import onnx
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      quantize_static)
from onnxruntime.quantization.shape_inference import quant_pre_process


class RandomBatches(CalibrationDataReader):
    def __init__(self, name, shape, count):
        rng = np.random.RandomState(0)
        self.batches = iter([{name: rng.uniform(0, 255, shape).astype(np.float32)} for _ in range(count)])

    def get_next(self):
        return next(self.batches, None)


def main():
    source, out = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    prepared = out + '.pre.onnx'
    quant_pre_process(source, prepared, skip_symbolic_shape=True)  # ONNX shape inference suffices for a CNN
    model = onnx.load(prepared)
    data = model.graph.input[0]
    dims = [d.dim_value for d in data.type.tensor_type.shape.dim[1:]]
    quantize_static(prepared, out, RandomBatches(data.name, [batch] + dims, count),
                    quant_format=QuantFormat.QDQ, per_channel=True, activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax)
    print(json.dumps({'peer': 'ort-int8', 'model': out, 'calibration_batches': count, 'batch': batch}))


if __name__ == '__main__':
    main()
