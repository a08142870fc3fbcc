"""Writes `step-gradients-f64.params` into each parity case folder: the same training
step's gradients computed by MXNet 1.9.1 in float64 (native CPU kernels), stored as
float32. A float32 gradient that is a long cancelling sum (a BatchNorm gamma or beta over
thousands of positions) carries rounding error of up to ~1e-3 of its magnitude in any
float32 implementation, MXNet's included; the float64 result is the reference those
arrays are checked against.

    MXNET_MKLDNN_ENABLED=0 /tmp/peers/mx/bin/python tools/make_f64_gradients.py CASE_DIR...
"""
import json, os, sys
import mxnet as mx

for d in sys.argv[1:]:
    sym, arg, aux = mx.model.load_checkpoint(os.path.join(d, 'image-classification'), 0)
    b = mx.nd.load(os.path.join(d, 'batch.params'))
    args = {k: v.astype('float64') for k, v in arg.items()}
    args['data'] = b['data'].astype('float64')
    args['softmax_label'] = b['label'].astype('float64')
    grads = {k: mx.nd.zeros(v.shape, dtype='float64') for k, v in args.items() if k != 'softmax_label'}
    ex = sym.bind(mx.cpu(), args, args_grad=grads, aux_states={k: v.astype('float64') for k, v in aux.items()})
    ex.forward(is_train=True)
    ex.backward()
    mx.nd.save(os.path.join(d, 'step-gradients-f64.params'), {'grad:' + k: v.astype('float32') for k, v in grads.items()})
    print(d, len(grads), 'gradients')
