/// `multi-threading`, with Kea 2.4's defaults (multi-threading on, automatic pool size,
/// 64 queued packets per thread).
public struct MultiThreadingConfig: Sendable, Equatable {
    /// `enable-multi-threading` (mandatory when the map is written).
    public var enabled: Bool = true
    /// `thread-pool-size`; nil (Kea's 0): as many threads as the system has processors.
    public var threadPoolSize: UInt16? = nil
    /// `packet-queue-size` per thread; nil (Kea's 0): unbounded.
    public var packetQueueSizeMax: UInt16? = 64

    public init(enabled: Bool = true, threadPoolSize: UInt16? = nil, packetQueueSizeMax: UInt16? = 64) {
        self.enabled = enabled
        self.threadPoolSize = threadPoolSize
        self.packetQueueSizeMax = packetQueueSizeMax
    }
}
