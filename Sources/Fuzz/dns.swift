// libFuzzer entry point for the dns target; built by scripts/fuzz.sh only (docs/fuzzing.md).
import FuzzProperties

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let failure = FuzzTarget.dns.check(bytes) { fatalError("property of dns violated: \(failure)") }
    return 0
}
