/// What classification needs of a class definition, whichever the family (`ClientClass4`,
/// `ClientClass6`): both servers run the same passes over their own definitions.
public protocol ClientClassDefinition: Sendable {
    var name: String { get }
    /// The `test`; nil for a class assigned otherwise.
    var test: ClassExpression? { get }
    /// The `template-test`, a string expression (Kea 2.4's template classes).
    var templateTest: ClassExpression? { get }
    var onlyIfRequired: Bool { get }
    /// Whether the test depends on KNOWN/UNKNOWN (evaluated after the host lookup).
    var dependsOnKnown: Bool { get }
}

extension ClientClass4: ClientClassDefinition {}
extension ClientClass6: ClientClassDefinition {}

/// Kea's classification passes (`evaluateClasses`, `removeDependentEvaluatedClasses` with
/// `setReservedClientClasses`, `requiredClassify`), written once for both families: the
/// classes a packet joins, in order, from class definitions and a packet to test.
extension ClientClasses {
    /// One pass of Kea's `evaluateClasses`: each class with a test, not only-if-required, of
    /// this pass (`dependingOnKnown`), in configuration order; a match joins the class (later
    /// tests see it). A template class whose value is not empty joins the class and
    /// `SPAWN_<name>_<value>`.
    public mutating func evaluate<Input: ClassificationInput>(
        _ definitions: [some ClientClassDefinition], dependingOnKnown: Bool, packet: Input
    ) {
        guard !definitions.isEmpty else { return }
        var input = packet
        input.classes = asSet
        for c in definitions where !c.onlyIfRequired && c.dependsOnKnown == dependingOnKnown {
            if let test = c.test, test.evaluate(input) {
                insert(c.name)
                input.classes.insert(c.name)
            } else if let template = c.templateTest, case .success(let value) = template.evaluateString(input),
                      !value.isEmpty {
                for name in [c.name, "SPAWN_\(c.name)_\(String(decoding: value, as: UTF8.self))"] {
                    insert(name)
                    input.classes.insert(name)
                }
            }
        }
    }

    /// A reservation's `client-classes` joined as Kea does: the classes the tests gave are
    /// removed (a reserved class may change what they say), the reserved ones added, and the
    /// first pass run again.
    public mutating func joinReserved<Input: ClassificationInput>(
        _ names: [String], _ definitions: [some ClientClassDefinition], packet: Input
    ) {
        let evaluated = Set(definitions.filter { $0.test != nil || $0.templateTest != nil }.map(\.name))
        var kept = ClientClasses(self.names.filter { !evaluated.contains($0) })
        for n in names { kept.insert(n) }
        self = kept
        evaluate(definitions, dependingOnKnown: false, packet: packet)
    }

    /// Kea's `requiredClassify`: each class of `required` (shared network, subnet, then pools,
    /// in that order) joined when its test matches. A class without a test, or not defined, is
    /// skipped, as Kea 2.4 does.
    public mutating func evaluateRequired<Input: ClassificationInput>(
        _ required: ClientClasses, _ definitions: [some ClientClassDefinition], packet: Input
    ) {
        guard !required.isEmpty else { return }
        var input = packet
        input.classes = asSet
        for name in required {
            guard let c = definitions.first(where: { $0.name == name }) else { continue }
            if c.test?.evaluate(input) ?? false {
                insert(name)
                input.classes.insert(name)
            }
        }
    }

    /// The first class (in the order the packet joined them) for which `value` gives something
    /// (Kea's per-class triplets: the first class that sets one wins).
    public func first<D: ClientClassDefinition, T>(of definitions: [D], _ value: (D) -> T?) -> T? {
        guard !definitions.isEmpty else { return nil }
        for name in names {
            if let c = definitions.first(where: { $0.name == name }), let v = value(c) { return v }
        }
        return nil
    }
}

/// A class lifetime triplet as Kea's `parseIntTriplet` completes it: an absent default is the
/// bound given (minimum first), absent bounds the default. Nil when nothing is set.
public func completedClassTriplet(_ value: UInt32?, min: UInt32?, max: UInt32?) -> (value: UInt32, min: UInt32, max: UInt32)? {
    guard let v = value ?? min ?? max else { return nil }
    return (v, min ?? v, max ?? v)
}
