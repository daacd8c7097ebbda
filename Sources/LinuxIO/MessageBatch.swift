import CShim
import Glibc

/// The buffers of one recvmmsg(2) or sendmmsg(2) call: `capacity` messages, each with its own
/// data, address and control slot, allocated once. A batch belongs to one thread at a time
/// (the loop's, or one packet worker's); the sockets it is used with are shared.
final class MessageBatch {
    let capacity: Int
    let slotSize: Int
    let controlSize: Int
    static let nameSize = MemoryLayout<sockaddr_storage>.size
    let headers: UnsafeMutablePointer<kakapo_mmsghdr>
    let iovecs: UnsafeMutablePointer<iovec>
    let data: UnsafeMutableRawPointer
    let names: UnsafeMutableRawPointer
    let controls: UnsafeMutableRawPointer?
    /// The counters, behind a pointer: as stored properties of a class every change would
    /// pay Swift's dynamic exclusivity check, several times per datagram.
    private let state: UnsafeMutablePointer<Int>
    /// The caller's tag of each staged message (reported back for those not sent).
    private let tags: UnsafeMutablePointer<Int>
    /// Messages received by the last `receive`, or staged for the next `send`.
    private(set) var count: Int {
        get { state[0] }
        set { state[0] = newValue }
    }
    /// Slots the kernel or `stage` changed since they were last set up for receiving: only
    /// these are reset before the next receive (a turn with one datagram touches one slot).
    private var dirty: Int {
        get { state[1] }
        set { state[1] = newValue }
    }

    /// `controlSize` 0: no ancillary data (the raw socket's frames).
    init(capacity: Int, slotSize: Int = 65536, controlSize: Int = 0) {
        self.capacity = capacity
        self.slotSize = slotSize
        self.controlSize = controlSize
        headers = .allocate(capacity: capacity)
        iovecs = .allocate(capacity: capacity)
        data = .allocate(byteCount: capacity * slotSize, alignment: 16)
        names = .allocate(byteCount: capacity * Self.nameSize, alignment: 16)
        controls = controlSize > 0 ? .allocate(byteCount: capacity * controlSize, alignment: 16) : nil
        state = .allocate(capacity: 2)
        state.initialize(repeating: 0, count: 2)
        tags = .allocate(capacity: capacity)
        for i in 0..<capacity {
            iovecs[i] = iovec(iov_base: data + i * slotSize, iov_len: slotSize)
            var m = msghdr()
            m.msg_name = names + i * Self.nameSize
            m.msg_namelen = socklen_t(Self.nameSize)
            m.msg_iov = iovecs + i
            m.msg_iovlen = 1
            m.msg_control = controls.map { $0 + i * controlSize }
            m.msg_controllen = controlSize
            headers[i] = kakapo_mmsghdr(msg_hdr: m, msg_len: 0)
        }
    }

    deinit {
        headers.deallocate()
        iovecs.deallocate()
        data.deallocate()
        names.deallocate()
        controls?.deallocate()
        state.deallocate()
        tags.deallocate()
    }

    // MARK: receiving

    /// One recvmmsg of up to `limit` datagrams (at most `capacity`). Returns how many came;
    /// 0 when none was pending (or the read failed).
    func receive(fd: Int32, limit: Int) -> Int {
        let n = min(limit, capacity)
        for i in 0..<dirty { prepareForReceive(i) }
        let r = kakapo_recvmmsg(fd, headers, UInt32(n))
        count = max(0, Int(r))
        dirty = count
        return count
    }

    /// Slot `i` as a receive expects it: whole data, address and control areas.
    private func prepareForReceive(_ i: Int) {
        iovecs[i].iov_len = slotSize
        headers[i].msg_hdr.msg_name = names + i * Self.nameSize
        headers[i].msg_hdr.msg_namelen = socklen_t(Self.nameSize)
        headers[i].msg_hdr.msg_control = controls.map { $0 + i * controlSize }
        headers[i].msg_hdr.msg_controllen = controlSize
        headers[i].msg_hdr.msg_flags = 0
        headers[i].msg_len = 0
    }

    /// The bytes of received message `i`.
    func bytes(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: data + i * slotSize, count: min(Int(headers[i].msg_len), slotSize))
    }

    /// The sender's address of received message `i`, as `T` (sockaddr_in, sockaddr_in6).
    func name<T>(_ i: Int, as: T.Type) -> T {
        (names + i * Self.nameSize).loadUnaligned(as: T.self)
    }

    /// The ancillary data the kernel filled in for received message `i`.
    func control(_ i: Int) -> UnsafeRawBufferPointer {
        guard let c = controls else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: c + i * controlSize, count: min(Int(headers[i].msg_hdr.msg_controllen), controlSize))
    }

    // MARK: sending

    var isFull: Bool { count == capacity }
    var isEmpty: Bool { count == 0 }

    /// Stages one datagram: its bytes (written by `fill`, at most `slotSize`), its destination
    /// address and its ancillary data (at most `controlSize` bytes). False when the batch is
    /// full or the datagram does not fit: the caller sends what is staged and stages again.
    func stage(length: Int, tag: Int, name: UnsafeRawBufferPointer, control: UnsafeRawBufferPointer?,
               fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard count < capacity, length <= slotSize, name.count <= Self.nameSize,
              (control?.count ?? 0) <= controlSize else { return false }
        let i = count
        fill(UnsafeMutableRawBufferPointer(start: data + i * slotSize, count: length))
        iovecs[i].iov_len = length
        let n = names + i * Self.nameSize
        n.copyMemory(from: name.baseAddress!, byteCount: name.count)
        headers[i].msg_hdr.msg_name = n
        headers[i].msg_hdr.msg_namelen = socklen_t(name.count)
        if let control, control.count > 0, let c = controls {
            (c + i * controlSize).copyMemory(from: control.baseAddress!, byteCount: control.count)
            headers[i].msg_hdr.msg_control = c + i * controlSize
            headers[i].msg_hdr.msg_controllen = control.count
        } else {
            headers[i].msg_hdr.msg_control = nil
            headers[i].msg_hdr.msg_controllen = 0
        }
        headers[i].msg_hdr.msg_flags = 0
        headers[i].msg_len = 0
        tags[i] = tag
        count += 1
        dirty = max(dirty, count)
        return true
    }

    /// Sends every staged datagram with as few sendmmsg calls as the kernel allows; `failed`
    /// hears the tag and errno of each datagram not sent (or sent short). Empties the batch.
    func send(fd: Int32, failed: (Int, Int32) -> Void) {
        var off = 0
        while off < count {
            let r = Int(kakapo_sendmmsg(fd, headers + off, UInt32(count - off)))
            if r <= 0 {
                // The first datagram not taken failed; the next call goes on after it.
                failed(tags[off], r < 0 ? errno : EAGAIN)
                off += 1
                continue
            }
            for j in off..<(off + r) where Int(headers[j].msg_len) != iovecs[j].iov_len {
                failed(tags[j], EMSGSIZE)
            }
            off += r
        }
        clear()
    }

    /// Forgets what was staged or received.
    func clear() {
        count = 0
    }
}
