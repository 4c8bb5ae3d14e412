import Foundation
import Glibc
import Synchronization

/// The server's log file (`log_file`, `-l`): appends whole lines, rotates by size as
/// nats-server does, and reopens its path on demand (SIGUSR1, for logrotate).
///
/// Rotation (`logfile_size_limit`): after a write takes the file past the limit, the file is
/// renamed to `<path>.YYYY.MM.DD.hh.mm.ss.nnnnnnnnn` (local time, nanoseconds), a new file is
/// started with the line `Rotated log, backup saved as "<backup>"`, and when
/// `logfile_max_num` is above zero the oldest backups are deleted so that at most
/// `max_num - 1` remain beside the live file. A limit of 0 never rotates.
///
/// Thread safety: each line is written whole (one `write(2)` unless the kernel writes it
/// short) under the file's mutex, so lines from concurrent writers never interleave.
public final class LogFile: Sendable {
    /// The path lines are written to.
    public let path: String
    private let withTime: Bool
    /// The descriptor (-1 when no new file could be opened after a rotation: lines then go to
    /// standard error until ``reopen()`` succeeds), the bytes in the live file, the limits, and
    /// whether it is closed.
    private let state: Mutex<State>

    private struct State {
        var fd: Int32
        var size: Int64
        var sizeLimit: Int64
        var maxFiles: Int
        var closed = false
    }

    /// Opens (creating, mode 0640) or appends to the file at `path`. `withTime` formats the
    /// lines the file writes about itself (rotation, purge) as the server's other lines.
    /// A file already past `sizeLimit` is rotated at once, as nats-server does.
    public init(path: String, sizeLimit: Int64 = 0, maxFiles: Int = 0, withTime: Bool = true) throws {
        self.path = path
        self.withTime = withTime
        let fd = try Self.open(path)
        state = Mutex(State(fd: fd, size: Self.size(of: fd), sizeLimit: 0, maxFiles: 0))
        setLimits(sizeLimit: sizeLimit, maxFiles: maxFiles)
    }

    deinit {
        close()
    }

    /// Bytes in the live file, as counted by this writer.
    public var size: Int64 { state.withLock { $0.size } }

    /// Changes the rotation limits (on reload); rotates at once if the file is already past
    /// the new size limit.
    public func setLimits(sizeLimit: Int64, maxFiles: Int) {
        let rotateNow = state.withLock { state in
            state.sizeLimit = max(0, sizeLimit)
            state.maxFiles = max(0, maxFiles)
            return state.sizeLimit > 0 && state.size > state.sizeLimit
        }
        if rotateNow { write(note("Rotating logfile...")) }
    }

    /// Appends one line (which should end in a newline), rotating afterwards if the file is now
    /// past the size limit. After ``close()`` lines are dropped.
    public func write(_ line: String) {
        var line = line
        line.withUTF8 { bytes in write(bytes) }
    }

    /// Appends raw bytes (one or more whole lines) as one write, then checks the size limit.
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        state.withLock { state in
            guard !state.closed else { return }
            guard state.fd >= 0 else {
                _ = Self.writeAll(STDERR_FILENO, bytes)
                return
            }
            if Self.writeAll(state.fd, bytes) { state.size += Int64(bytes.count) }
            if state.sizeLimit > 0 && state.size > state.sizeLimit { rotate(&state) }
        }
    }

    /// Closes the descriptor and opens `path` again, creating it if it was moved away; the size
    /// count restarts from the new file's size. On failure the old descriptor stays in use.
    public func reopen() throws {
        try state.withLock { state in
            guard !state.closed else { return }
            let fd = try Self.open(path)
            if state.fd >= 0 { _ = Glibc.close(state.fd) }
            state.fd = fd
            state.size = Self.size(of: fd)
        }
    }

    /// Closes the file; later writes are dropped.
    public func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            if state.fd >= 0 { _ = Glibc.close(state.fd) }
            state.fd = -1
        }
    }

    // MARK: Rotation

    /// Renames the live file to its timestamped backup and starts a new one; the lock is held.
    private func rotate(_ state: inout State) {
        _ = Glibc.close(state.fd)
        let backup = path + "." + Self.backupStamp()
        let renamed = rename(path, backup) == 0
        guard let fd = try? Self.open(path) else {
            state.fd = -1
            let text = note("Unable to re-open the logfile \(Self.quoted(path)) after rotation, logging to stderr",
                            tag: "ERR")
            FileHandle.standardError.write(Data(text.utf8))
            return
        }
        state.fd = fd
        state.size = Self.size(of: fd)
        if renamed {
            append(note("Rotated log, backup saved as \(Self.quoted(backup))"), to: &state)
        } else {
            append(note("Unable to rename logfile to \(Self.quoted(backup)) for rotation", tag: "ERR"), to: &state)
        }
        if state.maxFiles > 0 { purge(&state) }
    }

    /// Deletes the oldest backups so that at most `maxFiles - 1` remain; the lock is held.
    private func purge(_ state: inout State) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + "."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            append(note("Unable to read directory \(Self.quoted(directory)) for log purge, will attempt next rotation",
                        tag: "ERR"), to: &state)
            return
        }
        let backups = names.filter { name in
            name.hasPrefix(prefix) && Self.isBackupStamp(name.dropFirst(prefix.count))
        }.sorted()
        let excess = backups.count - (state.maxFiles - 1)
        guard excess > 0 else { return }
        for name in backups.prefix(excess) {
            guard unlink(directory + "/" + name) == 0 || errno == ENOENT else {
                append(note("Unable to remove backup log file \(Self.quoted(name)), will attempt next rotation",
                            tag: "ERR"), to: &state)
                return
            }
            append(note("Purged log file \(Self.quoted(name))"), to: &state)
        }
    }

    /// Writes a line the file produces itself, without the rotation check; the lock is held.
    private func append(_ line: String, to state: inout State) {
        var line = line
        let written = line.withUTF8 { Self.writeAll(state.fd, $0) }
        if written { state.size += Int64(line.utf8.count) }
    }

    private func note(_ message: String, tag: String = "INF") -> String {
        ServerLogHandler.line(tag: tag, message: message, withTime: withTime)
    }

    /// `YYYY.MM.DD.hh.mm.ss.nnnnnnnnn` in local time, nats-server's backup suffix.
    static func backupStamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var local = tm()
        var seconds = now.tv_sec
        localtime_r(&seconds, &local)
        return String(format: "%04d.%02d.%02d.%02d.%02d.%02d.%09d",
                      local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
                      local.tm_hour, local.tm_min, local.tm_sec, now.tv_nsec)
    }

    /// Whether a name suffix is a backup stamp (six numeric fields, then 1–9 digits of fraction).
    static func isBackupStamp(_ text: Substring) -> Bool {
        let fields = text.split(separator: ".", omittingEmptySubsequences: false)
        let widths = [4, 2, 2, 2, 2, 2]
        guard fields.count == 7 else { return false }
        for (field, width) in zip(fields, widths) where field.count != width || !field.allSatisfy(\.isASCIIDigit) {
            return false
        }
        return (1...9).contains(fields[6].count) && fields[6].allSatisfy(\.isASCIIDigit)
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    // MARK: System calls

    private static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw OperationError.system("error opening log file \(path)") }
        return fd
    }

    private static func size(of fd: Int32) -> Int64 {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Writes every byte, retrying after EINTR and short writes; false on another error.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard var next = bytes.baseAddress else { return true }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, next, left)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            left -= n
            next += n
        }
        return true
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
