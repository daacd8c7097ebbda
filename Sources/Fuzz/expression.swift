// libFuzzer entry point for the expression target; built by scripts/fuzz.sh only (docs/fuzzing.md).
import FuzzProperties

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let failure = FuzzTarget.expression.check(bytes) { fatalError("property of expression violated: \(failure)") }
    return 0
}
