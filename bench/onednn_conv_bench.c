/* Times oneDNN's training convolutions (forward, backward data, backward weights) on given
 * shapes, each in the layouts oneDNN picks itself ("any"), as imgclf's executor asks for them.
 * The same file builds against oneDNN 2.x (Debian's 2.6, imgclf's) and 3.x (PyPI's `onednn`,
 * PyTorch's): bench/compare_onednn.py builds both and prints them side by side.
 *
 *   onednn_conv_bench ITERATIONS MB,IC,OC,H,W,K,STRIDE,PAD [...]
 *
 * Prints one line per shape and direction: shape, direction, implementation, median ms. */
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(call) do { dnnl_status_t s_ = (call); if (s_ != dnnl_success) { \
    fprintf(stderr, "%s failed: status %d\n", #call, (int)s_); exit(2); } } while (0)

typedef struct { long mb, ic, oc, h, w, k, stride, pad; } shape_t;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#if DNNL_VERSION_MAJOR >= 3
typedef const_dnnl_memory_desc_t md_ref;
static md_ref any_md(int n, const dnnl_dims_t dims) {
    dnnl_memory_desc_t md;
    CHECK(dnnl_memory_desc_create_with_tag(&md, n, dims, dnnl_f32, dnnl_format_tag_any));
    return md;
}
#else
typedef const dnnl_memory_desc_t *md_ref;
static md_ref any_md(int n, const dnnl_dims_t dims) {
    dnnl_memory_desc_t *md = malloc(sizeof *md);
    CHECK(dnnl_memory_desc_init_by_tag(md, n, dims, dnnl_f32, dnnl_format_tag_any));
    return md;
}
#endif

/* A memory object in the layout the primitive chose for `what`, filled with small values. */
static dnnl_memory_t memory_for(dnnl_engine_t engine, dnnl_primitive_desc_t pd, dnnl_query_t what) {
    md_ref md = dnnl_primitive_desc_query_md(pd, what, 0);
    size_t bytes = dnnl_memory_desc_get_size(md);
    float *data = aligned_alloc(64, (bytes + 63) / 64 * 64);
    for (size_t i = 0; i < bytes / sizeof(float); i++) data[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    dnnl_memory_t m;
    CHECK(dnnl_memory_create(&m, md, engine, data));
    return m;
}

static dnnl_memory_t scratchpad_for(dnnl_engine_t engine, dnnl_primitive_desc_t pd) {
    md_ref md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    size_t bytes = md ? dnnl_memory_desc_get_size(md) : 0;
    if (bytes == 0) return NULL;
    dnnl_memory_t m;
    CHECK(dnnl_memory_create(&m, md, engine, aligned_alloc(64, (bytes + 63) / 64 * 64)));
    return m;
}

static void run(const char *label, const char *direction, dnnl_engine_t engine, dnnl_stream_t stream,
                dnnl_primitive_desc_t pd, int nargs, dnnl_exec_arg_t *args, int iterations) {
    dnnl_primitive_t p;
    CHECK(dnnl_primitive_create(&p, pd));
    dnnl_memory_t scratch = scratchpad_for(engine, pd);
    if (scratch) { args[nargs].arg = DNNL_ARG_SCRATCHPAD; args[nargs].memory = scratch; nargs++; }
    double *times = malloc(sizeof(double) * iterations);
    for (int i = -2; i < iterations; i++) {  /* two warm-up runs */
        double t = now_ms();
        CHECK(dnnl_primitive_execute(p, stream, nargs, args));
        CHECK(dnnl_stream_wait(stream));
        if (i >= 0) times[i] = now_ms() - t;
    }
    qsort(times, iterations, sizeof(double), compare_doubles);
    const char *impl = "?";
    CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
    printf("%s %s %s %.3f\n", label, direction, impl, times[iterations / 2]);
    fflush(stdout);
    free(times);
    dnnl_primitive_destroy(p);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s ITERATIONS MB,IC,OC,H,W,K,STRIDE,PAD ...\n", argv[0]); return 2; }
    int iterations = atoi(argv[1]);
    if (iterations < 1) { fprintf(stderr, "ITERATIONS must be at least 1\n"); return 2; }
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    for (int a = 2; a < argc; a++) {
        shape_t s;
        if (sscanf(argv[a], "%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld", &s.mb, &s.ic, &s.oc, &s.h, &s.w, &s.k, &s.stride, &s.pad) != 8) {
            fprintf(stderr, "bad shape '%s' (expected MB,IC,OC,H,W,K,STRIDE,PAD)\n", argv[a]);
            return 2;
        }
        long oh = (s.h + 2 * s.pad - s.k) / s.stride + 1, ow = (s.w + 2 * s.pad - s.k) / s.stride + 1;
        dnnl_dims_t src_dims = {s.mb, s.ic, s.h, s.w}, wei_dims = {s.oc, s.ic, s.k, s.k}, dst_dims = {s.mb, s.oc, oh, ow};
        dnnl_dims_t strides = {s.stride, s.stride}, dilates = {0, 0}, pad = {s.pad, s.pad};
        md_ref src = any_md(4, src_dims), wei = any_md(4, wei_dims), dst = any_md(4, dst_dims);
        dnnl_primitive_desc_t fwd, bwd_data, bwd_weights;
#if DNNL_VERSION_MAJOR >= 3
        CHECK(dnnl_convolution_forward_primitive_desc_create(&fwd, engine, dnnl_forward_training, dnnl_convolution_direct,
              src, wei, NULL, dst, strides, dilates, pad, pad, NULL));
        CHECK(dnnl_convolution_backward_data_primitive_desc_create(&bwd_data, engine, dnnl_convolution_direct,
              src, wei, dst, strides, dilates, pad, pad, fwd, NULL));
        CHECK(dnnl_convolution_backward_weights_primitive_desc_create(&bwd_weights, engine, dnnl_convolution_direct,
              src, wei, NULL, dst, strides, dilates, pad, pad, fwd, NULL));
#else
        dnnl_convolution_desc_t fd, dd, wd;
        CHECK(dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct,
              src, wei, NULL, dst, strides, dilates, pad, pad));
        CHECK(dnnl_primitive_desc_create(&fwd, &fd, NULL, engine, NULL));
        CHECK(dnnl_dilated_convolution_backward_data_desc_init(&dd, dnnl_convolution_direct, src, wei, dst, strides, dilates, pad, pad));
        CHECK(dnnl_primitive_desc_create(&bwd_data, &dd, NULL, engine, fwd));
        CHECK(dnnl_dilated_convolution_backward_weights_desc_init(&wd, dnnl_convolution_direct, src, wei, NULL, dst, strides, dilates, pad, pad));
        CHECK(dnnl_primitive_desc_create(&bwd_weights, &wd, NULL, engine, fwd));
#endif
        char label[160];
        snprintf(label, sizeof label, "mb%ld_ic%ld_oc%ld_%ldx%ld_k%ld_s%ld", s.mb, s.ic, s.oc, s.h, s.w, s.k, s.stride);
        dnnl_exec_arg_t f[4] = {{DNNL_ARG_SRC, memory_for(engine, fwd, dnnl_query_src_md)},
                                {DNNL_ARG_WEIGHTS, memory_for(engine, fwd, dnnl_query_weights_md)},
                                {DNNL_ARG_DST, memory_for(engine, fwd, dnnl_query_dst_md)}};
        run(label, "forward", engine, stream, fwd, 3, f, iterations);
        dnnl_exec_arg_t d[4] = {{DNNL_ARG_DIFF_DST, memory_for(engine, bwd_data, dnnl_query_diff_dst_md)},
                                {DNNL_ARG_WEIGHTS, memory_for(engine, bwd_data, dnnl_query_weights_md)},
                                {DNNL_ARG_DIFF_SRC, memory_for(engine, bwd_data, dnnl_query_diff_src_md)}};
        run(label, "backward_data", engine, stream, bwd_data, 3, d, iterations);
        dnnl_exec_arg_t w[4] = {{DNNL_ARG_SRC, memory_for(engine, bwd_weights, dnnl_query_src_md)},
                                {DNNL_ARG_DIFF_DST, memory_for(engine, bwd_weights, dnnl_query_diff_dst_md)},
                                {DNNL_ARG_DIFF_WEIGHTS, memory_for(engine, bwd_weights, dnnl_query_diff_weights_md)}};
        run(label, "backward_weights", engine, stream, bwd_weights, 3, w, iterations);
    }
    return 0;
}
