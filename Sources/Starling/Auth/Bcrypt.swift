import CCrypt

/// bcrypt password and token hashes, checked as nats-server checks them (auth.go:isBcrypt,
/// comparePasswords), with libxcrypt's `crypt_r` doing the hashing.
///
/// A check costs what the hash's cost factor says (cost 11, nats-server's default, takes about
/// a tenth of a second): run it off the event loop.
public enum Bcrypt {
    /// Whether `string` is a bcrypt hash to compare against rather than a plain secret:
    /// nats-server's `^\$2[abxy]\$\d{2}\$` (`$2a$`, `$2b$`, `$2x$`, `$2y$`, two cost digits).
    public static func isHash(_ string: String) -> Bool {
        let bytes = Array(string.utf8.prefix(7))
        guard bytes.count == 7 else { return false }
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        return bytes[0] == UInt8(ascii: "$") && bytes[1] == UInt8(ascii: "2")
            && [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "x"), UInt8(ascii: "y")].contains(bytes[2])
            && bytes[3] == UInt8(ascii: "$") && digits.contains(bytes[4]) && digits.contains(bytes[5])
            && bytes[6] == UInt8(ascii: "$")
    }

    /// Whether `password` hashes to `hash`. False when `hash` is not a bcrypt hash libxcrypt
    /// accepts, and for passwords holding a NUL byte (C strings would cut them short). As in
    /// every bcrypt, only the first 72 bytes of the password count.
    public static func verify(password: String, hash: String) -> Bool {
        guard isHash(hash), !password.utf8.contains(0), !hash.utf8.contains(0) else { return false }
        guard let computed = crypt(password, setting: hash) else { return false }
        return constantTimeEqual(computed, Array(hash.utf8))
    }

    /// A new bcrypt hash of `password` (`$2b$`, `cost` 4…31) with a random salt from libxcrypt.
    /// For tests and tooling; nil if libxcrypt refuses.
    public static func hash(password: String, cost: Int = 11) -> String? {
        guard !password.utf8.contains(0) else { return nil }
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let made = setting.withUnsafeMutableBufferPointer { buffer in
            crypt_gensalt_rn("$2b$", UInt(cost), nil, 0, buffer.baseAddress, Int32(buffer.count))
        }
        guard made != nil else { return nil }
        let settingText = String(decoding: setting.prefix { $0 != 0 }.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        guard let result = crypt(password, setting: settingText) else { return nil }
        return String(decoding: result, as: UTF8.self)
    }

    /// `crypt_r(password, setting)` with its large work area on the heap, zeroed before use
    /// (as libxcrypt requires) and after (it held derived secrets). Nil on failure, which
    /// libxcrypt reports as NULL or a string starting with `*`.
    private static func crypt(_ password: String, setting: String) -> [UInt8]? {
        let size = MemoryLayout<crypt_data>.size
        let area = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<crypt_data>.alignment)
        area.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer {
            area.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            area.deallocate()
        }
        let data = area.bindMemory(to: crypt_data.self, capacity: 1)
        guard let output = crypt_r(password, setting, data), output.pointee != CChar(UInt8(ascii: "*")) else {
            return nil
        }
        var bytes: [UInt8] = []
        var cursor = output
        while cursor.pointee != 0 {
            bytes.append(UInt8(truncatingIfNeeded: cursor.pointee))
            cursor += 1
        }
        return bytes
    }

    /// Equal bytes, in time that depends only on the lengths.
    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
