/// One entry of `hooks-libraries`: the built-in it switches on, and its parameters.
public struct HookLibrary: Sendable, Equatable {
    public var hook: BuiltInHook
    /// The `library` value as written (a path, or a bare file name).
    public var path: String
    /// The entry's `parameters` map, handed to the built-in as written (nil when absent).
    public var parameters: JSON?

    public init(hook: BuiltInHook, path: String? = nil, parameters: JSON? = nil) {
        self.hook = hook
        self.path = path ?? hook.rawValue
        self.parameters = parameters
    }

    /// The library's file name (`libdhcp_ha.so`).
    public var library: String { hook.rawValue }
}
