// libFuzzer entry point for the kea-json target; built by scripts/fuzz.sh only (docs/fuzzing.md).
import FuzzProperties

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let failure = FuzzTarget.keaJSON.check(bytes) { fatalError("property of kea-json violated: \(failure)") }
    return 0
}
