// swift-tools-version:6.0
import PackageDescription

// Layout fixed by DESIGN.md: a pure Core, a Linux shell, the simulator, one folder per tool.
// No external packages yet: every dependency has to earn its build time on a 2-core CI machine.
let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"], .when(configuration: .debug))]

let package = Package(
    name: "Kakapo",
    products: [
        .executable(name: "kakapo-dhcp4", targets: ["kakapo-dhcp4"]),
    ],
    targets: [
        .target(name: "KakapoCore", path: "Sources/Core"),
        // Linux headers the Glibc module does not export (AF_PACKET, BPF); used by LinuxIO only.
        .target(name: "CShim", path: "Sources/CShim"),
        .target(name: "KakapoLinuxIO", dependencies: ["KakapoCore", "CShim"], path: "Sources/LinuxIO"),
        .target(name: "KakapoSim", dependencies: ["KakapoCore"], path: "Sources/Sim"),
        .executableTarget(
            name: "kakapo-dhcp4",
            dependencies: ["KakapoCore", "KakapoLinuxIO"],
            path: "Sources/Tools/kakapo-dhcp4"),
        .testTarget(
            name: "CoreTests",
            dependencies: ["KakapoCore", "KakapoLinuxIO", "KakapoSim"],
            path: "Tests/CoreTests"),
    ]
)
