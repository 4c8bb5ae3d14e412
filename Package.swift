// swift-tools-version:6.1
import PackageDescription

/// Debug builds treat warnings as errors. Release builds drop the run-time exclusivity checks
/// (the compile-time ones stay): on the message path they cost a quarter of the CPU.
let strict: [SwiftSetting] = [
    .unsafeFlags(["-warnings-as-errors"], .when(configuration: .debug)),
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Starling",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "starling", targets: ["starling"]),
        .library(name: "Starling", targets: ["Starling"]),
        .library(name: "NATSClient", targets: ["NATSClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .target(
            name: "NATSWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(name: "NATSSubjects", swiftSettings: strict),
        .target(name: "NATSConfig", swiftSettings: strict),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CCrypt", pkgConfig: "libxcrypt", providers: [.apt(["libcrypt-dev"])]),
        .target(
            name: "NATSKeys",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "StarlingTLS",
            dependencies: [
                "NATSConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Starling",
            dependencies: [
                "NATSWire", "NATSSubjects", "NATSConfig", "CSystemd", "NATSKeys", "CCrypt", "StarlingTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "NATSClient",
            dependencies: [
                "NATSWire", "NATSKeys",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "starling",
            dependencies: [
                "Starling", "NATSClient", "NATSConfig", "StarlingTLS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "NATSWireTests", dependencies: ["NATSWire"]),
        .testTarget(name: "NATSSubjectsTests", dependencies: ["NATSSubjects"]),
        .testTarget(name: "NATSConfigTests", dependencies: ["NATSConfig"]),
        .testTarget(name: "StarlingTLSTests", dependencies: ["StarlingTLS", "NATSConfig"]),
        .testTarget(name: "NATSClientTests", dependencies: ["NATSClient", "Starling", "starling", .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "OperationsTests", dependencies: ["Starling"]),
        .testTarget(name: "ClusterTests", dependencies: ["Starling", "NATSConfig"]),
        .testTarget(name: "NATSKeysTests", dependencies: ["NATSKeys", "Starling"]),
        .testTarget(name: "PackagingTests", dependencies: ["NATSConfig"]),
    ]
)
