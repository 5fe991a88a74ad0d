// Shared conventions of the benchmark kernels. Each kernel is freestanding C
// (no libc) built twice from the same source: for wasm32 with clang, where
// `run` is the module's one export, and natively with gcc, where the build
// renames `run` with -Drun=kernel_<name>_run so all kernels link into one runner.
#ifndef HALTER_BENCH_KERNEL_H
#define HALTER_BENCH_KERNEL_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int i32;

// The entry point: `n` scales the work; the result is a checksum that depends
// on all of it, so neither compiler can drop any work.
u32 run(u32 n);

#endif
