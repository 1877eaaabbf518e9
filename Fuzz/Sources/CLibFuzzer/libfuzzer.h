// libFuzzer's entry points, for the Swift fuzz targets.
//
// SwiftPM links every executable with `--defsym main=<Module>_main`, which hides the `main` that
// libFuzzer brings; each target's main.swift therefore starts libFuzzer itself through
// LLVMFuzzerRunDriver (libFuzzer's documented API for programs that own `main`, LLVM 11 and later).
#ifndef GGW_LIBFUZZER_H
#define GGW_LIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test_one_input)(const uint8_t *data, size_t size));

/// Runs libFuzzer with the process's arguments (`-max_total_time=N`, corpus folders, ...).
static inline int ggw_run_libfuzzer(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size)) {
    return LLVMFuzzerRunDriver(&argc, &argv, test_one_input);
}

#endif
