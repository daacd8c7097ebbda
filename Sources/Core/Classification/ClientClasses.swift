/// The classes a packet belongs to, in the order they were assigned (Kea keeps that order:
/// class options are looked up in it, first class first). Every packet is in `ALL`.
///
/// A packet joins a handful of classes, so one array searched in order serves both order and
/// membership: one allocation per packet, none for hashing.
public struct ClientClasses: Sendable, Equatable, Sequence {
    public private(set) var names: [String] = []

    public init(_ names: [String] = []) {
        for n in names { insert(n) }
    }

    /// Adds `name` at the end, unless it is already there.
    public mutating func insert(_ name: String) {
        guard !names.contains(name) else { return }
        names.append(name)
    }

    public func contains(_ name: String) -> Bool { names.contains(name) }
    public var isEmpty: Bool { names.isEmpty }
    public func makeIterator() -> IndexingIterator<[String]> { names.makeIterator() }
    /// The set, for expressions (`member('…')`).
    public var asSet: Set<String> { Set(names) }
}

/// A `client-classes` entry: a named class with its test and what membership gives.
/// Kea's class parameters: options, BOOTP fields and lifetimes; `only-if-required` classes
/// are evaluated only when a subnet or pool requires them (`require-client-classes`).
public struct ClientClass4: Sendable, Equatable {
    public var name: String
    /// The `test` expression; nil for a class assigned otherwise (reservations, required
    /// classes with no test, built-in names).
    public var test: ClassExpression?
    /// `template-test`: a string expression; a packet whose value is not empty joins this
    /// class and the spawned class `SPAWN_<name>_<value>` (Kea 2.4's template classes).
    public var templateTest: ClassExpression?
    public var onlyIfRequired: Bool = false
    public var optionData: [ConfiguredOption] = []
    public var bootFields: BootFields = BootFields()
    /// `valid-lifetime`, `min-valid-lifetime`, `max-valid-lifetime` of the class.
    public var timers: LeaseTimers = LeaseTimers()
    /// Whether the test depends on `KNOWN`/`UNKNOWN` (directly or through another class), so
    /// it is evaluated after the host reservation lookup, as Kea does.
    public var dependsOnKnown: Bool = false

    public init(name: String, test: ClassExpression? = nil) {
        self.name = name
        self.test = test
    }
}

/// A `shared-networks` entry: subnets on one link. The decoder folds the network's scalar
/// parameters into its subnets (subnet value, else network, else global); what keeps its own
/// layer is kept here (options rank between subnet and class options).
public struct SharedNetwork4: Sendable, Equatable {
    public var name: String
    /// The network's subnets, by id, in configuration order.
    public var subnetIDs: [UInt32] = []
    public var optionData: [ConfiguredOption] = []
    /// `client-class`: only clients of this class may use the network's subnets.
    public var clientClass: String?
    public var requireClientClasses: [String] = []
    public init(name: String) { self.name = name }
}

extension ClassExpression {
    /// Kea's `isClientClassDefined` for every `member('…')` of an expression: each names a
    /// built-in class (`isBuiltIn`) or a class defined earlier (`dependsOnKnown` gives, for such a
    /// class, whether its own test depends on KNOWN/UNKNOWN; nil for an unknown name). Returns
    /// whether this expression depends on KNOWN/UNKNOWN, directly or through a class that does.
    public func checkMembers(isBuiltIn: (String) -> Bool, dependsOnKnown: (String) -> Bool?) throws(ConfigError) -> Bool {
        var depends = false
        for (name, span) in memberReferences {
            if isBuiltIn(name) {
                if name == "KNOWN" || name == "UNKNOWN" { depends = true }
                continue
            }
            guard let earlier = dependsOnKnown(name) else {
                throw ConfigError.at(.invalidValue, span, "Not defined client class '\(name)'")
            }
            if earlier { depends = true }
        }
        return depends
    }
}

/// Kea's `ClientClassDefParser` rules on the classes it treats specially, the same for both
/// servers: a built-in class (ALL, KNOWN, UNKNOWN, BOOTP) may be redefined only to give it
/// parameters, without a test and never only-if-required; DROP is never only-if-required.
public enum SpecialClassRules {
    public static let builtInNames: Set<String> = ["ALL", "KNOWN", "UNKNOWN", "BOOTP"]

    public static func check(name: String, onlyIfRequired: Bool, hasTest: Bool, at position: SourcePosition) throws(ConfigError) {
        if builtInNames.contains(name) {
            if onlyIfRequired {
                throw ConfigError.semantic(.invalidValue, "built-in class '\(name)' only-if-required flag must be false", at: position)
            }
            if hasTest {
                throw ConfigError.semantic(.invalidValue, "built-in class '\(name)' test expression must be empty", at: position)
            }
        }
        if name == "DROP", onlyIfRequired {
            throw ConfigError.semantic(.invalidValue, "special class '\(name)' only-if-required flag must be false", at: position)
        }
    }
}
