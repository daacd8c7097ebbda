/// A parsed client-class `test` expression in Kea 2.4's expression language, DHCPv4 or DHCPv6
/// (the family of the option table it is parsed with): a typed syntax tree whose every node
/// remembers where it was written.
///
/// Kea's grammar has two kinds of expression, and so does this tree. A `Condition` is what a
/// class test must be (`==`, `and`, `or`, `not`, `.exists`, `member(…)`); a `Value` is a byte
/// string (literals, option contents, packet fields, `substring`, `concat`, …). Kea evaluates
/// both to byte strings ("true"/"false" for conditions); keeping them apart here makes a test
/// such as `option[60].hex` (a value where a condition is needed) a parse error, as it is in Kea.
///
/// Parse a class `test` once with `ClassExpression.parse(_:file:line:column:)`, then call
/// `evaluate(_:)` per packet. Evaluation is total: a value that cannot be computed (an address
/// conversion of five bytes, say) makes the whole test false, as Kea does when it logs an
/// evaluation error. Expressions whose result is a string rather than a test (Kea's string
/// parser mode, used by `template-test` and flex-id) parse with `parseString` and evaluate with
/// `evaluateString(_:)`.
///
/// The language is Kea 2.4's as its ARM and the project's inventory
/// (`/work/shared/reference/kea-2.4-inventory.md` §1.6) list it, for both families: the
/// DHCPv4-only constructs (`pkt4.…`, `relay4[…]`) are refused when parsing for DHCPv6 and the
/// DHCPv6-only ones (`pkt6.…`, `relay6[…]`) for DHCPv4, with Kea's messages. Left out:
/// `lcase`/`ucase` and `match(…)`, which later Kea releases added; the `vendor[…]` and
/// `vendor-class[…]` instances after the first (Kea reads only the first, per the ARM).
/// One difference from Kea, stricter and reported at parse time: an address literal that does
/// not parse (`300.1.1.1`), which Kea accepts and evaluates to an empty string.
public struct ClassExpression: Sendable, Equatable {
    /// The expression as written.
    public let text: String
    /// The expression itself: a condition for a class test, a value for a string expression.
    public let root: Root

    /// What the whole expression is.
    public enum Root: Sendable, Equatable {
        case condition(Condition)
        case value(Value)
    }

    /// A condition: evaluates to true or false.
    public struct Condition: Sendable, Equatable {
        public indirect enum Kind: Sendable, Equatable {
            /// `a == b`: byte-for-byte equality.
            case equal(Value, Value)
            case not(Condition)
            case and(Condition, Condition)
            case or(Condition, Condition)
            /// `option[N].exists`, or `option[N].option[M].exists` when `sub` is set.
            case optionExists(code: UInt16, sub: UInt16?)
            /// `relay4[N].exists`: sub-option N of the relay agent information option (82).
            case relay4Exists(code: UInt8)
            /// `relay6[nest].option[N].exists` (DHCPv6).
            case relay6Exists(nest: Int8, code: UInt16)
            /// `member('NAME')`; `known` is `member('KNOWN')` and `unknown` is
            /// `not member('KNOWN')`, as Kea rewrites them.
            case member(String)
            /// `vendor[E].exists` (E nil for `*` or 0: any enterprise).
            case vendorExists(enterprise: UInt32?)
            /// `vendor[E].option[M].exists`.
            case vendorOptionExists(enterprise: UInt32?, code: UInt16)
            /// `vendor-class[E].exists`.
            case vendorClassExists(enterprise: UInt32?)
        }

        public var kind: Kind
        /// Where the condition is written (its first token for operators, the whole construct
        /// for leaves).
        public var span: SourceSpan

        public init(_ kind: Kind, span: SourceSpan) {
            self.kind = kind
            self.span = span
        }
    }

    /// A value: evaluates to a byte string.
    public struct Value: Sendable, Equatable {
        public indirect enum Kind: Sendable, Equatable {
            /// `'text'`: the bytes between the quotes (Kea has no escapes).
            case string([UInt8])
            /// `0x…`: the bytes, an odd digit count padded with a leading 0.
            case hex([UInt8])
            /// A decimal integer: four bytes, network order.
            case integer(UInt32)
            /// An address literal: four bytes, or sixteen for IPv6 (which Kea accepts in
            /// DHCPv4 expressions too, e.g. `addrtotext(2003:db8::)`).
            case address(IPAddress)
            /// `option[N].hex` / `option[N].text`, or a sub-option when `sub` is set.
            case option(code: UInt16, sub: UInt16?, ClassExpression.Representation)
            /// `relay4[N].hex` / `.text`.
            case relay4(code: UInt8, ClassExpression.Representation)
            /// `relay6[nest].option[N].hex` / `.text` (DHCPv6): an option of a relay header,
            /// nest 0 the outermost (nearest the server), a negative nest counting from the
            /// innermost (-1 nearest the client).
            case relay6(nest: Int8, code: UInt16, ClassExpression.Representation)
            /// `relay6[nest].peeraddr` / `.linkaddr` (DHCPv6): sixteen bytes, "" past the chain.
            case relay6Field(nest: Int8, ClassExpression.Relay6Field)
            /// `pkt4.<field>`.
            case pkt4(ClassExpression.Pkt4Field)
            /// `pkt6.<field>` (DHCPv6).
            case pkt6(ClassExpression.Pkt6Field)
            /// `pkt.<field>`.
            case pkt(ClassExpression.PktField)
            /// `substring(v, start, length)`.
            case substring(Value, start: Int32, length: ClassExpression.SubstringLength)
            case concat(Value, Value)
            case ifElse(Condition, Value, Value)
            /// `hexstring(v, separator)`.
            case hexString(Value, separator: Value)
            /// `split(v, delimiters, field)`; fields count from 1.
            case split(Value, delimiters: Value, field: Int32)
            /// `addrtotext(v)`.
            case addressToText(Value)
            /// `int8totext(v)` … `uint32totext(v)`.
            case integerToText(Value, ClassExpression.IntegerWidth)
            /// `vendor.enterprise`.
            case vendorEnterprise
            /// `vendor[E].option[M].hex` / `.text`.
            case vendorOption(enterprise: UInt32?, code: UInt16, ClassExpression.Representation)
            /// `vendor-class.enterprise`.
            case vendorClassEnterprise
            /// `vendor-class[E].data` (index 0) and `vendor-class[E].data[I]`: item I is the data
            /// of the option's I-th enterprise block, as Kea 2.4 reads option 124.
            case vendorClassData(enterprise: UInt32?, index: UInt16)
        }

