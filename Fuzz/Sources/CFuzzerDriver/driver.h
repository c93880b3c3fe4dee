#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for a program with a main of its own (in the fuzzer runtime that
// -sanitize=fuzzer links in).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
