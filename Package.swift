// swift-tools-version:6.0
import PackageDescription

// Layout fixed by DESIGN.md: a pure Core, a Linux shell, the simulator, one folder per tool.
// Every dependency has to earn its build time on a 2-core CI machine.
// Warnings are errors in debug builds (what make check builds), so none accumulate.
let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"], .when(configuration: .debug))]

let package = Package(
    name: "Kakapo",
    products: [
        .executable(name: "kakapo-dhcp4", targets: ["kakapo-dhcp4"]),
        .executable(name: "kakapo-dhcp6", targets: ["kakapo-dhcp6"]),
        .executable(name: "kakapo-dhcp-ddns", targets: ["kakapo-dhcp-ddns"]),
        .executable(name: "kakapo-sim", targets: ["kakapo-sim"]),
        .executable(name: "kakapo-lfc", targets: ["kakapo-lfc"]),
        .executable(name: "kakapo-admin", targets: ["kakapo-admin"]),
        .executable(name: "kakapo-ctrl-agent", targets: ["kakapo-ctrl-agent"]),
        .executable(name: "kakapo-shell", targets: ["kakapo-shell"]),
        .executable(name: "kakapoctl", targets: ["kakapoctl"]),
    ],
    dependencies: [
        // Scenario files are YAML (Yams wraps libyaml, with line/column marks for errors).
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // Latency percentiles for the live load generator.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // kakapo-admin's command line (Kea's kea-admin flags).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // HTTP/1.1 for the control agent and kakapo-shell (NIO's codec, not a parser written here).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The agent's GET /metrics in Prometheus' text format.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(name: "KakapoCore", path: "Sources/Core", swiftSettings: strict),
        // The properties the fuzz targets check (docs/fuzzing.md); CoreTests replays the corpus
        // through them. The libFuzzer entry points (Sources/Fuzz) are built by `make fuzz` only.
        .target(name: "FuzzProperties", dependencies: ["KakapoCore"], path: "Sources/FuzzProperties", swiftSettings: strict),
        // Linux headers the Glibc module does not export (AF_PACKET, BPF); used by LinuxIO only.
        .target(name: "CShim", path: "Sources/CShim"),
        // libpq, PostgreSQL's client library (Debian's libpq-dev): the lease database shared by
        // several servers (docs/postgresql.md).
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // OpenSSL's libcrypto (Debian's libssl-dev): TSIG's HMACs and DHCID's SHA-256.
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // OpenSSL's libssl (Debian's libssl-dev): TLS for the agent and kakapo-shell.
        .systemLibrary(name: "CSSL", path: "Sources/CSSL", pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "KakapoLinuxIO",
                dependencies: ["KakapoCore", "CShim", "CLibPQ", "CCrypto", "CSSL",
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "NIOHTTP1", package: "swift-nio"),
                               .product(name: "Prometheus", package: "swift-prometheus")],
                path: "Sources/LinuxIO", swiftSettings: strict),
        // The simulator's release build (bench/sim.sh) leaves out the runtime exclusivity
        // checks on World's properties (about 5% of a run: single-threaded code whose every
        // access was checked in debug builds, where make check replays the scenarios).
        .target(name: "KakapoSim", dependencies: ["KakapoCore", "CCrypto", .product(name: "Yams", package: "Yams")],
                path: "Sources/Sim",
                swiftSettings: strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .executableTarget(
            name: "kakapo-dhcp4",
            dependencies: ["KakapoCore", "KakapoLinuxIO"],
            path: "Sources/Tools/kakapo-dhcp4", swiftSettings: strict),
        .executableTarget(
            name: "kakapo-dhcp6",
            dependencies: ["KakapoCore", "KakapoLinuxIO"],
            path: "Sources/Tools/kakapo-dhcp6", swiftSettings: strict),
        .executableTarget(
            name: "kakapo-dhcp-ddns",
            dependencies: ["KakapoCore", "KakapoLinuxIO"],
            path: "Sources/Tools/kakapo-dhcp-ddns", swiftSettings: strict),
        .executableTarget(
            name: "kakapo-lfc",
            dependencies: ["KakapoCore", "KakapoLinuxIO"],
            path: "Sources/Tools/kakapo-lfc", swiftSettings: strict),
        .executableTarget(
            name: "kakapo-sim",
            dependencies: ["KakapoCore", "KakapoSim", "KakapoLinuxIO",
                           .product(name: "Histogram", package: "hdrhistogram-swift")],
            path: "Sources/Tools/kakapo-sim", swiftSettings: strict),
        // kea-admin's job for Kakapo: schema scripts in share/pgsql, lease dump/upload, stats.
        .executableTarget(
            name: "kakapo-admin",
            dependencies: ["KakapoCore", "KakapoLinuxIO",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/kakapo-admin", swiftSettings: strict),
        // kea-ctrl-agent's job: REST over HTTP/HTTPS, forwarded to the daemons' unix sockets.
        .executableTarget(
            name: "kakapo-ctrl-agent",
            dependencies: ["KakapoCore", "KakapoLinuxIO"],
            path: "Sources/Tools/kakapo-ctrl-agent", swiftSettings: strict),
        // kea-shell's job: one command to the agent, its JSON answer printed.
        .executableTarget(
            name: "kakapo-shell",
            dependencies: ["KakapoCore", "KakapoLinuxIO",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/kakapo-shell", swiftSettings: strict),
        // keactrl's job: start, stop, reload and status of the daemons from a keactrl.conf.
        .executableTarget(
            name: "kakapoctl",
            dependencies: ["KakapoCore", "KakapoLinuxIO"],
            path: "Sources/Tools/kakapoctl", swiftSettings: strict),
        // One test target per module; fixtures under Tests/Fixtures are read by path (#filePath).
        .testTarget(name: "CoreTests", dependencies: ["KakapoCore", "FuzzProperties"], path: "Tests/CoreTests", swiftSettings: strict),
        .testTarget(name: "LinuxIOTests", dependencies: ["KakapoLinuxIO", "KakapoCore"],
                    path: "Tests/LinuxIOTests", swiftSettings: strict),
        .testTarget(name: "KakapoAdminTests", dependencies: ["kakapo-admin", "KakapoCore"],
                    path: "Tests/KakapoAdminTests", swiftSettings: strict),
        .testTarget(name: "SimTests", dependencies: ["KakapoSim", "KakapoCore"], path: "Tests/SimTests", swiftSettings: strict),
    ]
)
