import CLibFuzzer
import Foundation

// SwiftPM makes this file the program's main, so libFuzzer is started from here (see libfuzzer.h). The closure
// is the C callback: naming the @_cdecl function itself would emit its C symbol a second time in this file.
exit(ggw_run_libfuzzer(CommandLine.argc, CommandLine.unsafeArgv) { data, size in LLVMFuzzerTestOneInput(data, size) })