        public var kind: Kind
        public var span: SourceSpan

        public init(_ kind: Kind, span: SourceSpan) {
            self.kind = kind
            self.span = span
        }
    }

    /// How an option's content is turned into a value.
    public enum Representation: String, Sendable, Equatable {
        /// The payload bytes as received.
        case hex
        /// Kea's `Option::toString()`: the payload as text; an option whose definition is a single
        /// integer is rendered in decimal.
        case text
    }

    /// The BOOTP header fields `pkt4.<field>` reads.
    public enum Pkt4Field: String, Sendable, Equatable, CaseIterable {
        /// The hardware address: the first `hlen` bytes of chaddr (at most 16).
        case mac
        /// `hlen` and `htype`, as four-byte integers.
        case hlen, htype
        /// The address fields, four bytes each.
        case ciaddr, giaddr, yiaddr, siaddr
        /// Option 53 as a four-byte integer (0 when absent).
        case msgtype
        /// The xid, four bytes.
        case transid
    }

    /// The DHCPv6 message fields `pkt6.<field>` reads (of the client's message, inside any
    /// relay headers).
    public enum Pkt6Field: String, Sendable, Equatable, CaseIterable {
        /// The message type, a four-byte integer.
        case msgtype
        /// The 24-bit transaction id, as a four-byte integer.
        case transid
    }

    /// The relay header fields `relay6[nest].<field>` reads.
    public enum Relay6Field: String, Sendable, Equatable, CaseIterable {
        case peeraddr, linkaddr
    }

    /// Facts about the datagram rather than the message (`pkt.<field>`).
    public enum PktField: String, Sendable, Equatable, CaseIterable {
        /// The interface name, as text.
        case iface
        /// Source and destination addresses: 4 or 16 bytes.
        case src, dst
        /// The packet length, a four-byte integer.
        case len
    }

    /// The third argument of `substring`.
    public enum SubstringLength: Sendable, Equatable {
        case count(Int32)
        /// `all`: to the end of the string.
        case all
    }

    /// The integer conversions to text.
    public enum IntegerWidth: String, Sendable, Equatable, CaseIterable {
        case int8, int16, int32, uint8, uint16, uint32

        /// The byte count the operand must have.
        public var byteCount: Int {
            switch self {
            case .int8, .uint8: 1
            case .int16, .uint16: 2
            case .int32, .uint32: 4
            }
        }

        /// Whether the operand is two's complement.
        public var isSigned: Bool {
            switch self {
            case .int8, .int16, .int32: true
            case .uint8, .uint16, .uint32: false
            }
        }

        /// The function's name in the language (`uint16totext`).
        public var functionName: String { rawValue + "totext" }
    }

    public init(text: String, root: Root) {
        self.text = text
        self.root = root
    }

    /// Every class named by `member(…)`, `known` or `unknown`, in order of appearance and without
    /// repeats: what a configuration checks is defined before this class (Kea's dependency rule).
    public var memberClasses: [String] {
        var names: [String] = []
        for (name, _) in memberReferences where !names.contains(name) { names.append(name) }
        return names
    }

    /// Every `member('…')` of the expression (`known` and `unknown` are `member('KNOWN')`), in
    /// order of appearance, repeats included, each with where it is written.
    public var memberReferences: [(name: String, span: SourceSpan)] {
        var found: [(name: String, span: SourceSpan)] = []
        func visit(_ c: Condition) {
            switch c.kind {
            case .equal(let a, let b):
                visit(a)
                visit(b)
            case .not(let x): visit(x)
            case .and(let x, let y), .or(let x, let y):
                visit(x)
                visit(y)
            case .member(let name): found.append((name, c.span))
            case .optionExists, .relay4Exists, .relay6Exists, .vendorExists, .vendorOptionExists, .vendorClassExists: break
            }
        }
        func visit(_ v: Value) {
            switch v.kind {
            case .substring(let x, _, _), .addressToText(let x), .integerToText(let x, _): visit(x)
            case .concat(let x, let y), .hexString(let x, let y), .split(let x, let y, _):
                visit(x)
                visit(y)
            case .ifElse(let c, let x, let y):
                visit(c)
                visit(x)
                visit(y)
            case .string, .hex, .integer, .address, .option, .relay4, .relay6, .relay6Field, .pkt4, .pkt6, .pkt,
                 .vendorEnterprise,
                 .vendorOption, .vendorClassEnterprise, .vendorClassData: break
            }
        }
        switch root {
        case .condition(let c): visit(c)
        case .value(let v): visit(v)
        }
        return found
    }
}
