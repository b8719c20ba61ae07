// libFuzzer's driver, declared for Swift: SwiftPM links an executable's own
// entry point as main, so the harness calls the driver from there instead of
// using libFuzzer's main (which -sanitize=fuzzer links in otherwise).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
